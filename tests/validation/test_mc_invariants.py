"""Invariants of the layered Monte Carlo: conservation, layer splitting, reproducibility, finite beams."""

import math
import os
import signal
import threading

import numpy as np
import pytest

from lightdose.transport.mc import (
    FlatTopBeam,
    GaussianBeam,
    Grid,
    Layer,
    LayerStackSpec,
    PencilBeam,
    UniformBeam,
    simulate,
)

GARDNER = LayerStackSpec(
    (Layer(1.0, 0.1, 10.0, 0.9, 1.37), Layer(1.0, 0.1, 1.0, 0.0, 1.37), Layer(2.0, 0.2, 1.0, 0.7, 1.37)),
)
SMALL = Grid(dz_mm=0.1, dr_mm=0.1, nz=40, nr=40, na=10)

CONSERVATION_CASES = {
    "gardner": (GARDNER, PencilBeam()),
    "mismatched, high albedo (much roulette)": (
        LayerStackSpec((Layer(2.0, 0.001, 10.0, 0.8, 1.5),), n_above=1.0, n_below=1.33), UniformBeam()),
    "glass on tissue (clear first layer)": (
        LayerStackSpec((Layer(0.5, 0.0, 0.0, 0.0, 1.5), Layer(math.inf, 0.05, 5.0, 0.9, 1.4))),
        GaussianBeam(0.5)),
    "denser below, flat-top": (
        LayerStackSpec((Layer(0.1, 0.5, 20.0, 0.9, 1.33), Layer(0.5, 0.02, 2.0, 0.0, 1.6))), FlatTopBeam(1.0)),
}


@pytest.mark.parametrize("name", list(CONSERVATION_CASES))
def test_scored_weight_is_conserved(name):
    stack, source = CONSERVATION_CASES[name]
    ds = simulate(stack, source, photons=20_000, seed=3, grid=SMALL)
    total = float(ds.rsp + ds.rd + ds.a + ds.tt)
    assert abs(total - 1.0) < 1e-9
    assert float(ds.a_layer.sum()) == pytest.approx(float(ds.a), abs=1e-12)
    for name_ in ("rd", "a", "tt"):
        assert 0.0 <= float(ds[name_]) <= 1.0


def _split(stack: LayerStackSpec, parts: dict[int, int]) -> LayerStackSpec:
    layers = []
    for i, layer in enumerate(stack.layers):
        k = parts.get(i, 1)
        layers += [Layer(layer.thickness_mm / k, layer.mua, layer.mus, layer.g, layer.n)] * k
    return LayerStackSpec(tuple(layers), stack.n_above, stack.n_below)


def test_splitting_a_layer_into_identical_sublayers_changes_nothing_beyond_noise():
    grid = Grid(dz_mm=0.1, dr_mm=0.1, nz=40, nr=20, na=10)
    whole = simulate(GARDNER, photons=300_000, seed=5, grid=grid)
    split = simulate(_split(GARDNER, {0: 2, 2: 4}), photons=300_000, seed=6, grid=grid)
    for key in ("rd", "tt", "a"):
        diff = float(whole[key] - split[key])
        se = math.hypot(float(whole[f"{key}_se"]), float(split[f"{key}_se"]))
        assert abs(diff) <= 4 * se, (key, diff, se)
    merged = split.a_layer.values
    merged = np.array([merged[0:2].sum(), merged[2], merged[3:7].sum()])
    merged_se = split.a_layer_se.values
    merged_se = np.array([np.hypot(*merged_se[0:2]), merged_se[2], np.sqrt((merged_se[3:7] ** 2).sum())])
    assert np.all(np.abs(whole.a_layer.values - merged) <= 4 * np.hypot(whole.a_layer_se.values, merged_se))
    z_ok = (whole.a_z - split.a_z) / np.hypot(whole.a_z_se, split.a_z_se)
    assert float(np.abs(z_ok).max()) < 5.0  # 40 depth bins: 5 SE is a p ~ 2e-5 bound per run


def test_same_seed_gives_identical_output_regardless_of_threads():
    a = simulate(GARDNER, photons=30_000, seed=9, grid=SMALL, threads=1)
    b = simulate(GARDNER, photons=30_000, seed=9, grid=SMALL, threads=2 if os.cpu_count() > 1 else 1)
    c = simulate(GARDNER, photons=30_000, seed=10, grid=SMALL)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert float(a.rd) != float(c.rd)


@pytest.mark.parametrize("beam", [FlatTopBeam, GaussianBeam])
def test_finite_beam_sampled_equals_convolved(beam):
    stack = LayerStackSpec((Layer(1.0, 0.1, 10.0, 0.9, 1.4), Layer(2.0, 0.05, 5.0, 0.8, 1.4)))
    grid = Grid(dz_mm=0.1, dr_mm=0.05, nz=30, nr=80, na=5)
    sampled = simulate(stack, beam(0.75, method="sample"), photons=200_000, seed=31, grid=grid)
    convolved = simulate(stack, beam(0.75, method="convolve"), photons=200_000, seed=32, grid=grid)
    assert convolved.attrs["source_method"] == "convolve"
    inside = sampled.r < 2.0  # stay clear of the grid edge, where the pencil's escaped weight is missing
    for name in ("rd_r", "tt_r"):
        diff = (sampled[name] - convolved[name])[inside]
        se = np.hypot(sampled[f"{name}_se"], convolved[f"{name}_se"])[inside]
        # 40 bins: 5 SE (p ~ 2e-5 per run) plus 0.5 % for the quadrature of the convolution
        excess = np.abs(diff) - (5.0 * se + 0.005 * np.abs(sampled[name][inside]))
        assert float(excess.max()) <= 0.0, (name, float(excess.max()))
    # depth profiles do not depend on the beam shape: the sampled beam's A(z) equals the pencil's
    z = np.abs(sampled.a_z - convolved.a_z) / np.hypot(sampled.a_z_se, convolved.a_z_se)
    assert float(z.max()) < 5.0


def test_ctrl_c_returns_partial_result():
    timer = threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        ds = simulate(GARDNER, photons=10**9, seed=1, grid=SMALL)
    finally:
        timer.cancel()
    assert ds.attrs["partial"] == 1
    assert 0 < ds.attrs["photons"] < 10**9
    assert abs(float(ds.rsp + ds.rd + ds.a + ds.tt) - 1.0) < 1e-9


def test_wall_time_bound_without_photon_count():
    ds = simulate(GARDNER, photons=None, max_seconds=0.2, seed=1, grid=SMALL)
    assert ds.attrs["partial"] == 0
    assert ds.attrs["photons"] > 0 and ds.attrs["photons"] % 2000 == 0
