"""Reference on-axis fluence rates to 100 mm deep, for checking the deep tail of the fast (δ-P1) solver.

Plain Monte Carlo cannot reach 100 mm: in muscle at 660–850 nm the light falls by e every 4–5 mm, so a photon
reaches 100 mm with a probability of about e⁻²⁰ ≈ 10⁻⁹. This script is a second, **independent** Monte Carlo (it
shares no code with ``lightdose.transport.mc``; only the problem — the layers' optical properties and the beam
profiles — comes from lightdose) with an unbiased variance reduction, a **weight window in depth**:

* physics as in MCML (Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131): pencil beam at normal
  incidence, specular reflection removed at entry, Henyey–Greenstein scattering, unpolarised Fresnel reflection or
  refraction of the whole packet at every interface (total internal reflection included), implicit absorption;
* after every collision the packet's weight w is compared with a target weight w_t(z) = exp(−c·z) (c a little below
  the deepest layer's μeff): above 2·w_t it is split into n = ⌊w/w_t⌋ copies of weight w/n; below w_t/4 it plays
  Russian roulette, surviving with probability w/w_t at weight w_t. Splitting and roulette keep the expected weight,
  so every tally stays unbiased (Booth 1985, "A sample problem for variance reduction in MCNP", LA-10363-MS); the
  number of packets per depth stays roughly constant instead of falling by e every 4–5 mm;
* fluence by the collision estimator: each collision at depth z adds w/μt (w before absorption) to its depth bin,
  φ_bin = Σ w/μt / (N·Δz) per unit incident irradiance (broad beam; Σ over the whole plane) — the same quantity
  MCML gets as A/μa, but with the μt of the layer where the collision happened (no bias in a bin that straddles
  an interface);
* finite beams on the axis, by translation invariance: φ(0, z)/E_c = ∫ G(ρ, z)·b(ρ) dA for a pencil response G and
  a relative profile b (1 at the centre), so each collision also adds w/μt·b(ρ), ρ its distance from the pencil's
  entry point, to a profile tally — exact for the staircase profile b, with no radial binning;
* standard errors from the spread between independent batches (each with its own seed).

Cases: the knee preset (default person) with ``panel-660-850`` at 15 cm (its 660 and 850 nm bands) and
``probe-810`` in contact at 810 nm; each run also scores the infinitely broad beam. The file stores the layers'
optical properties and the profiles that were used, so the test (tests/validation/test_deep_tail.py) checks the
fast solver on exactly this problem even after the optics or device presets change.

Run from the repository root (2 cores: about 25 min; the batch count sets the time):

    .venv/bin/python tools/deep_tail_reference.py                 # writes tests/data/mc_deep_tail_knee.nc
    .venv/bin/python tools/deep_tail_reference.py --photons 2000  # a quick look, printed only
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import xarray as xr
from numba import njit, prange

SEED = 20260517
"""Base seed; batch b uses SEED + b."""
BATCHES = 128
PHOTONS_PER_BATCH = 200
DZ_MM = 1.0
"""Depth bins [mm], centred on whole millimetres: [k − 0.5, k + 0.5) (the first is [0, 0.5))."""
MAX_DEPTH_MM = 110.0
WINDOW_DEPTH_MM = 120.0
"""Below this depth the target weight stays constant: packets there only play roulette (no splitting), so the
population cannot spread without bound (with c equal to the decay rate it would be a critical branching process)."""
WINDOW_RATE_FACTOR = 1.0
"""c = this × μeff of the deepest layer: the target weight falls a little slower than the light."""
SPLIT_ABOVE, ROULETTE_BELOW = 2.0, 0.25
"""Weight window around w_t(z): split above SPLIT_ABOVE·w_t, roulette below ROULETTE_BELOW·w_t."""
MAX_SPLIT = 64
STACK_SIZE = 200_000
OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "mc_deep_tail_knee.nc"
SITE = "knee"
CASES = (  # (wavelength [nm], device, distance [mm], band of the device)
    (660.0, "panel-660-850", 150.0, 0),
    (850.0, "panel-660-850", 150.0, 1),
    (810.0, "probe-810", 0.0, 0),
)


@njit
def _uniform() -> float:
    """A uniform random number in [0, 1) from numba's per-thread generator (numba compiles only the legacy API)."""
    return np.random.random()  # noqa: NPY002


@njit
def _seed(seed: int) -> None:
    np.random.seed(seed)  # noqa: NPY002


