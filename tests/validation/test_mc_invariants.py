"""Invariants of the layered Monte Carlo: conservation without normalisation, layer splitting, reproducibility,
finite beams, Ctrl-C and the step bound."""

import math
import os
import runpy
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lightdose.errors import InputError
from lightdose.transport.mc import (
    CASES,
    FlatTopBeam,
    GaussianBeam,
    Grid,
    Layer,
    LayerStackSpec,
    PencilBeam,
    UniformBeam,
    simulate,
)

_report = runpy.run_path(str(Path(__file__).with_name("_mc_report.py")))
K, scored_weight_deviation = _report["K"], _report["scored_weight_deviation"]

GARDNER = CASES["gardner"].stack
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
    "low albedo, every packet ends in roulette": (
        LayerStackSpec((Layer(math.inf, 1.0, 1.0, 0.0, 1.4),)), PencilBeam()),
}


@pytest.mark.parametrize("name", list(CONSERVATION_CASES))
def test_raw_scored_weight_equals_launched_weight(name):
    """The weight scored per launched packet, before any normalisation, is 1 - Rsp within K standard errors: a kernel
    that loses or creates weight anywhere (in a tally, at an interface, in roulette) fails here."""
    stack, source = CONSERVATION_CASES[name]
    ds = simulate(stack, source, photons=100_000, seed=3, grid=SMALL)
    difference, deviation = scored_weight_deviation(ds)
    assert deviation <= K, f"scored weight off 1 - Rsp by {difference:.3g} ({deviation:.1f} SE)"
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


def _interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_ctrl_c_returns_partial_result_that_conserves_weight():
    """Ctrl-C once the first batch (16 chunks of 20 000) has finished: the finished batches come back, flagged."""
    sent = []

    def interrupt_in_second_batch(done: int, total: int | None) -> None:
        if done > 16 * 20_000 and not sent:
            sent.append(done)
            os.kill(os.getpid(), signal.SIGINT)

    ds = simulate(GARDNER, photons=10**9, seed=1, grid=SMALL, progress=interrupt_in_second_batch)
    assert sent
    assert ds.attrs["partial"] == 1
    assert ds.attrs["photons"] % (16 * 20_000) == 0 and 0 < ds.attrs["photons"] < 10**9
    assert scored_weight_deviation(ds)[1] <= K


def test_ctrl_c_stops_a_batch_within_a_packet():
    """Packets that take ~10^6 steps each (almost no absorption) in chunks of 20 000: Ctrl-C must not wait for the
    chunks (minutes); the batch is abandoned and, as none had finished, KeyboardInterrupt says there is no result."""
    slow = LayerStackSpec((Layer(math.inf, 1e-5, 10.0, 0.9, 1.0),))
    simulate(slow, photons=1, grid=SMALL)
    timer = _interrupt_after(0.5)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            simulate(slow, photons=10**9, seed=1, grid=SMALL)
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 10.0  # one packet or 65 536 steps after the signal, not a whole chunk


def test_thick_layer_without_absorption_is_refused_not_run_forever():
    thick = LayerStackSpec((Layer(1e7, 0.0, 10.0, 0.99, 1.4),), names=("gel",))
    with pytest.raises(InputError, match="gel scatters without absorbing") as info:
        simulate(thick, photons=2000, seed=1, grid=SMALL)
    assert info.value.field == "layers"


def test_wall_time_bound_without_photon_count():
    ds = simulate(GARDNER, photons=None, max_seconds=0.2, seed=1, grid=SMALL)
    assert ds.attrs["partial"] == 0
    assert ds.attrs["photons"] > 0 and ds.attrs["photons"] % 2000 == 0
    assert "photons_requested" not in ds.attrs
