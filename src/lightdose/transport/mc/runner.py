"""Running a simulation: batching, threads, progress, wall-time bound, memory bound and Ctrl-C.

Photons are split into chunks of a size that depends only on the requested photon count; each chunk draws
from its own xoshiro256** stream seeded from (seed, chunk index) with splitmix64 (Steele, Lea & Flood 2014,
OOPSLA), and chunk tallies are reduced in chunk order. The result therefore depends on the seed and the
photon count only -- not on the thread count or on scheduling.

Batches of chunks run in a worker thread (the kernel releases the GIL), so that the calling thread stays free to
catch Ctrl-C and report progress. Ctrl-C sets a flag that the chunks poll: the batch under way stops within a
fraction of a second and is discarded, and the batches already finished are returned as a result flagged
``attrs["partial"] = 1``. If no batch had finished, :class:`KeyboardInterrupt` is raised (there is nothing to return).
"""

from __future__ import annotations

import copy
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.errors import InputError
from lightdose.transport.layers import LayerStackSpec, specular_reflectance
from lightdose.transport.mc.convolve import convolve_dataset, convolve_memory_bytes
from lightdose.transport.mc.kernel import (
    CHUNK_STEP_BOUND,
    MAX_STEPS,
    Control,
    Launch,
    Layers,
    Scoring,
    Tallies,
    run_batch,
)
from lightdose.transport.mc.result import build_dataset
from lightdose.transport.mc.sources import (
    CHUNKS_PER_BATCH,
    MAX_TALLY_BYTES,
    FlatTopBeam,
    GaussianBeam,
    Grid,
    PencilBeam,
    Source,
    UniformBeam,
    format_bytes,
    kernel_source,
)
from lightdose.transport.mc.tallies import Accumulator, GroupSums, chunk_quantities

ProgressCallback = Callable[[int, int | None], None]
"""Called about ten times a second while a simulation runs, with (photons finished, photons asked for or None
for a run bounded by wall time only)."""

MAX_PHOTONS = 10**12
MIN_PHOTONS = 100
"""Fewest photons per run that a user may ask for (an .mci file, ``lightdose mc``): a standard error needs at least
two, and below ~100 it is itself too uncertain to print. :func:`simulate` accepts fewer for tests."""
_TIME_BOUND_CHUNK = 2000
_MASK64 = (1 << 64) - 1
_POLL_S = 0.1


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


def _batch_streams(seed: int, chunk0: int, size: int, per_chunk: int, photons: int | None,
                   total_chunks: float) -> tuple[np.ndarray, np.ndarray]:
    """(photons of each chunk, xoshiro256** state of each chunk) for chunks ``chunk0 … chunk0 + size - 1`` of a run
    of `total_chunks` chunks of `per_chunk` photons; the run's last chunk takes the remainder of `photons` (None: a
    run bounded by wall time only, every chunk full)."""
    counts = np.full(size, per_chunk, dtype=np.int64)
    if photons is not None and chunk0 + size == total_chunks:
        counts[-1] = photons - per_chunk * (int(total_chunks) - 1)
    return counts, np.stack([chunk_state(int(seed), chunk0 + k) for k in range(size)])


def _chunk_size(photons: int | None) -> int:
    """Photons per chunk: about 128 chunks per run (at most 20 000 photons each)."""
    if photons is None:
        return _TIME_BOUND_CHUNK
    return int(min(max(math.ceil(photons / (8 * CHUNKS_PER_BATCH)), 1), 20_000))


