"""The deep tail of the fast (δ-P1) solver to 100 mm: against an independent Monte Carlo, and its slope against
μeff of the deepest layer.

Reference: ``tests/data/mc_deep_tail_knee.nc``, written by ``tools/deep_tail_reference.py`` (seed 20260517, 128
batches × 200 photons per case; the command is in the file's attributes). That script is a Monte Carlo that shares no
code with ``lightdose.transport.mc`` (MCML physics, collision estimator of the fluence, on-axis weighting of the
device's ring profile per collision) with an unbiased variance reduction, a weight window in depth that splits
packets as they go deeper and plays roulette with them as they come back up (Booth 1985, LA-10363-MS): plain Monte
Carlo would need ~10⁹ photons for one to reach 100 mm in muscle. The cases: the knee preset (default person) with
panel-660-850 at 15 cm (660 and 850 nm) and probe-810 in contact (810 nm), each also scored for an infinitely broad
beam. The file stores the layers' optical properties and the ring profiles it used, so the fast solver is checked on
exactly that problem even after the optics or device presets change (the numbers in docs/dose.md are those of the
day the file was made).

Acceptance: |fast/MC − 1| ≤ 10 % + 3 standard errors of the reference, at 10, 20, 40, 60, 80 and 100 mm, wherever the
reference's relative standard error is below 25 % (all of them in the stored file: 1.1–5.7 %; see docs/dose.md, "How
deep does it go"). Deep in the last, semi-infinite layer the fast solver's log-slope is μeff = √(3μa(μa + μs′)) to
0.5 % (exact for diffusion), and the Monte Carlo's is within 3 standard errors + 1.5 % of it: transport theory's
asymptotic decay rate differs from the diffusion μeff by a term of order μa/μs′ (Case & Zweifel 1967), here ~0.015;
the reference's slopes lie 0.2–0.4 % below μeff.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from lightdose.anatomy import sites
from lightdose.devices.placement import Placement
from lightdose.transport.diffusion import effective_reflection_coefficient, solve_broad_beam, solve_ring_beam
from lightdose.transport.dose import fluence_rate_on_axis
from lightdose.transport.layers import Layer, LayerStackSpec
from lightdose.transport.mc import Grid, UniformBeam, simulate
from lightdose.transport.skin_beam import skin_beam
from lightdose.transport.stack_spec import stack_spec

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = xr.open_dataset(ROOT / "tests" / "data" / "mc_deep_tail_knee.nc", engine="scipy").load()
DEPTHS_MM = (10, 20, 40, 60, 80, 100)
TOLERANCE = 0.10
"""Allowed |fast/MC − 1| before the reference's standard errors are added (the fast solver's stated accuracy for
broad beams, docs/dose.md; on this reference the worst is 9 %, the probe at 80 mm, 1.9 SE)."""
N_SE = 3.0
ADEQUATE_SE = 0.25
"""Depths where the reference's relative standard error exceeds this are not compared (too few packets there)."""
SOLVE_DEPTH_MM = 250.0
"""The fast solver's grid reaches this deep here: far below 100 mm, so its bottom boundary does not bend the tail."""
CASES = [int(i) for i in REFERENCE.case.values]


def _spec(case: int) -> LayerStackSpec:
    rows = REFERENCE.layers.isel(case=case).values
    layers = tuple(Layer(thickness_mm=float(t), mua=float(a), mus=float(s), g=float(g), n=float(n))
                   for t, a, s, g, n in rows)
    return LayerStackSpec(layers, n_above=float(REFERENCE.attrs["n_above"]), n_below=layers[-1].n)


def _profile(case: int) -> tuple[np.ndarray, np.ndarray]:
    edges = REFERENCE.profile_edge.isel(case=case).values
    values = REFERENCE.profile.isel(case=case).values
    keep = np.isfinite(edges)
    return edges[keep], values[keep]


def _fast(case: int, kind: str) -> np.ndarray:
    """Fast φ/E_c averaged over each reference depth bin (11 points per bin)."""
    spec = _spec(case)
    if kind == "broad":
        profile = solve_broad_beam(spec, depth_mm=SOLVE_DEPTH_MM)
    else:
        profile = solve_ring_beam(spec, *_profile(case), depth_mm=SOLVE_DEPTH_MM)
    z, width = REFERENCE.z.values, REFERENCE.bin_width.values
    low = np.where(z - 0.5 * width < 0, 0.0, z - 0.5 * width)
    points = low[:, None] + width[:, None] * (np.arange(11) + 0.5)[None, :] / 11
    return np.asarray(profile.at(points).mean(axis=1))


def _label(case: int) -> str:
    ref = REFERENCE.isel(case=case)
    return f"{REFERENCE.attrs['site']} {float(ref.wavelength):g} nm {ref.device.item()}"


