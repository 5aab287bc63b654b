"""The numba-compiled photon-packet loop for infinite planar layers, and the interface physics it uses.

Physics follows MCML (Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131-146):
- step sizes s = -ln(xi)/mu_t, with the unused dimensionless remainder carried across interfaces;
- absorption by weight decrement dw = w * mu_a/mu_t at each interaction site;
- Henyey-Greenstein scattering (Henyey & Greenstein 1941, Astrophys. J. 93:70-83);
- at every interface, unpolarised Fresnel reflectance with total internal reflection (:func:`fresnel`), and MCML's
  *probabilistic* choice between reflection and transmission (a packet is reflected whole with probability R). This
  includes the escape through the top surface (MCML's default, not its "partial reflection" option);
- Russian roulette below a weight threshold (:func:`roulette`; MCML: threshold 1e-4, survival chance 1/10).

Layer arrays are indexed like MCML: 0 = ambient above, 1..L = tissue layers, L+1 = ambient below.

Each chunk of photons has its own xoshiro256** generator (Blackman & Vigna 2021, ACM Trans. Math. Softw.
47:36) and its own slice of the tally arrays, so chunks run in parallel (``prange``) without races and
the result does not depend on thread scheduling.

A packet is followed for at most :data:`MAX_STEPS` steps (interactions and interface hits). Where anything absorbs
(mu_a/mu_t >= 1e-6) its weight falls below the roulette threshold long before that; only a thick layer with no
absorption can keep it going, and then the chunk stops with status :data:`CHUNK_STEP_BOUND` instead of running
for hours. The chunks also poll a stop flag (set on Ctrl-C) before every packet and every 65 536 steps.

The photon loop is compiled with the fast-math flags nsz, arcp, contract, afn and reassoc only: they let
LLVM fuse and reorder arithmetic at compile time (the same binary gives the same numbers on every run), while
the infinities used for semi-infinite layers and clear layers keep their IEEE meaning (no 'ninf'/'nnan').
The physics functions are inlined into the loop (``inline="always"``), so they are compiled with the loop's flags.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

SOURCE_PENCIL = 0
SOURCE_FLAT_TOP = 1
SOURCE_GAUSSIAN = 2

CHUNK_RUNNING = 0
CHUNK_DONE = 1
CHUNK_INTERRUPTED = 2
CHUNK_STEP_BOUND = 3

MAX_STEPS = 1 << 24
"""Most steps (interactions plus interface hits) one packet may take: 2^24 ≈ 1.7e7. With mu_a/mu_t = 1e-6 a packet
falls below the roulette threshold (1e-4) after ~9e6 interactions; tissue absorbs far more (mu_a/mu_t >~ 1e-4)."""
_POLL_MASK = (1 << 16) - 1

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
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


class Layers(NamedTuple):
    """Per-layer constants, MCML indexing (0 = ambient above, 1..L = tissue, L+1 = ambient below); arrays of L+2."""

    z_top: np.ndarray
    """Depth of the layer's top [mm] (-inf for the ambient above)."""
    z_bot: np.ndarray
    """Depth of the layer's bottom [mm] (+inf for the ambient below)."""
    n: np.ndarray
    """Refractive index [-]."""
    mut: np.ndarray
    """Interaction coefficient mu_a + mu_s [1/mm] (0 in clear layers and the ambient media)."""
    inv_mut: np.ndarray
    """1/mu_t [mm] (0 where mu_t = 0)."""
    mua_over_mut: np.ndarray
    """Fraction of the weight absorbed at an interaction, mu_a/mu_t [-]."""
    hg_g: np.ndarray
    """Henyey-Greenstein anisotropy g [-]."""
    hg_1pg2: np.ndarray
    """1 + g^2 [-]."""
    hg_1mg2: np.ndarray
    """1 - g^2 [-]."""
    hg_inv2g: np.ndarray
    """1/(2 g) [-] (0 where g = 0)."""