@njit
def _fresnel(n_i: float, n_t: float, cos_i: float) -> tuple[float, float]:
    """Unpolarised Fresnel reflectance and the cosine of the transmitted angle (1, 0 for total internal reflection)."""
    if n_i == n_t:
        return 0.0, cos_i
    sin_t = n_i / n_t * math.sqrt(max(0.0, 1.0 - cos_i * cos_i))
    if sin_t >= 1.0:
        return 1.0, 0.0
    cos_t = math.sqrt(1.0 - sin_t * sin_t)
    rs = (n_i * cos_i - n_t * cos_t) / (n_i * cos_i + n_t * cos_t)
    rp = (n_i * cos_t - n_t * cos_i) / (n_i * cos_t + n_t * cos_i)
    return 0.5 * (rs * rs + rp * rp), cos_t


@njit
def _profile_value(edges: np.ndarray, values: np.ndarray, rho: float) -> float:
    """The staircase profile at radius `rho`: ring j spans (edges[j−1], edges[j]]; zero beyond the last ring."""
    j = np.searchsorted(edges, rho)
    if j >= edges.size:
        return 0.0
    return values[j]


@njit
def _batch(  # noqa: C901 (the photon loop: one compiled function, as MCML's)
        seed: int, photons: int, top: np.ndarray, bottom: np.ndarray, mua: np.ndarray, mus: np.ndarray, g: np.ndarray,
        n: np.ndarray, n_above: float, dz: float, nz: int, edges: np.ndarray, values: np.ndarray,
        c: float) -> tuple[np.ndarray, int, bool]:
    """One batch: tallies (1 + profiles, nz) of Σ w/μt per depth bin (not yet divided by photons·Δz), the number of
    collisions, and whether the packet stack overflowed (then the batch is invalid)."""
    _seed(seed)
    n_prof = values.shape[0]
    tally = np.zeros((1 + n_prof, nz))
    stack = np.empty((STACK_SIZE, 8))  # x, y, z, ux, uy, uz, w, layer
    r_sp = ((n_above - n[0]) / (n_above + n[0])) ** 2
    steps = 0
    overflow = False
    for _ in range(photons):
        top_of_stack = 0
        stack[0, 0] = 0.0
        stack[0, 1] = 0.0
        stack[0, 2] = 0.0
        stack[0, 3] = 0.0
        stack[0, 4] = 0.0
        stack[0, 5] = 1.0
        stack[0, 6] = 1.0 - r_sp
        stack[0, 7] = 0.0
        top_of_stack = 1
        while top_of_stack > 0:
            top_of_stack -= 1
            x, y, z = stack[top_of_stack, 0], stack[top_of_stack, 1], stack[top_of_stack, 2]
            ux, uy, uz = stack[top_of_stack, 3], stack[top_of_stack, 4], stack[top_of_stack, 5]
            w = stack[top_of_stack, 6]
            layer = int(stack[top_of_stack, 7])
            alive = True
            while alive:
                steps += 1
                tau = -math.log(1.0 - _uniform())  # optical length to the next collision
                collided = False
                while not collided:
                    mut = mua[layer] + mus[layer]
                    s = tau / mut
                    if uz > 0.0:
                        d_b = (bottom[layer] - z) / uz
                    elif uz < 0.0:
                        d_b = (top[layer] - z) / uz
                    else:
                        d_b = math.inf
                    if s < d_b:
                        x += s * ux
                        y += s * uy
                        z += s * uz
                        collided = True
                        break
                    # to the interface
                    x += d_b * ux
                    y += d_b * uy
                    tau -= d_b * mut
                    going_down = uz > 0.0
                    if going_down:
                        z = bottom[layer]
                        n_next = n[layer + 1]
                    else:
                        z = top[layer]
                        n_next = n_above if layer == 0 else n[layer - 1]
                    reflect, cos_t = _fresnel(n[layer], n_next, abs(uz))
                    if _uniform() < reflect:
                        uz = -uz
                    else:
                        if not going_down and layer == 0:  # leaves through the skin
                            alive = False
                            break
                        ratio = n[layer] / n_next
                        ux *= ratio
                        uy *= ratio
                        uz = cos_t if going_down else -cos_t
                        layer = layer + 1 if going_down else layer - 1
                if not alive:
                    break
                # collision: score, absorb, scatter
                mut = mua[layer] + mus[layer]
                if z < MAX_DEPTH_MM:
                    k = int((z + 0.5 * dz) / dz)
                    if k < nz:
                        score = w / mut
                        tally[0, k] += score
                        if n_prof > 0:
                            rho = math.sqrt(x * x + y * y)
                            for p in range(n_prof):
                                tally[1 + p, k] += score * _profile_value(edges[p], values[p], rho)
                w -= w * mua[layer] / mut
                gg = g[layer]
                if gg == 0.0:
                    cost = 2.0 * _uniform() - 1.0
                else:
                    tmp = (1.0 - gg * gg) / (1.0 - gg + 2.0 * gg * _uniform())
                    cost = (1.0 + gg * gg - tmp * tmp) / (2.0 * gg)
                    cost = min(1.0, max(-1.0, cost))
                sint = math.sqrt(1.0 - cost * cost)
                psi = 2.0 * math.pi * _uniform()
                cosp, sinp = math.cos(psi), math.sin(psi)
                if abs(uz) > 0.99999:
                    ux, uy, uz = sint * cosp, sint * sinp, cost * (1.0 if uz > 0 else -1.0)
                else:
                    temp = math.sqrt(1.0 - uz * uz)
                    nux = sint * (ux * uz * cosp - uy * sinp) / temp + ux * cost
                    nuy = sint * (uy * uz * cosp + ux * sinp) / temp + uy * cost
                    uz = -sint * cosp * temp + uz * cost
                    ux, uy = nux, nuy
                # weight window in depth
                w_t = math.exp(-c * min(z, WINDOW_DEPTH_MM))
                if w < ROULETTE_BELOW * w_t:
                    if _uniform() < w / w_t:
                        w = w_t
                    else:
                        alive = False
                elif w > SPLIT_ABOVE * w_t:
                    copies = min(int(w / w_t), MAX_SPLIT)
                    w /= copies
                    for _copy in range(copies - 1):
                        if top_of_stack >= STACK_SIZE:
                            overflow = True
                            break
                        stack[top_of_stack, 0] = x
                        stack[top_of_stack, 1] = y
                        stack[top_of_stack, 2] = z
                        stack[top_of_stack, 3] = ux
                        stack[top_of_stack, 4] = uy
                        stack[top_of_stack, 5] = uz
                        stack[top_of_stack, 6] = w
                        stack[top_of_stack, 7] = layer
                        top_of_stack += 1
    return tally, steps, overflow