def deep_tail_rows() -> list[tuple[str, str, int, float, float, float, float]]:
    """(case, tally, depth, fast, MC, MC standard error, fast/MC) at the compared depths: the table of docs/dose.md."""
    rows = []
    for case in CASES:
        for kind in ("broad", "beam"):
            fast = _fast(case, kind)
            mc = REFERENCE[kind].isel(case=case).values
            se = REFERENCE[f"{kind}_se"].isel(case=case).values
            for depth in DEPTHS_MM:
                k = int(np.argmin(np.abs(REFERENCE.z.values - depth)))
                rows.append((_label(case), kind, depth, float(fast[k]), float(mc[k]), float(se[k]),
                             float(fast[k] / mc[k])))
    return rows


@pytest.mark.parametrize("kind", ["broad", "beam"])
@pytest.mark.parametrize("case", CASES, ids=[_label(c).replace(" ", "-") for c in CASES])
def test_fast_solver_matches_the_independent_monte_carlo_to_100_mm(case, kind):
    fast = _fast(case, kind)
    mc = REFERENCE[kind].isel(case=case).values
    se = REFERENCE[f"{kind}_se"].isel(case=case).values
    compared = 0
    for depth in DEPTHS_MM:
        k = int(np.argmin(np.abs(REFERENCE.z.values - depth)))
        rel_se = se[k] / mc[k]
        if not rel_se < ADEQUATE_SE:
            continue
        compared += 1
        ratio = fast[k] / mc[k]
        assert abs(ratio - 1.0) <= TOLERANCE + N_SE * rel_se, (
            f"{_label(case)} {kind}: fast/MC = {ratio:.3f} at {depth} mm (MC SE {rel_se:.1%})")
    assert compared >= 5, f"{_label(case)} {kind}: only {compared} depths with adequate statistics"


