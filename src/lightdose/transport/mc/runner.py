"""Running a simulation: batching, threads, progress, wall-time bound and Ctrl-C.

Photons are split into chunks of a size that depends only on the requested photon count; each chunk draws
from its own xoshiro256** stream seeded from (seed, chunk index) with splitmix64 (Steele, Lea & Flood 2014,
OOPSLA), and chunk tallies are reduced in chunk order. The result therefore depends on the seed and the
photon count only -- not on the thread count or on scheduling.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.errors import InputError
from lightdose.transport.layers import LayerStackSpec, specular_reflectance
from lightdose.transport.mc.convolve import convolve_dataset
from lightdose.transport.mc.kernel import run_batch
from lightdose.transport.mc.result import build_dataset
from lightdose.transport.mc.sources import (
    FlatTopBeam,
    GaussianBeam,
    Grid,
    PencilBeam,
    Source,
    UniformBeam,
    kernel_source,
)
from lightdose.transport.mc.tallies import Accumulator, chunk_quantities

CHUNKS_PER_BATCH = 16
_TIME_BOUND_CHUNK = 2000
_MASK64 = (1 << 64) - 1


def _splitmix64(x: int) -> tuple[int, int]:
    """One splitmix64 step: (new state, output)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x, z ^ (z >> 31)


def chunk_state(seed: int, chunk: int) -> np.ndarray:
    """The 4-word xoshiro256** state for chunk number `chunk` of a run with `seed`."""
    x, h = _splitmix64(seed & _MASK64)
    x = (h ^ ((chunk + 1) * 0xD1B54A32D192ED03)) & _MASK64
    words = []
    for _ in range(4):
        x, out = _splitmix64(x)
        words.append(out)
    return np.array(words, dtype=np.uint64)


def _chunk_size(photons: int | None) -> int:
    """Photons per chunk: about 128 chunks per run (at most 20 000 photons each)."""
    if photons is None:
        return _TIME_BOUND_CHUNK
    return int(min(max(math.ceil(photons / (8 * CHUNKS_PER_BATCH)), 1), 20_000))


def _kernel_layers(stack: LayerStackSpec) -> dict[str, np.ndarray]:
    """Per-layer constants in MCML indexing (0 = ambient above, L+1 = ambient below)."""
    n_layers = len(stack.layers)
    size = n_layers + 2
    out = {k: np.zeros(size) for k in ("z_top", "z_bot", "n_idx", "mua_over_mut", "inv_mut", "mut", "hg_g",
                                       "hg_1pg2", "hg_1mg2", "hg_inv2g", "cos_crit_up", "cos_crit_down")}
    bounds = stack.boundaries_mm
    out["n_idx"][0] = stack.n_above
    out["n_idx"][-1] = stack.n_below
    out["z_top"][0], out["z_bot"][0] = -math.inf, 0.0
    out["z_top"][-1], out["z_bot"][-1] = bounds[-1], math.inf
    for i, layer in enumerate(stack.layers, start=1):
        mut = layer.mua + layer.mus
        out["z_top"][i], out["z_bot"][i] = bounds[i - 1], bounds[i]
        out["n_idx"][i] = layer.n
        out["mut"][i] = mut
        out["inv_mut"][i] = 1.0 / mut if mut > 0.0 else 0.0
        out["mua_over_mut"][i] = layer.mua / mut if mut > 0.0 else 0.0
        g = layer.g
        out["hg_g"][i] = g
        out["hg_1pg2"][i] = 1.0 + g * g
        out["hg_1mg2"][i] = 1.0 - g * g
        out["hg_inv2g"][i] = 1.0 / (2.0 * g) if g != 0.0 else 0.0
    for i in range(1, n_layers + 1):
        n_i = out["n_idx"][i]
        for key, n_t in (("cos_crit_up", out["n_idx"][i - 1]), ("cos_crit_down", out["n_idx"][i + 1])):
            out[key][i] = math.sqrt(1.0 - (n_t / n_i) ** 2) if n_i > n_t else 0.0
    return out