@njit(parallel=True)
def _batches(seed: int, batches: int, photons: int, top: np.ndarray, bottom: np.ndarray, mua: np.ndarray,
             mus: np.ndarray, g: np.ndarray, n: np.ndarray, n_above: float, dz: float, nz: int, edges: np.ndarray,
             values: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out = np.zeros((batches, 1 + values.shape[0], nz))
    steps = np.zeros(batches, dtype=np.int64)
    overflow = np.zeros(batches, dtype=np.bool_)
    for b in prange(batches):
        tally, s, o = _batch(seed + b, photons, top, bottom, mua, mus, g, n, n_above, dz, nz, edges, values, c)
        out[b] = tally
        steps[b] = s
        overflow[b] = o
    return out, steps, overflow


def simulate_stack(layers: np.ndarray, n_above: float, profiles: list[tuple[np.ndarray, np.ndarray]], *,
                   batches: int, photons_per_batch: int, seed: int) -> dict[str, np.ndarray]:
    """Weight-window Monte Carlo of a pencil beam into `layers` (rows: thickness [mm] (inf last), μa, μs [1/mm], g,
    n). Returns z [mm] (bin centres), width [mm], and per tally (broad, then each profile) the mean φ/E_c and its
    standard error over batches."""
    thickness = layers[:, 0]
    top = np.r_[0.0, np.cumsum(thickness)[:-1]]
    bottom = np.cumsum(thickness)
    mua, mus, g, n = (np.ascontiguousarray(layers[:, i]) for i in range(1, 5))
    last = len(thickness) - 1
    mueff = math.sqrt(3.0 * mua[last] * (mua[last] + mus[last] * (1.0 - g[last])))
    nz = int(round(MAX_DEPTH_MM / DZ_MM)) + 1
    width = np.full(nz, DZ_MM)
    width[0] = 0.5 * DZ_MM
    z_centre = np.arange(nz) * DZ_MM
    z_centre[0] = 0.25 * DZ_MM
    rings = max((e.size for e, _ in profiles), default=1)
    edges = np.full((len(profiles), rings), np.inf)
    values = np.zeros((len(profiles), rings))
    for p, (e, v) in enumerate(profiles):
        edges[p, : e.size] = e
        values[p, : v.size] = v
    tallies, steps, overflow = _batches(seed, batches, photons_per_batch, top, bottom, mua, mus, g, n, n_above, DZ_MM,
                                        nz, edges, values, WINDOW_RATE_FACTOR * mueff)
    if overflow.any() or np.any(steps <= 0) or not np.all(np.isfinite(tallies)):
        raise RuntimeError("a batch failed (packet stack overflow or no collisions)")
    per_batch = tallies / (photons_per_batch * width)  # (batch, tally, z)
    return {"z": z_centre, "width": width, "mean": per_batch.mean(axis=0),
            "se": per_batch.std(axis=0, ddof=1) / math.sqrt(batches), "steps": np.asarray(steps.sum())}


def knee_problem(wavelength_nm: float, device: str, distance_mm: float, band: int) -> tuple[np.ndarray, np.ndarray,
                                                                                            np.ndarray]:
    """The knee's layers at `wavelength_nm` (rows thickness, μa, μs, g, n) and the device band's ring profile."""
    from lightdose.anatomy import sites
    from lightdose.devices.placement import Placement
    from lightdose.transport.skin_beam import skin_beam
    from lightdose.transport.stack_spec import stack_spec

    spec = stack_spec(sites.get(SITE), wavelength_nm)
    layers = np.array([[la.thickness_mm, la.mua, la.mus, la.g, la.n] for la in spec.layers])
    beam = skin_beam(Placement(device=device, distance=distance_mm))
    assert abs(float(beam.wavelength_nm[band]) - wavelength_nm) < 1e-9
    return layers, np.asarray(beam.profile_radius_mm, dtype=float), np.asarray(beam.profile[band], dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photons", type=int, default=PHOTONS_PER_BATCH, help="photons per batch")
    parser.add_argument("--batches", type=int, default=BATCHES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=None, help=f"default: {OUTPUT} (full run only)")
    args = parser.parse_args()
    write = args.output or (OUTPUT if (args.photons, args.batches) == (PHOTONS_PER_BATCH, BATCHES) else None)

    results = []
    for wavelength, device, distance, band in CASES:
        layers, edges, values = knee_problem(wavelength, device, distance, band)
        started = time.monotonic()
        run = simulate_stack(layers, 1.0, [(edges, values)], batches=args.batches, photons_per_batch=args.photons,
                             seed=args.seed)
        seconds = time.monotonic() - started
        results.append((wavelength, device, distance, layers, edges, values, run, seconds))
        print(f"{SITE} {wavelength:g} nm ({device}): {seconds:.0f} s, {int(run['steps']):.3g} collisions")
        for depth in (10, 20, 40, 60, 80, 100):
            k = int(depth / DZ_MM)
            print(f"  {depth:3d} mm  broad {run['mean'][0, k]:.4e} ± {run['se'][0, k] / run['mean'][0, k]:.1%}   "
                  f"{device} {run['mean'][1, k]:.4e} ± {run['se'][1, k] / run['mean'][1, k]:.1%}", flush=True)
    if write is None:
        return
    rings = max(r[4].size for r in results)
    n_layers = results[0][3].shape[0]
    profile_edges = np.full((len(results), rings), np.nan)
    profile_values = np.full((len(results), rings), np.nan)
    for i, r in enumerate(results):
        profile_edges[i, : r[4].size] = r[4]
        profile_values[i, : r[5].size] = r[5]
    ds = xr.Dataset(
        {
            "broad": (("case", "z"), np.array([r[6]["mean"][0] for r in results]),
                      {"units": "1", "long_name": "fluence rate per unit irradiance, infinitely broad beam"}),
            "broad_se": (("case", "z"), np.array([r[6]["se"][0] for r in results]), {"units": "1"}),
            "beam": (("case", "z"), np.array([r[6]["mean"][1] for r in results]),
                     {"units": "1", "long_name": "on-axis fluence rate per unit centre irradiance, device profile"}),
            "beam_se": (("case", "z"), np.array([r[6]["se"][1] for r in results]), {"units": "1"}),
            "bin_width": ("z", results[0][6]["width"], {"units": "mm"}),
            "layers": (("case", "layer", "property"), np.array([r[3] for r in results]),
                       {"long_name": "thickness [mm] (inf: semi-infinite), mua [1/mm], mus [1/mm], g, n"}),
            "profile_edge": (("case", "ring"), profile_edges, {"units": "mm", "long_name": "outer edge of the ring"}),
            "profile": (("case", "ring"), profile_values,
                        {"units": "1", "long_name": "ring irradiance / centre irradiance (NaN: no ring)"}),
            "seconds": ("case", np.array([r[7] for r in results]), {"units": "s"}),
        },
        coords={
            "z": ("z", results[0][6]["z"], {"units": "mm", "long_name": "depth bin centre"}),
            "wavelength": ("case", np.array([r[0] for r in results]), {"units": "nm"}),
            "device": ("case", np.array([r[1] for r in results], dtype=str)),
            "distance": ("case", np.array([r[2] for r in results]), {"units": "mm"}),
            "property": ("property", np.array(["thickness", "mua", "mus", "g", "n"], dtype=str)),
            "layer": ("layer", np.arange(n_layers)),
        },
        attrs={"site": SITE, "n_above": 1.0, "seed": args.seed, "batches": args.batches,
               "photons_per_batch": args.photons, "dz_mm": DZ_MM, "window_rate_factor": WINDOW_RATE_FACTOR,
               "split_above": SPLIT_ABOVE, "roulette_below": ROULETTE_BELOW,
               "generator": "tools/deep_tail_reference.py (independent weight-window Monte Carlo)",
               "command": ".venv/bin/python tools/deep_tail_reference.py"},
    )
    ds.to_netcdf(write, engine="scipy")
    print(f"wrote {write}")


if __name__ == "__main__":
    main()
