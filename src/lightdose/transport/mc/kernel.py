"""The numba-compiled photon-packet loop for infinite planar layers.

Physics follows MCML (Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131-146):
- step sizes s = -ln(xi)/mu_t, with the unused dimensionless remainder carried across interfaces;
- absorption by weight decrement dw = w * mu_a/mu_t at each interaction site;
- Henyey-Greenstein scattering (Henyey & Greenstein 1941, Astrophys. J. 93:70-83);
- at every interface, unpolarised Fresnel reflectance (Born & Wolf, Principles of Optics) with total
  internal reflection above the critical angle, and MCML's *probabilistic* choice between reflection and
  transmission (a packet is reflected whole with probability R). This includes the escape through the top
  surface (MCML's default, not its "partial reflection" option);
- Russian roulette below a weight threshold (MCML: threshold 1e-4, survival chance 1/10).

Layer arrays are indexed like MCML: 0 = ambient above, 1..L = tissue layers, L+1 = ambient below.

Each chunk of photons has its own xoshiro256** generator (Blackman & Vigna 2021, ACM Trans. Math. Softw.
47:36) and its own slice of the tally arrays, so chunks run in parallel (``prange``) without races and
the result does not depend on thread scheduling.

The photon loop is compiled with the fast-math flags nsz, arcp, contract, afn and reassoc only: they let
LLVM fuse and reorder arithmetic at compile time (the same binary gives the same numbers on every run), while
the infinities used for semi-infinite layers and clear layers keep their IEEE meaning (no 'ninf'/'nnan').
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

SOURCE_PENCIL = 0
SOURCE_FLAT_TOP = 1
SOURCE_GAUSSIAN = 2

_U7 = np.uint64(7)
_U57 = np.uint64(57)
_U45 = np.uint64(45)
_U19 = np.uint64(19)
_U17 = np.uint64(17)
_U11 = np.uint64(11)
_U5 = np.uint64(5)
_U9 = np.uint64(9)
_TWO_M53 = 1.0 / 9007199254740992.0
_TWO_PI = 2.0 * math.pi
_COS_NEAR_ONE = 1.0 - 1e-12


@njit(inline="always", cache=True)
def _xoshiro(s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64):  # noqa: ANN202
    """One xoshiro256** step: new state and a double uniform in (0, 1]."""
    m = s1 * _U5
    res = ((m << _U7) | (m >> _U57)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    u = (float(res >> _U11) + 1.0) * _TWO_M53
    return s0, s1, s2, s3, u


@njit(cache=True, fastmath={"nsz", "arcp", "contract", "afn", "reassoc"})
def _run_chunk(c, n_photons, state, z_top, z_bot, n_idx, mua_over_mut, inv_mut, mut, hg_g, hg_1pg2,
               hg_1mg2, hg_inv2g, cos_crit_up, cos_crit_down, w_start, first_layer, src_kind, src_radius,
               inv_dz, inv_dr, inv_da, nz, nr, na, w_threshold, survival, a_layer, a_z, a_rz, rd_ra, tt_ra):  # noqa: ANN001, ANN202
    """Transport `n_photons` packets of chunk `c`, adding raw weights to the chunk's tally slices."""
    n_layers = len(n_idx) - 2
    s0 = state[c, 0]
    s1 = state[c, 1]
    s2 = state[c, 2]
    s3 = state[c, 3]
    inv_survival = 1.0 / survival
    for _ in range(n_photons):
        # ---- launch (normal incidence) ----
        x = 0.0
        y = 0.0
        if src_kind != SOURCE_PENCIL:
            s0, s1, s2, s3, u1 = _xoshiro(s0, s1, s2, s3)
            s0, s1, s2, s3, u2 = _xoshiro(s0, s1, s2, s3)
            if src_kind == SOURCE_FLAT_TOP:
                rad = src_radius * math.sqrt(u1)
            else:  # Gaussian, 1/e^2 radius: irradiance ~ exp(-2 r^2 / w^2)
                rad = src_radius * math.sqrt(-0.5 * math.log(u1))
            phi = _TWO_PI * u2
            x = rad * math.cos(phi)
            y = rad * math.sin(phi)
        layer = first_layer
        z = z_top[layer]
        ux = 0.0
        uy = 0.0
        uz = 1.0
        w = w_start
        sleft = 0.0
        while True:
            mut_l = mut[layer]
            if mut_l > 0.0:
                if sleft == 0.0:
                    s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                    sdim = -math.log(u)
                else:
                    sdim = sleft
                s = sdim * inv_mut[layer]
            else:
                sdim = 0.0
                s = math.inf
            z_end = z + s * uz
            if (uz > 0.0 and z_end >= z_bot[layer]) or (uz < 0.0 and z_end <= z_top[layer]):
                # ---- hop to the interface, then reflect or transmit ----
                db = ((z_bot[layer] if uz > 0.0 else z_top[layer]) - z) / uz
                sleft = (s - db) * mut_l if mut_l > 0.0 and s > db else 0.0
                x += db * ux
                y += db * uy
                if uz < 0.0:
                    z = z_top[layer]
                    n_t = n_idx[layer - 1]
                    cos_crit = cos_crit_up[layer]
                else:
                    z = z_bot[layer]
                    n_t = n_idx[layer + 1]
                    cos_crit = cos_crit_down[layer]
                n_i = n_idx[layer]
                ca1 = abs(uz)
                if ca1 <= cos_crit:
                    r = 1.0
                    ca2 = 0.0
                elif n_i == n_t:
                    r = 0.0
                    ca2 = ca1
                elif ca1 > _COS_NEAR_ONE:
                    r = (n_i - n_t) / (n_i + n_t)
                    r = r * r
                    ca2 = ca1
                else:
                    sa1 = math.sqrt(1.0 - ca1 * ca1)
                    sa2 = n_i / n_t * sa1
                    if sa2 >= 1.0:
                        r = 1.0
                        ca2 = 0.0
                    else:
                        ca2 = math.sqrt(1.0 - sa2 * sa2)
                        cap = ca1 * ca2 - sa1 * sa2
                        cam = ca1 * ca2 + sa1 * sa2
                        sap = sa1 * ca2 + ca1 * sa2
                        sam = sa1 * ca2 - ca1 * sa2
                        r = 0.5 * sam * sam * (cam * cam + cap * cap) / (sap * sap * cam * cam)
                reflect = r >= 1.0
                if 0.0 < r < 1.0:
                    s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                    reflect = u <= r
                if reflect:
                    uz = -uz
                else:
                    going_up = uz < 0.0
                    next_layer = layer - 1 if going_up else layer + 1
                    if next_layer == 0 or next_layer == n_layers + 1:
                        ir = int(math.sqrt(x * x + y * y) * inv_dr)
                        if ir > nr:
                            ir = nr
                        ia = int(math.acos(min(ca2, 1.0)) * inv_da)
                        if ia >= na:
                            ia = na - 1
                        if going_up:
                            rd_ra[c, ir, ia] += w
                        else:
                            tt_ra[c, ir, ia] += w
                        break
                    ratio = n_i / n_t
                    ux *= ratio
                    uy *= ratio
                    uz = -ca2 if going_up else ca2
                    layer = next_layer
            else:
                # ---- hop, drop, spin ----
                sleft = 0.0
                x += s * ux
                y += s * uy
                z = z_end
                dw = w * mua_over_mut[layer]
                w -= dw
                iz = int(z * inv_dz)
                if iz > nz:
                    iz = nz
                ir = int(math.sqrt(x * x + y * y) * inv_dr)
                if ir > nr:
                    ir = nr
                a_rz[c, ir, iz] += dw
                a_z[c, iz] += dw
                a_layer[c, layer] += dw
                s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                g = hg_g[layer]
                if g == 0.0:
                    cost = 2.0 * u - 1.0
                else:
                    tmp = hg_1mg2[layer] / (1.0 - g + 2.0 * g * u)
                    cost = (hg_1pg2[layer] - tmp * tmp) * hg_inv2g[layer]
                    if cost < -1.0:
                        cost = -1.0
                    elif cost > 1.0:
                        cost = 1.0
                sint = math.sqrt(1.0 - cost * cost)
                # azimuth uniform on (0, 2 pi): a point uniform in the unit disk gives cos and sin of its
                # doubled polar angle without trigonometric calls (von Neumann 1951, NBS Appl. Math. 12:36)
                while True:
                    s0, s1, s2, s3, u1 = _xoshiro(s0, s1, s2, s3)
                    s0, s1, s2, s3, u2 = _xoshiro(s0, s1, s2, s3)
                    px = 2.0 * u1 - 1.0
                    py = 2.0 * u2 - 1.0
                    rr = px * px + py * py
                    if 0.0 < rr <= 1.0:
                        break
                inv_rr = 1.0 / rr
                cosp = (px * px - py * py) * inv_rr
                sinp = 2.0 * px * py * inv_rr
                if abs(uz) > _COS_NEAR_ONE:
                    ux = sint * cosp
                    uy = sint * sinp
                    uz = cost if uz > 0.0 else -cost
                else:
                    tmp = math.sqrt(1.0 - uz * uz)
                    nux = sint * (ux * uz * cosp - uy * sinp) / tmp + ux * cost
                    nuy = sint * (uy * uz * cosp + ux * sinp) / tmp + uy * cost
                    uz = -sint * cosp * tmp + uz * cost
                    ux = nux
                    uy = nuy
            if w < w_threshold:
                s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                if u <= survival:
                    w *= inv_survival
                else:
                    break
    state[c, 0] = s0
    state[c, 1] = s1
    state[c, 2] = s2
    state[c, 3] = s3