class Launch(NamedTuple):
    """How packets start and end."""

    w_start: float
    """Weight of a packet entering the tissue, 1 - Rsp [-]."""
    first_layer: int
    """Layer (1-based) the packets start in."""
    source_kind: int
    """SOURCE_PENCIL, SOURCE_FLAT_TOP or SOURCE_GAUSSIAN."""
    source_radius: float
    """Beam radius [mm] (flat-top radius, or Gaussian 1/e^2 radius)."""
    w_threshold: float
    """Roulette threshold weight [-]."""
    survival: float
    """Roulette survival probability [-]."""


class Scoring(NamedTuple):
    """The scoring grid: bins of z, r and exit angle; index nz (nr) collects what lies beyond the grid."""

    inv_dz: float
    """1/dz [1/mm]."""
    inv_dr: float
    """1/dr [1/mm]."""
    inv_da: float
    """1/(exit-angle bin width) [1/rad]."""
    nz: int
    nr: int
    na: int


class Tallies(NamedTuple):
    """Per-chunk raw weights (leading axis = chunk) and step counts."""

    a_layer: np.ndarray
    """Absorbed weight per layer, (chunk, L+2)."""
    a_z: np.ndarray
    """Absorbed weight per depth bin, (chunk, nz+1)."""
    a_rz: np.ndarray
    """Absorbed weight per radius and depth bin, (chunk, nr+1, nz+1)."""
    rd_ra: np.ndarray
    """Weight escaping through the top, per radius and exit-angle bin, (chunk, nr+1, na)."""
    tt_ra: np.ndarray
    """Weight escaping through the bottom, per radius and exit-angle bin, (chunk, nr+1, na)."""
    steps: np.ndarray
    """Steps taken by all packets of the chunk, (chunk,) int64."""


class Control(NamedTuple):
    """What the caller and the chunks tell each other while a batch runs."""

    stop: np.ndarray
    """(1,) int64: non-zero makes every chunk stop within 65 536 steps; set by the caller on Ctrl-C, and by a chunk
    whose packet reached MAX_STEPS (the run is then abandoned)."""
    status: np.ndarray
    """(chunk,) int64: CHUNK_RUNNING, CHUNK_DONE, CHUNK_INTERRUPTED or CHUNK_STEP_BOUND."""
    done: np.ndarray
    """(chunk,) int64: packets finished so far (for progress reports)."""


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


@njit(inline="always", cache=True)
def fresnel(n_i: float, n_t: float, cos_i: float) -> tuple[float, float]:
    """Unpolarised Fresnel reflectance R [-] of a plane interface and the cosine of the refraction angle.

    Light goes from refractive index `n_i` into `n_t` at an angle of incidence with cosine `cos_i` in [0, 1].
    R = (R_s + R_p)/2 with R_s = sin^2(a_i - a_t)/sin^2(a_i + a_t) and R_p = tan^2(a_i - a_t)/tan^2(a_i + a_t)
    (Born & Wolf, Principles of Optics, section 1.5); at (near) normal incidence R = ((n_i - n_t)/(n_i + n_t))^2;
    beyond the critical angle (sin a_t = n_i/n_t sin a_i >= 1) total internal reflection, R = 1 and cos_t = 0.
    """
    if n_i == n_t:
        return 0.0, cos_i
    if cos_i > _COS_NEAR_ONE:
        r = (n_i - n_t) / (n_i + n_t)
        return r * r, cos_i
    sa1 = math.sqrt(1.0 - cos_i * cos_i)
    sa2 = n_i / n_t * sa1
    if sa2 >= 1.0:
        return 1.0, 0.0
    ca2 = math.sqrt(1.0 - sa2 * sa2)
    cap = cos_i * ca2 - sa1 * sa2  # cos(a_i + a_t)
    cam = cos_i * ca2 + sa1 * sa2  # cos(a_i - a_t)
    sap = sa1 * ca2 + cos_i * sa2  # sin(a_i + a_t)
    sam = sa1 * ca2 - cos_i * sa2  # sin(a_i - a_t)
    return 0.5 * sam * sam * (cam * cam + cap * cap) / (sap * sap * cam * cam), ca2