def _warm_up(kl: dict[str, np.ndarray], a_layer: np.ndarray, a_z: np.ndarray, a_rz: np.ndarray,
             rd_ra: np.ndarray, tt_ra: np.ndarray, grid: Grid) -> None:
    """Call the kernel once with zero photons, so that compiling or loading it from numba's cache
    (a one-off cost per process) is not counted in the simulation's photons per millisecond."""
    run_batch(np.zeros(1, dtype=np.int64), np.ones((1, 4), dtype=np.uint64), kl["z_top"], kl["z_bot"],
              kl["n_idx"], kl["mua_over_mut"], kl["inv_mut"], kl["mut"], kl["hg_g"], kl["hg_1pg2"],
              kl["hg_1mg2"], kl["hg_inv2g"], kl["cos_crit_up"], kl["cos_crit_down"], 1.0, 1, 0, 0.0,
              1.0 / grid.dz_mm, 1.0 / grid.dr_mm, grid.na / (0.5 * math.pi), grid.nz, grid.nr, grid.na, 1e-4,
              0.1, a_layer[:1], a_z[:1], a_rz[:1], rd_ra[:1], tt_ra[:1], np.zeros_like(a_rz[0]))


@contextmanager
def _sigint_flag() -> Iterator[list[bool]]:
    """Catch Ctrl-C while the block runs: set ``flag[0]`` instead of raising (main thread only)."""
    flag = [False]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: object) -> None:
        flag[0] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def simulate(stack: LayerStackSpec, source: Source | None = None, *, photons: int | None = 100_000,
             max_seconds: float | None = None, seed: int = 1, threads: int | None = None,
             grid: Grid | None = None, w_threshold: float = 1e-4, survival: float = 0.1,
             progress: bool = False) -> xr.Dataset:
    """Simulate `photons` packets (or as many as fit in `max_seconds`) through `stack`.

    Returns an ``xarray.Dataset`` in physical units (see :mod:`lightdose.transport.mc.result`), with
    provenance attributes. Ctrl-C between batches stops the run early and returns what was simulated so far
    with ``attrs["partial"] = 1``.
    """
    source = PencilBeam() if source is None else source
    grid = Grid() if grid is None else grid
    if photons is None and max_seconds is None:
        raise InputError("photons", "give a photon count, a wall-time bound (max_seconds), or both")
    if photons is not None and (int(photons) != photons or not 1 <= photons <= 10**12):
        raise InputError("photons", f"{photons!r} must be an integer in [1, 1e12]")
    if max_seconds is not None and not (max_seconds > 0.0):
        raise InputError("max_seconds", f"{max_seconds!r} must be > 0 (s)")
    if not 0 <= int(seed) < 2**63:
        raise InputError("seed", f"{seed!r} must be an integer in [0, 2^63)")
    if not 0.0 < w_threshold < 1.0:
        raise InputError("w_threshold", f"{w_threshold!r} must be in (0, 1)")
    if not 0.0 < survival <= 1.0:
        raise InputError("survival", f"{survival!r} must be in (0, 1]")
    n_threads = numba.config.NUMBA_NUM_THREADS if threads is None else int(threads)
    if not 1 <= n_threads <= numba.config.NUMBA_NUM_THREADS:
        raise InputError("threads", f"{threads!r} must be in [1, {numba.config.NUMBA_NUM_THREADS}]")

    rsp, first_layer = specular_reflectance(stack)
    kl = _kernel_layers(stack)
    src_kind, src_radius = kernel_source(source)
    per_chunk = _chunk_size(photons)
    n_total_chunks = math.inf if photons is None else math.ceil(photons / per_chunk)
    nl = len(stack.layers) + 2
    a_layer = np.zeros((CHUNKS_PER_BATCH, nl))
    a_z = np.zeros((CHUNKS_PER_BATCH, grid.nz + 1))
    a_rz = np.zeros((CHUNKS_PER_BATCH, grid.nr + 1, grid.nz + 1))
    a_rz_total = np.zeros((grid.nr + 1, grid.nz + 1))
    rd_ra = np.zeros((CHUNKS_PER_BATCH, grid.nr + 1, grid.na))
    tt_ra = np.zeros((CHUNKS_PER_BATCH, grid.nr + 1, grid.na))
    acc = Accumulator()
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    partial = False
    load_start = time.perf_counter()
    _warm_up(kl, a_layer, a_z, a_rz, rd_ra, tt_ra, grid)
    load_seconds = time.perf_counter() - load_start
    start = time.perf_counter()
    bar = None
    try:
        with _sigint_flag() as interrupted:
            if progress:
                from rich.progress import Progress

                bar = Progress(transient=True)
                bar.start()
                task = bar.add_task("Monte Carlo", total=photons if photons is not None else max_seconds)
            chunk0 = 0
            while chunk0 < n_total_chunks:
                n_chunks = int(min(CHUNKS_PER_BATCH, n_total_chunks - chunk0))
                counts = np.full(n_chunks, per_chunk, dtype=np.int64)
                if photons is not None and chunk0 + n_chunks == n_total_chunks:
                    counts[-1] = photons - per_chunk * (n_total_chunks - 1)
                state = np.stack([chunk_state(int(seed), chunk0 + k) for k in range(n_chunks)])
                run_batch(counts, state, kl["z_top"], kl["z_bot"], kl["n_idx"], kl["mua_over_mut"],
                          kl["inv_mut"], kl["mut"], kl["hg_g"], kl["hg_1pg2"], kl["hg_1mg2"], kl["hg_inv2g"],
                          kl["cos_crit_up"], kl["cos_crit_down"], 1.0 - rsp, first_layer, src_kind, src_radius,
                          1.0 / grid.dz_mm, 1.0 / grid.dr_mm, grid.na / (0.5 * math.pi), grid.nz, grid.nr,
                          grid.na, w_threshold, survival, a_layer[:n_chunks], a_z[:n_chunks],
                          a_rz[:n_chunks], rd_ra[:n_chunks], tt_ra[:n_chunks], a_rz_total)
                acc.add(chunk_quantities(a_layer[:n_chunks], a_z[:n_chunks], rd_ra[:n_chunks],
                                         tt_ra[:n_chunks]), int(counts.sum()))
                chunk0 += n_chunks
                elapsed = time.perf_counter() - start
                if bar is not None:
                    bar.update(task, completed=acc.photons if photons is not None else elapsed)
                if interrupted[0]:
                    partial = chunk0 < n_total_chunks
                    break
                if max_seconds is not None and elapsed >= max_seconds:
                    break
    finally:
        if bar is not None:
            bar.stop()
        numba.set_num_threads(previous_threads)
    wall = time.perf_counter() - start
    acc.set_total("a_rz", a_rz_total[:-1, :-1])
    broad = isinstance(source, UniformBeam)
    attrs: dict[str, str | int | float] = {
        "lightdose_version": __version__,
        "solver": "lightdose.transport.mc (layered photon-packet Monte Carlo, MCML physics)",
        "source": source.kind,
        "source_radius_mm": getattr(source, "radius_mm", 0.0),
        "source_method": getattr(source, "method", "sample"),
        "seed": int(seed),
        "photons": acc.photons if acc.photons < 2**31 else float(acc.photons),
        "photons_requested": -1 if photons is None else (photons if photons < 2**31 else float(photons)),
        "threads": n_threads,
        "wall_time_s": wall + load_seconds,
        "photons_per_ms": acc.photons / (wall * 1e3) if wall > 0 else math.nan,
        "load_time_s": load_seconds,
        "partial": int(partial),
        "w_threshold": w_threshold,
        "survival": survival,
        "interfaces": "Fresnel, probabilistic reflect/transmit at every interface (MCML default)",
    }
    ds = build_dataset(acc, stack, grid, rsp, broad=broad, attrs=attrs)
    if isinstance(source, FlatTopBeam | GaussianBeam) and source.method == "convolve":
        ds = convolve_dataset(ds, source)
    return ds