@njit(cache=True, parallel=True)
def run_batch(chunk_photons, state, z_top, z_bot, n_idx, mua_over_mut, inv_mut, mut, hg_g, hg_1pg2,
              hg_1mg2, hg_inv2g, cos_crit_up, cos_crit_down, w_start, first_layer, src_kind, src_radius,
              inv_dz, inv_dr, inv_da, nz, nr, na, w_threshold, survival, a_layer, a_z, a_rz, rd_ra, tt_ra,
              a_rz_total):  # noqa: ANN001, ANN201
    """Run every chunk of a batch in parallel; chunk c uses ``state[c]`` and tally slices ``[c]``.

    Per-chunk tallies (zeroed here) hold raw packet weights: ``a_layer[c, layer]``, ``a_z[c, iz]``,
    ``a_rz[c, ir, iz]`` (last index of each axis = overflow beyond the grid), ``rd_ra[c, ir, ia]`` and
    ``tt_ra[c, ir, ia]`` (escape radius, exit angle). The chunks' A(r, z) are then added to
    ``a_rz_total`` in chunk order (parallel over r), so the sum does not depend on the thread count.
    """
    n_chunks = len(chunk_photons)
    for c in prange(n_chunks):
        a_layer[c, :] = 0.0
        a_z[c, :] = 0.0
        a_rz[c, :, :] = 0.0
        rd_ra[c, :, :] = 0.0
        tt_ra[c, :, :] = 0.0
        _run_chunk(c, chunk_photons[c], state, z_top, z_bot, n_idx, mua_over_mut, inv_mut, mut, hg_g,
                   hg_1pg2, hg_1mg2, hg_inv2g, cos_crit_up, cos_crit_down, w_start, first_layer, src_kind,
                   src_radius, inv_dz, inv_dr, inv_da, nz, nr, na, w_threshold, survival, a_layer, a_z, a_rz,
                   rd_ra, tt_ra)
    for ir in prange(a_rz.shape[1]):
        for c in range(n_chunks):
            for iz in range(a_rz.shape[2]):
                a_rz_total[ir, iz] += a_rz[c, ir, iz]