@njit(inline="always", cache=True)
def roulette(w: float, u: float, survival: float) -> float:
    """Russian roulette for a packet of weight `w`, given a uniform draw `u` in (0, 1].

    The packet survives with probability `survival`, its weight raised to w/survival, and dies otherwise (weight 0),
    so the expected weight afterwards equals w (Wang, Jacques & Zheng 1995, section 3.9).
    """
    if u <= survival:
        return w * (1.0 / survival)
    return 0.0


@njit(cache=True, fastmath=_FASTMATH)
def _run_chunk(c: int, n_photons: int, rng: np.ndarray, layers: Layers, launch: Launch, scoring: Scoring,
               tallies: Tallies, control: Control) -> None:
    """Transport `n_photons` packets of chunk `c`, adding raw weights to the chunk's tally slices."""
    n_layers = len(layers.n) - 2
    s0 = rng[c, 0]
    s1 = rng[c, 1]
    s2 = rng[c, 2]
    s3 = rng[c, 3]
    src_kind = launch.source_kind
    w_threshold = launch.w_threshold
    survival = launch.survival
    nz, nr, na = scoring.nz, scoring.nr, scoring.na
    inv_dz, inv_dr, inv_da = scoring.inv_dz, scoring.inv_dr, scoring.inv_da
    status = CHUNK_DONE
    chunk_steps = 0
    for i in range(n_photons):
        if control.stop[0] != 0:
            status = CHUNK_INTERRUPTED
            break
        # ---- launch (normal incidence) ----
        x = 0.0
        y = 0.0
        if src_kind != SOURCE_PENCIL:
            s0, s1, s2, s3, u1 = _xoshiro(s0, s1, s2, s3)
            s0, s1, s2, s3, u2 = _xoshiro(s0, s1, s2, s3)
            if src_kind == SOURCE_FLAT_TOP:
                rad = launch.source_radius * math.sqrt(u1)
            else:  # Gaussian, 1/e^2 radius: irradiance ~ exp(-2 r^2 / w^2)
                rad = launch.source_radius * math.sqrt(-0.5 * math.log(u1))
            phi = _TWO_PI * u2
            x = rad * math.cos(phi)
            y = rad * math.sin(phi)
        layer = launch.first_layer
        z = layers.z_top[layer]
        ux = 0.0
        uy = 0.0
        uz = 1.0
        w = launch.w_start
        sleft = 0.0
        steps = 0
        while True:
            steps += 1
            if (steps & _POLL_MASK) == 0:
                if steps >= MAX_STEPS:
                    status = CHUNK_STEP_BOUND
                    control.stop[0] = 1  # the run is abandoned: the other chunks need not go on
                    break
                if control.stop[0] != 0:
                    status = CHUNK_INTERRUPTED
                    break
            mut_l = layers.mut[layer]
            if mut_l > 0.0:
                if sleft == 0.0:
                    s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                    sdim = -math.log(u)
                else:
                    sdim = sleft
                s = sdim * layers.inv_mut[layer]
            else:
                sdim = 0.0
                s = math.inf
            z_end = z + s * uz
            if (uz > 0.0 and z_end >= layers.z_bot[layer]) or (uz < 0.0 and z_end <= layers.z_top[layer]):
                # ---- hop to the interface, then reflect or transmit ----
                db = ((layers.z_bot[layer] if uz > 0.0 else layers.z_top[layer]) - z) / uz
                sleft = (s - db) * mut_l if mut_l > 0.0 and s > db else 0.0
                x += db * ux
                y += db * uy
                going_up = uz < 0.0
                next_layer = layer - 1 if going_up else layer + 1
                z = layers.z_top[layer] if going_up else layers.z_bot[layer]
                n_i = layers.n[layer]
                n_t = layers.n[next_layer]
                r, ca2 = fresnel(n_i, n_t, abs(uz))
                reflect = r >= 1.0
                if 0.0 < r < 1.0:
                    s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                    reflect = u <= r
                if reflect:
                    uz = -uz
                else:
                    if next_layer == 0 or next_layer == n_layers + 1:
                        ir = int(math.sqrt(x * x + y * y) * inv_dr)
                        if ir > nr:
                            ir = nr
                        ia = int(math.acos(min(ca2, 1.0)) * inv_da)
                        if ia >= na:
                            ia = na - 1
                        if going_up:
                            tallies.rd_ra[c, ir, ia] += w
                        else:
                            tallies.tt_ra[c, ir, ia] += w
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
                dw = w * layers.mua_over_mut[layer]
                w -= dw
                iz = int(z * inv_dz)
                if iz > nz:
                    iz = nz
                ir = int(math.sqrt(x * x + y * y) * inv_dr)
                if ir > nr:
                    ir = nr
                tallies.a_rz[c, ir, iz] += dw
                tallies.a_z[c, iz] += dw
                tallies.a_layer[c, layer] += dw
                s0, s1, s2, s3, u = _xoshiro(s0, s1, s2, s3)
                g = layers.hg_g[layer]
                if g == 0.0:
                    cost = 2.0 * u - 1.0
                else:
                    tmp = layers.hg_1mg2[layer] / (1.0 - g + 2.0 * g * u)
                    cost = (layers.hg_1pg2[layer] - tmp * tmp) * layers.hg_inv2g[layer]
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
                w = roulette(w, u, survival)
                if w == 0.0:
                    break
        chunk_steps += steps
        if status != CHUNK_DONE:
            break
        control.done[c] = i + 1
    tallies.steps[c] = chunk_steps
    control.status[c] = status
    rng[c, 0] = s0
    rng[c, 1] = s1
    rng[c, 2] = s2
    rng[c, 3] = s3