def layer_table(stack: LayerStackSpec) -> Layers:
    """The kernel's per-layer constants for `stack` (MCML indexing: 0 = ambient above, L+1 = ambient below)."""
    size = len(stack.layers) + 2
    cols = {name: np.zeros(size) for name in Layers._fields}
    bounds = stack.boundaries_mm
    cols["n"][0] = stack.n_above
    cols["n"][-1] = stack.n_below
    cols["z_top"][0], cols["z_bot"][0] = -math.inf, 0.0
    cols["z_top"][-1], cols["z_bot"][-1] = bounds[-1], math.inf
    for i, layer in enumerate(stack.layers, start=1):
        mut = layer.mua + layer.mus
        cols["z_top"][i], cols["z_bot"][i] = bounds[i - 1], bounds[i]
        cols["n"][i] = layer.n
        cols["mut"][i] = mut
        cols["inv_mut"][i] = 1.0 / mut if mut > 0.0 else 0.0
        cols["mua_over_mut"][i] = layer.mua / mut if mut > 0.0 else 0.0
        g = layer.g
        cols["hg_g"][i] = g
        cols["hg_1pg2"][i] = 1.0 + g * g
        cols["hg_1mg2"][i] = 1.0 - g * g
        cols["hg_inv2g"][i] = 1.0 / (2.0 * g) if g != 0.0 else 0.0
    return Layers(**cols)


def _scoring(grid: Grid) -> Scoring:
    return Scoring(1.0 / grid.dz_mm, 1.0 / grid.dr_mm, grid.na / (0.5 * math.pi), grid.nz, grid.nr, grid.na)


def _tallies(chunks: int, n_layers: int, grid: Grid) -> Tallies:
    return Tallies(a_layer=np.zeros((chunks, n_layers + 2)), a_z=np.zeros((chunks, grid.nz + 1)),
                   a_rz=np.zeros((chunks, grid.nr + 1, grid.nz + 1)), rd_ra=np.zeros((chunks, grid.nr + 1, grid.na)),
                   tt_ra=np.zeros((chunks, grid.nr + 1, grid.na)), steps=np.zeros(chunks, dtype=np.int64))


def _control(chunks: int) -> Control:
    return Control(stop=np.zeros(1, dtype=np.int64), status=np.zeros(chunks, dtype=np.int64),
                   done=np.zeros(chunks, dtype=np.int64))


def _warm_up(layers: Layers, launch: Launch, scoring: Scoring, tallies: Tallies, control: Control) -> None:
    """Call the kernel once with zero photons, so that compiling or loading it from numba's cache
    (a one-off cost per process) is not counted in the simulation's photons per millisecond."""
    run_batch(np.zeros(1, dtype=np.int64), np.ones((1, 4), dtype=np.uint64), layers, launch, scoring,
              Tallies(*(t[:1] for t in tallies)), Control(control.stop, control.status[:1], control.done[:1]),
              np.zeros_like(tallies.a_rz[0]))


def _batch_in_worker(threads: int, *args: object) -> bool:
    """Run one batch in the worker thread with `threads` numba threads (numba's setting is per calling thread)."""
    numba.set_num_threads(threads)
    return run_batch(*args)


