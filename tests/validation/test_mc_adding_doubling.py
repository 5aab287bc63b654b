"""Layered Monte Carlo against adding-doubling (Prahl's iadpython) for single homogeneous slabs.

iadpython (Prahl 1995, in Optical-Thermal Response of Laser-Irradiated Tissue, ch. 5) gives, for a collimated beam at
normal incidence, UR1 = total reflection (specular included) and UT1 = total transmission (unscattered included). The
like-for-like Monte Carlo quantities are Rsp + Rd and Tt.

Adding-doubling's error comes from its angular quadrature and is not stated, so the reference for each slab is the
interval between its results with 16 and with 32 quadrature points (the two settings that are reliable; it goes wrong
at 64): our value must lie within K standard errors of that interval (K from the false-alarm rate in _mc_report.py).
The 1.4-index slabs at high albedo and anisotropy, where the interval is narrowest, are what catch errors in the
kernel's Fresnel reflection.
"""

import itertools
import runpy
from pathlib import Path

import iadpython
import pytest

from lightdose.transport.mc import Grid, Layer, LayerStackSpec, Reference, simulate

_report = runpy.run_path(str(Path(__file__).with_name("_mc_report.py")))
K, record = _report["K"], _report["record"]

GRID = Grid(dz_mm=0.1, dr_mm=0.1, nz=10, nr=10, na=5)
THICKNESS_MM = 1.0
PHOTONS = 100_000
CASES = list(itertools.product((0.5, 0.9, 0.99), (0.5, 2.0, 8.0), (0.0, 0.75, 0.9), (1.0, 1.4)))
SOURCE = "iadpython (Prahl), interval between quad_pts 16 and 32: UR1 vs Rsp + Rd, UT1 vs Tt"


def adding_doubling(albedo: float, tau: float, g: float, n: float) -> tuple[Reference, Reference]:
    """The adding-doubling references for total reflection and transmission of one slab in air."""
    results = [iadpython.Sample(a=albedo, b=tau, g=g, d=THICKNESS_MM, n=n, n_above=1.0, n_below=1.0,
                                quad_pts=q).rt()[:2] for q in (16, 32)]
    refs = []
    for quantity, values in (("rsp + rd", [r[0] for r in results]), ("tt", [r[1] for r in results])):
        low, high = float(min(values)), float(max(values))
        refs.append(Reference(quantity, (low + high) / 2.0, (high - low) / 2.0, SOURCE, "independent code"))
    return refs[0], refs[1]


@pytest.mark.parametrize(("albedo", "tau", "g", "n"), CASES)
def test_single_slab_matches_adding_doubling(albedo, tau, g, n):
    mut = tau / THICKNESS_MM
    stack = LayerStackSpec((Layer(THICKNESS_MM, mua=mut * (1 - albedo), mus=mut * albedo, g=g, n=n),))
    ds = simulate(stack, photons=PHOTONS, seed=21, grid=GRID)
    case = f"Adding-doubling grid (single slab, 1 mm, air above and below, {PHOTONS:.0e} photons each)"
    label = f"a={albedo} tau={tau} g={g} n={n}"
    failures = []
    for ref, name in zip(adding_doubling(albedo, tau, g, n), ("R", "T"), strict=True):
        value, se = ref.measured(ds)
        deviation = ref.deviation(value, se, PHOTONS)
        record(case, SOURCE, f"{label}: {name}", f"{ref.value - ref.half_width:.5f}–{ref.value + ref.half_width:.5f}",
               value, se, deviation)
        if deviation > K:
            failures.append(f"{name} {value:.5f} ± {se:.5f} vs {ref.value:.5f} ± {ref.half_width:.5f}: "
                            f"{deviation:.1f} SE")
    assert not failures, "; ".join(failures)