@njit(cache=True, parallel=True, nogil=True)
def run_batch(counts: np.ndarray, rng: np.ndarray, layers: Layers, launch: Launch, scoring: Scoring,
              tallies: Tallies, control: Control, a_rz_total: np.ndarray) -> bool:
    """Run every chunk of a batch in parallel: chunk c transports ``counts[c]`` packets with generator ``rng[c]``
    into tally slices ``[c]`` (zeroed here; the last index of each r and z axis is the overflow beyond the grid).

    Returns whether every chunk finished (status CHUNK_DONE). Only then are the chunks' A(r, z) summed, in chunk
    order and starting from zero, and that batch sum added to `a_rz_total` (parallel over r): the sum does not depend
    on the thread count, and a batch run elsewhere into a zeroed `a_rz_total` gives the same batch sum to the bit.
    """
    n_chunks = len(counts)
    # arrays bound to local names: numba's parfor pass does not write through a tuple attribute inside prange
    a_layer, a_z, a_rz, rd_ra, tt_ra = tallies.a_layer, tallies.a_z, tallies.a_rz, tallies.rd_ra, tallies.tt_ra
    status, done = control.status, control.done
    for c in prange(n_chunks):
        a_layer[c, :] = 0.0
        a_z[c, :] = 0.0
        a_rz[c, :, :] = 0.0
        rd_ra[c, :, :] = 0.0
        tt_ra[c, :, :] = 0.0
        done[c] = 0
        status[c] = CHUNK_RUNNING
        _run_chunk(c, counts[c], rng, layers, launch, scoring, tallies, control)
    for c in range(n_chunks):
        if status[c] != CHUNK_DONE:
            return False
    for ir in prange(a_rz.shape[1]):
        for iz in range(a_rz.shape[2]):
            batch_sum = 0.0
            for c in range(n_chunks):
                batch_sum += a_rz[c, ir, iz]
            a_rz_total[ir, iz] += batch_sum
    return True