@contextmanager
def _ctrl_c_stops(stop: np.ndarray) -> Iterator[None]:
    """While the block runs, Ctrl-C sets ``stop[0]`` (which the kernel polls) instead of raising (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        stop[0] = 1

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _check_inputs(photons: int | None, max_seconds: float | None, seed: int, w_threshold: float,
                  survival: float, threads: int | None) -> int:
    """Check the run settings; return the number of threads to use."""
    if photons is None and max_seconds is None:
        raise InputError("photons", "give a photon count, a wall-time bound (max_seconds), or both")
    if photons is not None and (int(photons) != photons or not 1 <= photons <= MAX_PHOTONS):
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
    return n_threads


def _step_bound_error(stack: LayerStackSpec) -> InputError:
    clear = [name for name, layer in zip(stack.layer_names(), stack.layers, strict=True)
             if layer.mua == 0.0 and layer.mus > 0.0]
    where = f" ({', '.join(clear)} scatter{'s' if len(clear) == 1 else ''} without absorbing)" if clear else ""
    return InputError("layers", f"a photon packet was still inside the layers after {MAX_STEPS:.2g} steps{where}: "
                                "a thick layer that scatters but hardly absorbs keeps packets forever; give it an "
                                "absorption coefficient mua > 0 or make it thinner")


def simulate(stack: LayerStackSpec, source: Source | None = None, *, photons: int | None = 100_000,
             max_seconds: float | None = None, seed: int = 1, threads: int | None = None,
             grid: Grid | None = None, w_threshold: float = 1e-4, survival: float = 0.1,
             progress: ProgressCallback | None = None) -> xr.Dataset:
    """Simulate `photons` packets (or as many as fit in `max_seconds` [s]) through `stack`.

    Returns an ``xarray.Dataset`` in physical units (see :mod:`lightdose.transport.mc.result`), with
    provenance attributes. Ctrl-C stops the run within a fraction of a second and returns the batches finished so
    far with ``attrs["partial"] = 1`` (:class:`KeyboardInterrupt` if none had finished). `progress`, if given, is
    called about ten times a second with (photons finished, photons asked for). A packet still going after
    ``MAX_STEPS`` steps (a thick layer without absorption) stops the run with an :class:`InputError`.
    """
    source = PencilBeam() if source is None else source
    grid = Grid() if grid is None else grid
    n_threads = _check_inputs(photons, max_seconds, seed, w_threshold, survival, threads)
    if isinstance(source, FlatTopBeam | GaussianBeam) and source.method == "convolve":
        needed = grid.tally_bytes() + convolve_memory_bytes(grid.nr)
        if needed > MAX_TALLY_BYTES:
            raise InputError("grid", f"convolving nr = {grid.nr} radial bins needs {format_bytes(needed)} of memory, "
                                     f"more than the {format_bytes(MAX_TALLY_BYTES)} allowed; use fewer radial bins")

    rsp, first_layer = specular_reflectance(stack)
    layers = layer_table(stack)
    src_kind, src_radius = kernel_source(source)
    launch = Launch(1.0 - rsp, first_layer, src_kind, src_radius, w_threshold, survival)
    scoring = _scoring(grid)
    per_chunk = _chunk_size(photons)
    n_total_chunks = math.inf if photons is None else math.ceil(photons / per_chunk)
    tallies = _tallies(CHUNKS_PER_BATCH, len(stack.layers), grid)
    control = _control(CHUNKS_PER_BATCH)
    a_rz_total = np.zeros((grid.nr + 1, grid.nz + 1))
    acc = Accumulator()
    steps = 0
    load_start = time.perf_counter()
    with _ctrl_c_stops(control.stop), ThreadPoolExecutor(max_workers=1) as worker:
        _warm_up(layers, launch, scoring, tallies, control)
        load_seconds = time.perf_counter() - load_start
        start = time.perf_counter()
        chunk0 = 0
        try:
            while chunk0 < n_total_chunks and not control.stop[0]:
                n_chunks = int(min(CHUNKS_PER_BATCH, n_total_chunks - chunk0))
                counts, rng = _batch_streams(seed, chunk0, n_chunks, per_chunk, photons, n_total_chunks)
                batch = Tallies(*(t[:n_chunks] for t in tallies))
                batch_control = Control(control.stop, control.status[:n_chunks], control.done[:n_chunks])
                batch_control.done[:] = 0  # read for progress before the chunks start
                job = worker.submit(_batch_in_worker, n_threads, counts, rng, layers, launch, scoring, batch,
                                    batch_control, a_rz_total)
                while True:
                    try:
                        complete = job.result(timeout=_POLL_S)
                        break
                    except TimeoutError:
                        if progress is not None:
                            progress(acc.photons + int(batch_control.done.sum()), photons)
                if np.any(batch_control.status == CHUNK_STEP_BOUND):
                    raise _step_bound_error(stack)
                if not complete:  # interrupted: the batch under way is discarded
                    break
                acc.add(chunk_quantities(batch.a_layer, batch.a_z, batch.rd_ra, batch.tt_ra), counts)
                steps += int(batch.steps.sum())
                chunk0 += n_chunks
                if progress is not None:
                    progress(acc.photons, photons)
                if max_seconds is not None and time.perf_counter() - start >= max_seconds:
                    break
        except BaseException:
            control.stop[0] = 1  # end the worker's batch quickly: leaving the block waits for it
            raise
        partial = bool(control.stop[0]) and chunk0 < n_total_chunks
    wall = time.perf_counter() - start
    if acc.photons == 0:
        raise KeyboardInterrupt("interrupted before the first batch of photons had finished: no result")
    acc.set_total("a_rz", a_rz_total[:-1, :-1])
    broad = isinstance(source, UniformBeam)
    attrs: dict[str, str | int | float] = {
        "lightdose_version": __version__,
        "solver": "lightdose.transport.mc (layered photon-packet Monte Carlo, MCML physics)",
        "source": source.kind,
        "source_radius_mm": getattr(source, "radius_mm", 0.0),
        "source_method": getattr(source, "method", "sample"),
        "seed": int(seed),
        "photons": _netcdf_int(acc.photons),
        "threads": n_threads,
        "wall_time_s": wall + load_seconds,
        "photons_per_ms": acc.photons / (wall * 1e3) if wall > 0 else math.nan,
        "load_time_s": load_seconds,
        "partial": int(partial),
        "steps_per_photon": steps / acc.photons,
        "w_threshold": w_threshold,
        "survival": survival,
        "interfaces": "Fresnel, probabilistic reflect/transmit at every interface (MCML default)",
    }
    if photons is not None:
        attrs["photons_requested"] = _netcdf_int(photons)
    if max_seconds is not None:
        attrs["max_seconds"] = float(max_seconds)
    ds = build_dataset(acc, stack, grid, rsp, broad=broad, attrs=attrs)
    if isinstance(source, FlatTopBeam | GaussianBeam) and source.method == "convolve":
        ds = convolve_dataset(ds, source)
    return ds


def _netcdf_int(n: int) -> int | float:
    """`n` as a NetCDF-3 attribute: a 32-bit integer, or a float beyond that range."""
    return n if n < 2**31 else float(n)


# ------------------------------------------------------------------------------------------------------------------
# Runs split over many processes (lightdose.sweep.mc): one function runs a range of whole batches of chunks and
# returns each batch reduced to the sums the Accumulator keeps, one merges such ranges in batch order. Together they
# give the Dataset that `simulate` gives for the same stack, source, grid, photon count and seed, to the last bit:
# every chunk draws from the same stream (`chunk_state(seed, chunk)`), a batch is the same CHUNKS_PER_BATCH chunks
# reduced by the same code (`run_batch` into a zeroed A(r, z), `GroupSums.of`), and the running sums add the batches
# in the same order. Where the ranges run, and in what order they finish, does not enter the result. Reducing on the
# worker keeps what travels to the merging process small: one batch's sums instead of every chunk's arrays.


def chunk_layout(photons: int, chunk_photons: int | None = None) -> tuple[int, int]:
    """(photons per chunk, number of chunks) of a run of `photons` photons. With `chunk_photons` None this is the
    layout :func:`simulate` uses (about 128 chunks, at most 20 000 photons each); the last chunk takes the remainder.
    A chunk is the unit with its own random stream (`chunk_state(seed, chunk)`); CHUNKS_PER_BATCH consecutive chunks,
    starting at a multiple of it, form a batch, the unit of reduction."""
    if int(photons) != photons or not 1 <= photons <= MAX_PHOTONS:
        raise InputError("photons", f"{photons!r} must be an integer in [1, 1e12]")
    if chunk_photons is not None and (int(chunk_photons) != chunk_photons or not 1 <= chunk_photons <= 10**9):
        raise InputError("chunk_photons", f"{chunk_photons!r} must be an integer in [1, 1e9]")
    per_chunk = _chunk_size(int(photons)) if chunk_photons is None else int(min(chunk_photons, photons))
    return per_chunk, math.ceil(photons / per_chunk)


@dataclass(frozen=True)
class BatchSums:
    """One batch of chunks as it enters the merge: the Accumulator's sums, the batch's A(r, z) summed over its
    chunks, kept as the smallest box holding its non-zero bins ``(first r index, first z index, values)`` (adding
    the box is bit-identical to adding the whole grid: the rest is exactly 0), and its steps."""

    sums: GroupSums
    a_rz: tuple[int, int, np.ndarray]
    steps: int

    @property
    def n_chunks(self) -> int:
        return int(self.sums.photons.size)


@dataclass(frozen=True)
class RangeTallies:
    """The batches of the consecutive chunks ``first_chunk, first_chunk + 1, ...`` of a run, reduced where they
    ran (:func:`run_chunks`), for :class:`TallyMerger`."""

    first_chunk: int
    batches: tuple[BatchSums, ...]
    seconds: float
    """Wall time of the kernel for these chunks [s] (not part of the result)."""

    @property
    def n_chunks(self) -> int:
        return sum(batch.n_chunks for batch in self.batches)


def _nonzero_box(a: np.ndarray) -> tuple[int, int, np.ndarray]:
    rows = np.flatnonzero(a.any(axis=1))
    if rows.size == 0:
        return 0, 0, np.zeros((0, 0))
    cols = np.flatnonzero(a.any(axis=0))
    r0, r1, z0, z1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return r0, z0, np.ascontiguousarray(a[r0:r1, z0:z1])


def run_chunks(stack: LayerStackSpec, source: Source | None = None, *, photons: int, seed: int, first_chunk: int,
               n_chunks: int, grid: Grid | None = None, w_threshold: float = 1e-4, survival: float = 0.1,
               threads: int = 1, chunk_photons: int | None = None) -> RangeTallies:
    """Run chunks ``first_chunk … first_chunk + n_chunks - 1`` of a run of `photons` photons with `seed` (the chunk
    layout of :func:`chunk_layout`) on `threads` numba threads, batch by batch, and return each batch reduced
    (:class:`RangeTallies`) for :class:`TallyMerger`. The range must be whole batches: it starts at a multiple of
    ``CHUNKS_PER_BATCH`` and ends at one or at the run's last chunk. A packet still going after ``MAX_STEPS`` steps
    is an :class:`InputError`, as in :func:`simulate`. Safe to run in any process: the result depends only on the
    arguments."""
    source = PencilBeam() if source is None else source
    grid = Grid() if grid is None else grid
    _check_inputs(photons, None, seed, w_threshold, survival, threads)
    per_chunk, total_chunks = chunk_layout(photons, chunk_photons)
    end = first_chunk + n_chunks
    if not (0 <= first_chunk and 1 <= n_chunks and end <= total_chunks):
        raise InputError("chunks", f"chunks {first_chunk}–{end - 1} are outside the run's {total_chunks} chunks")
    if first_chunk % CHUNKS_PER_BATCH or (end % CHUNKS_PER_BATCH and end != total_chunks):
        raise InputError("chunks", f"chunks {first_chunk}–{end - 1} are not whole batches of {CHUNKS_PER_BATCH}")
    rsp, first_layer = specular_reflectance(stack)
    layers = layer_table(stack)
    src_kind, src_radius = kernel_source(source)
    launch = Launch(1.0 - rsp, first_layer, src_kind, src_radius, w_threshold, survival)
    scoring = _scoring(grid)
    numba.set_num_threads(int(threads))
    batches: list[BatchSums] = []
    seconds = 0.0
    for chunk0 in range(first_chunk, end, CHUNKS_PER_BATCH):
        size = min(CHUNKS_PER_BATCH, end - chunk0)
        counts, rng = _batch_streams(seed, chunk0, size, per_chunk, photons, total_chunks)
        tallies = _tallies(size, len(stack.layers), grid)
        control = _control(size)
        a_rz = np.zeros((grid.nr + 1, grid.nz + 1))
        start = time.perf_counter()
        complete = run_batch(counts, rng, layers, launch, scoring, tallies, control, a_rz)
        seconds += time.perf_counter() - start
        if np.any(control.status == CHUNK_STEP_BOUND):
            raise _step_bound_error(stack)
        if not complete:
            raise RuntimeError("a chunk of photons stopped before its end without being asked to")
        sums = GroupSums.of(chunk_quantities(tallies.a_layer, tallies.a_z, tallies.rd_ra, tallies.tt_ra), counts)
        batches.append(BatchSums(sums=sums, a_rz=_nonzero_box(a_rz), steps=int(tallies.steps.sum())))
    return RangeTallies(first_chunk=first_chunk, batches=tuple(batches), seconds=seconds)


class TallyMerger:
    """Merges :class:`RangeTallies` of one run in chunk order into the run's Dataset.

    Ranges must come in order (``add`` refuses a gap or an overlap); they may cover any number of batches each. The
    merger adds their batches exactly as :func:`simulate` adds its own, so a complete merge gives the Dataset of
    ``simulate(stack, source, photons=photons, seed=seed, grid=grid)`` — data variables and coordinates equal to the
    last bit — when `chunk_photons` is None; attributes that describe the execution (wall time, threads) differ.
    """

    def __init__(self, stack: LayerStackSpec, source: Source | None = None, *, photons: int, seed: int,
                 grid: Grid | None = None, w_threshold: float = 1e-4, survival: float = 0.1,
                 chunk_photons: int | None = None):
        self.stack = stack
        self.source = PencilBeam() if source is None else source
        self.grid = Grid() if grid is None else grid
        self.photons_requested = int(photons)
        self.seed = int(seed)
        self.w_threshold, self.survival = w_threshold, survival
        self.chunk_photons = chunk_photons
        self.per_chunk, self.total_chunks = chunk_layout(photons, chunk_photons)
        self.next_chunk = 0
        self._acc = Accumulator()
        self._a_rz = np.zeros((self.grid.nr + 1, self.grid.nz + 1))
        self._steps = 0
        self.kernel_seconds = 0.0

    @property
    def complete(self) -> bool:
        """Whether every chunk of the run has been merged."""
        return self.next_chunk == self.total_chunks

    @property
    def photons_merged(self) -> int:
        """Photons of the chunks merged so far."""
        return self._acc.photons

    def add(self, part: RangeTallies) -> None:
        """Merge the next batches of the run (they must start where the last part ended)."""
        if part.first_chunk != self.next_chunk:
            raise ValueError(f"chunks must be merged in order: expected chunk {self.next_chunk}, got "
                             f"{part.first_chunk}")
        if part.first_chunk + part.n_chunks > self.total_chunks:
            raise ValueError(f"chunk {part.first_chunk + part.n_chunks - 1} is beyond the run's {self.total_chunks}")
        self.kernel_seconds += part.seconds
        for batch in part.batches:
            r0, z0, box = batch.a_rz
            self._a_rz[r0:r0 + box.shape[0], z0:z0 + box.shape[1]] += box  # batch order, as simulate adds them
            self._acc.add_group(batch.sums)
            self._steps += batch.steps
            self.next_chunk += batch.n_chunks

    def dataset(self, *, wall_seconds: float, load_seconds: float = 0.0, threads: int = 1,
                workers: int | None = None) -> xr.Dataset:
        """The run's Dataset from the chunks merged so far (``attrs["partial"] = 1`` unless complete). Attributes
        as :func:`simulate` writes them, with `wall_seconds` the run's wall time, plus ``workers`` when given."""
        if self._acc.photons == 0:
            raise KeyboardInterrupt("interrupted before the first batch of photons had finished: no result")
        acc = copy.deepcopy(self._acc)
        acc.set_total("a_rz", self._a_rz[:-1, :-1].copy())
        rsp, _ = specular_reflectance(self.stack)
        source = self.source
        attrs: dict[str, str | int | float] = {
            "lightdose_version": __version__,
            "solver": "lightdose.transport.mc (layered photon-packet Monte Carlo, MCML physics)",
            "source": source.kind,
            "source_radius_mm": getattr(source, "radius_mm", 0.0),
            "source_method": getattr(source, "method", "sample"),
            "seed": self.seed,
            "photons": _netcdf_int(acc.photons),
            "threads": int(threads),
            "wall_time_s": wall_seconds + load_seconds,
            "photons_per_ms": acc.photons / (wall_seconds * 1e3) if wall_seconds > 0 else math.nan,
            "load_time_s": load_seconds,
            "partial": int(not self.complete),
            "steps_per_photon": self._steps / acc.photons,
            "w_threshold": self.w_threshold,
            "survival": self.survival,
            "interfaces": "Fresnel, probabilistic reflect/transmit at every interface (MCML default)",
            "photons_requested": _netcdf_int(self.photons_requested),
            "photons_per_chunk": self.per_chunk,
        }
        if workers is not None:
            attrs["workers"] = int(workers)
        ds = build_dataset(acc, self.stack, self.grid, rsp, broad=isinstance(source, UniformBeam), attrs=attrs)
        if isinstance(source, FlatTopBeam | GaussianBeam) and source.method == "convolve":
            ds = convolve_dataset(ds, source)
        return ds
