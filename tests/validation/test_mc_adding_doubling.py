"""Layered Monte Carlo against adding-doubling (Prahl's iadpython) for single homogeneous slabs.

iadpython (Prahl 1995, in Optical-Thermal Response of Laser-Irradiated Tissue, ch. 5) gives, for a
collimated beam at normal incidence, UR1 = total reflection (specular included) and UT1 = total
transmission (unscattered included). The like-for-like Monte Carlo quantities are Rsp + Rd and Tt.
Tolerance: 1 % relative (adding-doubling discretisation with 16 quadrature points) plus 4 standard errors.
"""

import itertools
import runpy
from pathlib import Path

import iadpython
import pytest

from lightdose.transport.mc import Grid, Layer, LayerStackSpec, simulate

record = runpy.run_path(str(Path(__file__).with_name("_mc_report.py")))["record"]

GRID = Grid(dz_mm=0.1, dr_mm=0.1, nz=10, nr=10, na=5)
THICKNESS_MM = 1.0
CASES = list(itertools.product((0.5, 0.9, 0.99), (0.5, 2.0, 8.0), (0.0, 0.75, 0.9), (1.0, 1.4)))


@pytest.mark.parametrize(("albedo", "tau", "g", "n"), CASES)
def test_single_slab_matches_adding_doubling(albedo, tau, g, n):
    sample = iadpython.Sample(a=albedo, b=tau, g=g, d=THICKNESS_MM, n=n, n_above=1.0, n_below=1.0,
                              quad_pts=16)
    ur1, ut1, _, _ = sample.rt()
    mut = tau / THICKNESS_MM
    stack = LayerStackSpec((Layer(THICKNESS_MM, mua=mut * (1 - albedo), mus=mut * albedo, g=g, n=n),))
    ds = simulate(stack, photons=40_000, seed=21, grid=GRID)
    r_mc = float(ds.rsp + ds.rd)
    t_mc = float(ds.tt)
    case = "Adding-doubling grid (single slab, 1 mm, air above and below)"
    source = "iadpython 0.5 (Prahl), quad_pts 16: UR1 vs Rsp + Rd, UT1 vs Tt"
    label = f"a={albedo} tau={tau} g={g} n={n}"
    record(case, source, f"{label}: R", f"{ur1:.5f}", r_mc, float(ds.rd_se), "1 % + 4 SE")
    record(case, source, f"{label}: T", f"{ut1:.5f}", t_mc, float(ds.tt_se), "1 % + 4 SE")
    assert abs(r_mc - ur1) <= 0.01 * ur1 + 4 * float(ds.rd_se), (r_mc, ur1, float(ds.rd_se))
    assert abs(t_mc - ut1) <= 0.01 * ut1 + 4 * float(ds.tt_se), (t_mc, ut1, float(ds.tt_se))
