"""Layered Monte Carlo against the published references of SCIENCE.md section 3 (cases 1-3).

Tolerance: 4 standard errors (from batch statistics) plus 0.5 % of the reference value, measured from the
nearest end of a reference range. References:
1. matched slab: van de Hulst 1980 (Multiple Light Scattering), as tabulated in the MCML manual
   (Wang & Jacques 1992; Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131);
2. semi-infinite n = 1.5: Giovanelli 1955, Opt. Acta 2:153 (total reflectance 0.2600);
3. three layers: Gardner & Welch 1992 (Appl. Opt. 31:1080), ranges quoted in the MCML manual.
"""

import math
import runpy
from pathlib import Path

import pytest

from lightdose.transport.mc import Grid, Layer, LayerStackSpec, simulate

record = runpy.run_path(str(Path(__file__).with_name("_mc_report.py")))["record"]

CASE1, CASE2, CASE3 = (
    "Case 1: matched slab", "Case 2: semi-infinite, n = 1.5", "Case 3: Gardner three layers")
GRID = Grid(dz_mm=0.1, dr_mm=0.1, nz=50, nr=50, na=10)
CM = 10.0  # mm per cm


def layer_cm(n, mua_cm, mus_cm, g, d_cm):
    """A layer from MCML-style numbers (1/cm, cm)."""
    return Layer(thickness_mm=d_cm * CM, mua=mua_cm / CM, mus=mus_cm / CM, g=g, n=n)


SOURCES = {
    "Case 1: matched slab": "van de Hulst 1980, tabulated in the MCML manual (Wang & Jacques 1992)",
    "Case 2: semi-infinite, n = 1.5": "Giovanelli 1955, Opt. Acta 2:153 (Rsp + Rd = 0.2600)",
    "Case 3: Gardner three layers": "Gardner & Welch 1992, ranges quoted in the MCML manual",
}


def assert_within(case, quantity, value, se, low, high=None):
    """value within [low, high] widened by 4 SE + 0.5 % of the reference."""
    high = low if high is None else high
    tol = 4.0 * se + 0.005 * max(abs(low), abs(high))
    ref = f"{low}" if low == high else f"{low}-{high}"
    record(case, SOURCES[case], quantity, ref, value, se, "4 SE + 0.5 %")
    assert low - tol <= value <= high + tol, f"{value:.5f} +- {se:.5f} vs [{low}, {high}] (tol {tol:.5f})"


def test_case1_matched_slab():
    stack = LayerStackSpec((layer_cm(1.0, 10, 90, 0.75, 0.02),), n_above=1.0, n_below=1.0)
    ds = simulate(stack, photons=300_000, seed=11, grid=GRID)
    assert float(ds.rsp) == 0.0
    assert_within(CASE1, "Rd", float(ds.rd), float(ds.rd_se), 0.09739)
    assert_within(CASE1, "Tt", float(ds.tt), float(ds.tt_se), 0.66096)
    assert_within(CASE1, "A", float(ds.a), float(ds.a_se), 0.24165)


def test_case2_semi_infinite_n15():
    stack = LayerStackSpec((layer_cm(1.5, 10, 90, 0.0, math.inf),), n_above=1.0, n_below=1.0)
    ds = simulate(stack, photons=300_000, seed=12, grid=GRID)
    assert float(ds.rsp) == pytest.approx(0.04, abs=1e-15)  # ((1.5 - 1)/(1.5 + 1))^2, exactly
    record(CASE2, SOURCES[CASE2], "Rsp", "0.04 (Fresnel)", float(ds.rsp), 0.0, "1e-15")
    assert float(ds.tt) == 0.0
    assert_within(CASE2, "Rd", float(ds.rd), float(ds.rd_se), 0.2600 - 0.04)
    assert_within(CASE2, "Rsp + Rd", float(ds.rsp + ds.rd), float(ds.rd_se), 0.2600)


def test_case3_gardner_three_layers():
    stack = LayerStackSpec(
        (layer_cm(1.37, 1, 100, 0.9, 0.1), layer_cm(1.37, 1, 10, 0.0, 0.1), layer_cm(1.37, 2, 10, 0.7, 0.2)),
        n_above=1.0, n_below=1.0,
    )
    ds = simulate(stack, photons=1_000_000, seed=13, grid=GRID)
    assert float(ds.rsp) == pytest.approx(0.02437, abs=5e-6)
    record(CASE3, SOURCES[CASE3], "Rsp", "0.02437", float(ds.rsp), 0.0, "5e-6")
    assert_within(CASE3, "Rd", float(ds.rd), float(ds.rd_se), 0.2375, 0.2381)
    assert_within(CASE3, "Tt", float(ds.tt), float(ds.tt_se), 0.0965, 0.0974)