def _fit_slope(z: np.ndarray, phi: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted least-squares slope of ln φ versus z, and its standard error."""
    y, sigma = np.log(phi), se / phi
    w = 1.0 / sigma**2
    zm = np.sum(w * z) / np.sum(w)
    slope = np.sum(w * (z - zm) * y) / np.sum(w * (z - zm) ** 2)
    return float(slope), float(1.0 / math.sqrt(np.sum(w * (z - zm) ** 2)))


def _mueff(layer: Layer) -> float:
    return math.sqrt(3.0 * layer.mua * (layer.mua + layer.mus * (1.0 - layer.g)))


@pytest.mark.parametrize("case", CASES, ids=[_label(c).replace(" ", "-") for c in CASES])
def test_deep_slopes_are_mueff_of_the_last_layer(case):
    """Broad beam, 40–100 mm (in the last layer, ≥ 29 mm below its top): the fast solver falls as exp(−μeff z) to
    0.5 %; the Monte Carlo within 3 SE + 1.5 %."""
    spec = _spec(case)
    rate = _mueff(spec.layers[-1])
    fast = solve_broad_beam(spec, depth_mm=SOLVE_DEPTH_MM)
    fast_slope = -math.log(float(fast.at(100.0)) / float(fast.at(60.0))) / 40.0
    assert fast_slope == pytest.approx(rate, rel=0.005)
    z = REFERENCE.z.values
    deep = (z >= 40.0) & (z <= 100.0)
    mc = REFERENCE.broad.isel(case=case).values[deep]
    se = REFERENCE.broad_se.isel(case=case).values[deep]
    slope, slope_se = _fit_slope(z[deep], mc, se)
    assert abs(-slope - rate) <= N_SE * slope_se + 0.015 * rate, (
        f"{_label(case)}: MC slope {-slope:.4f} ± {slope_se:.4f} /mm, μeff {rate:.4f} /mm")


def closed_form(mua: float, mus: float, g: float, n: float, z: np.ndarray) -> np.ndarray:
    """δ-P1 broad-beam φ/E0 in a homogeneous half-space under air (Carp, Prahl & Venugopalan 2004, eqs. for the
    partial-current boundary; as in test_diffusion_closed_form.py)."""
    e0 = 1.0 - ((n - 1.0) / (n + 1.0)) ** 2
    mus_star, g_star = mus * (1 - g**2), g / (1 + g)
    mut_star = mua + mus_star
    d = 1.0 / (3 * (mua + mus * (1 - g)))
    rate = math.sqrt(mua / d)
    r_eff = effective_reflection_coefficient(n, 1.0)
    big_a = (1 + r_eff) / (1 - r_eff)
    c = mus_star * e0 * (1 + 3 * d * g_star * mut_star) / (mua - d * mut_star**2)
    b = -(c * (1 / (2 * big_a) + d * mut_star) + 3 * d * g_star * mus_star * e0) / (d * rate + 1 / (2 * big_a))
    return np.asarray((c + e0) * np.exp(-mut_star * z) + b * np.exp(-rate * z))


@pytest.mark.parametrize(("mua", "mus", "g", "n"), [(0.016, 13.6, 0.93, 1.376), (0.0126, 14.5, 0.93, 1.376),
                                                    (0.03, 10.0, 0.9, 1.4)])
def test_homogeneous_half_space_follows_the_closed_form_to_100_mm(mua, mus, g, n):
    """δ-P1 in a homogeneous half-space is (C + E)e^(−μt* z) + B·e^(−μeff z) (Carp, Prahl & Venugopalan 2004): the
    finite-volume solution follows it to 100 mm (where it is 10⁻⁹–10⁻¹⁵ of the surface value) within 0.5 %."""
    spec = LayerStackSpec((Layer(thickness_mm=math.inf, mua=mua, mus=mus, g=g, n=n),))
    z = np.array(DEPTHS_MM, dtype=float)
    np.testing.assert_allclose(solve_broad_beam(spec, depth_mm=SOLVE_DEPTH_MM).at(z),
                               closed_form(mua, mus, g, n, z), rtol=5e-3)


def test_the_fast_profile_is_solved_deep_enough_for_its_tail():
    """The fast profile of depth-dose and penetration (`fluence_rate_on_axis`: the grid reaches 100 mm + 8/μeff) equals
    the solution on a 400 mm grid at 10–100 mm (before, the grid ended at 69–83 mm on the knee: the profile was flat
    below and bent down above)."""
    stack = sites.get("knee")
    beam = skin_beam(Placement(device="panel-660-850", distance=150.0))
    z = np.array(DEPTHS_MM, dtype=float)
    ours = fluence_rate_on_axis(stack, beam, z)[0]
    for b, wavelength in enumerate(beam.wavelength_nm):
        deep = solve_ring_beam(stack_spec(stack, float(wavelength)), beam.profile_radius_mm, beam.profile[b],
                               depth_mm=400.0).at(z) * beam.centre_irradiance[b]
        np.testing.assert_allclose(ours[b], deep, rtol=1e-4)


def _load_generator():
    spec = importlib.util.spec_from_file_location("deep_tail_reference", ROOT / "tools" / "deep_tail_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_two_monte_carlo_codes_agree_where_plain_monte_carlo_reaches():
    """The reference's code path against lightdose.transport.mc (plain MCML-style, no variance reduction), broad beam
    on the knee at 850 nm, at 5, 15, 20 and 25 mm (away from the interfaces at 7.6 and 10.6 mm, where MCML's A/μa
    per bin is biased): within 4 combined standard errors."""
    case = int(np.flatnonzero(REFERENCE.wavelength.values == 850.0)[0])
    spec = _spec(case)
    plain = simulate(spec, UniformBeam(), photons=40_000, seed=5, grid=Grid(dz_mm=0.5, nz=61, nr=1, na=1))
    # pairs of 0.5 mm bins [k − 0.5, k + 0.5) match the reference's 1 mm bins centred on k
    phi = plain.fluence_z.values
    se = plain.fluence_z_se.values
    for depth in (5, 15, 20, 25):
        mean = 0.5 * (phi[2 * depth - 1] + phi[2 * depth])
        mean_se = 0.5 * math.hypot(se[2 * depth - 1], se[2 * depth])
        ref = float(REFERENCE.broad.isel(case=case).sel(z=depth))
        ref_se = float(REFERENCE.broad_se.isel(case=case).sel(z=depth))
        assert abs(mean - ref) <= 4.0 * math.hypot(mean_se, ref_se), (depth, mean, mean_se, ref, ref_se)


@pytest.mark.slow
def test_the_reference_file_still_matches_its_generator():
    """A short fresh run of tools/deep_tail_reference.py (another seed) reproduces the stored 850 nm panel case within
    4 combined standard errors at 10–100 mm."""
    generator = _load_generator()
    case = int(np.flatnonzero(REFERENCE.wavelength.values == 850.0)[0])
    layers = REFERENCE.layers.isel(case=case).values
    run = generator.simulate_stack(layers, float(REFERENCE.attrs["n_above"]), [_profile(case)], batches=8,
                                   photons_per_batch=40, seed=4242)
    for depth in DEPTHS_MM:
        k = int(np.argmin(np.abs(run["z"] - depth)))
        for tally, row in (("broad", 0), ("beam", 1)):
            ref = float(REFERENCE[tally].isel(case=case, z=k))
            ref_se = float(REFERENCE[f"{tally}_se"].isel(case=case, z=k))
            fresh, fresh_se = run["mean"][row, k], run["se"][row, k]
            assert abs(fresh - ref) <= 4.0 * math.hypot(fresh_se, ref_se), (tally, depth, fresh, fresh_se, ref)
