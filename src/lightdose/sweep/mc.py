"""The Monte Carlo on a Dask cluster: the runs of an :class:`~lightdose.transport.mc.McRequest` split into tasks of
consecutive photon chunks, merged in chunk order, equal to the last bit to :func:`~lightdose.transport.mc.monte_carlo`
in one process for the same seed and photon count.

Why it is identical: a run's photons are cut into chunks by :func:`~lightdose.transport.mc.runner.chunk_layout`
(the same layout as the one-process run), each chunk draws from its own random stream keyed by (seed, chunk index),
a task (:func:`~lightdose.transport.mc.runner.run_chunks`) runs whole batches of CHUNKS_PER_BATCH chunks and reduces
each batch as the one-process run does, and :class:`~lightdose.transport.mc.runner.TallyMerger` adds the batches in
chunk order. Which worker ran a task, how often it was rerun after a worker was lost, and the order tasks finished in
do not enter the result. Standard errors come from the spread between chunks, as in one process.

Why it scales: what a task sends back is one batch's sums per 16 chunks (about 0.3 MB with the default grid), not
every chunk's arrays, so the process that merges spends well under a percent of a worker's time on it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from lightdose.errors import FileFormatError, InputError
from lightdose.provenance import Provenance
from lightdose.transport.mc import McRequest, McResult, McRun
from lightdose.transport.mc.runner import RangeTallies, TallyMerger, chunk_layout, run_chunks
from lightdose.transport.mc.sources import CHUNKS_PER_BATCH, PencilBeam
from lightdose.transport.mc.stage import RunSpec, run_specs

if TYPE_CHECKING:
    from distributed import Client, Future

TASK_PHOTONS = 1_000_000
"""Photons per task by default (rounded up to whole batches: about half a second on one core): few enough tasks that
the scheduler's overhead per task (a few milliseconds) is lost in the noise, enough that two workers or a hundred
share the work evenly."""

McProgress = Callable[[int, int], None]
"""Called as tasks come back, with (photons merged, photons asked for) of the run under way."""


def task_ranges(photons: int, task_photons: int = TASK_PHOTONS) -> list[tuple[int, int]]:
    """(first chunk, number of chunks) of each task of a run of `photons` photons: whole batches of
    CHUNKS_PER_BATCH consecutive chunks, about `task_photons` photons or more together (the chunk layout does not
    depend on this)."""
    per_chunk, total = chunk_layout(photons)
    if not task_photons >= 1:
        raise InputError("task_photons", f"{task_photons!r} must be ≥ 1")
    batches = max(1, math.ceil(task_photons / (per_chunk * CHUNKS_PER_BATCH)))
    per_task = min(total, batches * CHUNKS_PER_BATCH)
    return [(first, min(per_task, total - first)) for first in range(0, total, per_task)]


def _simulate_run(client: Client, run: RunSpec, merger: TallyMerger, seed: int, threads: int, task_photons: int,
                  progress: McProgress | None) -> None:
    """Run every task of `run` and merge their tallies into `merger` in chunk order."""
    from distributed import as_completed

    futures: list[Future[RangeTallies]] = [
        client.submit(run_chunks, run.stack, PencilBeam(), photons=run.photons, seed=seed, first_chunk=first,
                      n_chunks=n, grid=run.grid, threads=threads, pure=False)
        for first, n in task_ranges(run.photons, task_photons)]
    waiting: dict[int, RangeTallies] = {}
    try:
        for future in as_completed(futures):
            part: RangeTallies = future.result()
            future.release()
            waiting[part.first_chunk] = part
            while merger.next_chunk in waiting:  # merge in chunk order, whatever order the tasks finish in
                merger.add(waiting.pop(merger.next_chunk))
            if progress is not None:
                progress(merger.photons_merged, run.photons)
    finally:
        client.cancel(futures)


def distributed_monte_carlo(request: McRequest, client: Client, *, task_photons: int = TASK_PHOTONS,
                            progress: McProgress | None = None) -> McResult:
    """Simulate the runs `request` names on `client`'s cluster (module docstring); each task uses
    ``request.threads`` numba threads (default 1: one task per worker thread). Ctrl-C keeps the chunks merged so
    far as a partial last run (:class:`KeyboardInterrupt` if none had been merged)."""
    provenance = Provenance.of(request)
    specs = run_specs(request)
    workers = len(client.scheduler_info().get("workers", {}))
    runs: list[McRun] = []
    for spec in specs:
        merger = TallyMerger(spec.stack, PencilBeam(), photons=spec.photons, seed=request.seed, grid=spec.grid)
        start = time.perf_counter()
        try:
            _simulate_run(client, spec, merger, request.seed, request.threads or 1, task_photons, progress)
        except KeyboardInterrupt:
            if merger.photons_merged == 0 and not runs:
                raise
            if merger.photons_merged == 0:
                break
        except InputError as exc:
            if request.mci is None:
                raise
            raise FileFormatError(str(request.mci), spec.line, f"run {spec.name}: {exc}") from None
        ds = merger.dataset(wall_seconds=time.perf_counter() - start, threads=request.threads or 1, workers=workers)
        ds.attrs.update(provenance.attrs())
        runs.append(McRun.of(spec.name, ds, spec.references))
        if runs[-1].partial:
            break
    return McResult(request=request, runs=tuple(runs), runs_requested=len(specs), provenance=provenance)


__all__ = ["TASK_PHOTONS", "McProgress", "distributed_monte_carlo", "task_ranges"]
