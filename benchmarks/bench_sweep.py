"""Strong scaling of sweeps and of the distributed Monte Carlo on a local Dask cluster (not a timed test).

Measures, for 1 and 2 worker processes (``--workers``):

- a dose sweep of ``--cells`` cells (default 10⁴; the pad-890 on the medial ankle over exposure × distance × fat
  thickness, chunks of 32 cells): wall time, cells/s, speed-up over one worker;
- a Monte Carlo of ``--photons`` photons (default 10⁸; the MCML slab case), ``--repeats`` times (default 3): the
  median wall time, photons/ms, speed-up;
- the overhead per task: the wall time of 2 000 empty tasks on the cluster, per task; and the sweep's own overhead
  per cell: one worker's time per cell against the same cells computed in this process;
- the client's serial work per unit (:func:`client_costs`): a sweep chunk written to Zarr, a Monte Carlo batch
  received and merged.

Worker start-up and each worker's first task (imports, numba's cache) are left out: every cluster first runs a
small warm-up sweep and Monte Carlo. The machine is whatever runs this script: on a shared machine the numbers
move with the other load, so the load average before and after is printed with them.

    .venv/bin/python benchmarks/bench_sweep.py                    # the docs/benchmarks.md table
    .venv/bin/python benchmarks/bench_sweep.py --cells 2000 --photons 2e7 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from lightdose.sweep.cluster import dask_client
from lightdose.sweep.compute import compute_chunk
from lightdose.sweep.mc import distributed_monte_carlo
from lightdose.sweep.run import run_sweep
from lightdose.sweep.spec import Sweep, load_sweep
from lightdose.transport.mc import McRequest, monte_carlo


def sweep_file(folder: Path, cells: int) -> Path:
    """A dose sweep of about `cells` cells: 10 exposures × 10 fat thicknesses × the rest in distances."""
    distances = max(1, round(cells / 100))
    path = folder / f"bench-{cells}.yaml"
    path.write_text(f"""\
name: benchmark sweep
base:
  dose: {{placement: pad-890, site: ankle-medial, exposure: 30 min}}
axes:
  exposure: {{from: 5 min, to: 50 min, steps: 10}}
  person.fat_thickness: {{from: 1 mm, to: 20 mm, steps: 10}}
  placement.distance: {{from: 0 cm, to: 3 cm, steps: {distances}}}
outputs: [target_fluence, target_fluence_rate]
""")
    return path


def _noop(i: int) -> int:
    return i


def task_overhead(client: object, tasks: int = 2000) -> float:
    """Wall time per task [s] of `tasks` empty tasks submitted at once and gathered."""
    start = time.perf_counter()
    futures = client.map(_noop, range(tasks), pure=False)  # type: ignore[attr-defined]
    client.gather(futures)  # type: ignore[attr-defined]
    return (time.perf_counter() - start) / tasks


def _cpu() -> float:
    return time.process_time()


def worker_cpu(client: object) -> float:
    """CPU time [s] the cluster's worker processes have used so far, summed."""
    return float(sum(client.run(_cpu).values()))  # type: ignore[attr-defined]


def in_process_seconds_per_cell(sweep: Sweep, chunks: int = 10) -> float:
    """This process's time per cell over the first `chunks` chunks (after one warm-up chunk)."""
    compute_chunk(sweep, 0)
    start = time.perf_counter()
    cells = 0
    for chunk in range(1, min(chunks + 1, sweep.n_chunks)):
        cells += int(compute_chunk(sweep, chunk).failed.size)
    return (time.perf_counter() - start) / cells


def client_costs(sweep: Sweep, folder: Path) -> dict[str, float]:
    """What the client spends per unit of work, serially, in this process: writing one sweep chunk into the store
    [ms], and receiving and merging one batch of Monte Carlo chunks (16 × 20 000 photons, the layout of a 10⁸-photon
    or larger run) for the MCML slab and the three-layer Gardner case: pickled size [MB] and unpickle + merge [ms]."""
    import dataclasses
    import pickle

    from lightdose.sweep.run import prepare_store, write_chunk
    from lightdose.transport.mc.runner import TallyMerger, run_chunks
    from lightdose.transport.mc.stage import run_specs

    costs: dict[str, float] = {}
    values = compute_chunk(sweep, 0)
    store = folder / "writes.zarr"
    prepare_store(sweep, store)
    writes = min(20, sweep.n_chunks)
    start = time.perf_counter()
    for chunk in range(writes):
        write_chunk(sweep, store, dataclasses.replace(values, chunk=chunk))
    costs["sweep_write_ms_per_chunk"] = (time.perf_counter() - start) / writes * 1e3
    for case in ("mcml-slab", "gardner"):
        spec = run_specs(McRequest(case=case, photons=10**8))[0]
        part = run_chunks(spec.stack, photons=spec.photons, seed=1, grid=spec.grid, first_chunk=0, n_chunks=64)
        data = pickle.dumps(part, protocol=5)
        merger = TallyMerger(spec.stack, photons=spec.photons, seed=1, grid=spec.grid)
        start = time.perf_counter()
        merger.add(pickle.loads(data))
        batches = len(part.batches)
        costs[f"mc_{case}_merge_ms_per_batch"] = (time.perf_counter() - start) / batches * 1e3
        costs[f"mc_{case}_mb_per_batch"] = len(data) / batches / 1e6
    return costs


def main(argv: list[str] | None = None) -> None:
    """Strong scaling on 1 and 2 workers (the options above; `argv` None: the command line)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--photons", type=float, default=1e8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3, help="Monte Carlo runs per cluster (median reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    photons = int(args.photons)
    results: dict[str, object] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
                                  "load_before": os.getloadavg(), "cells": args.cells, "photons": photons, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sweep = load_sweep(sweep_file(folder, args.cells))
        warm = load_sweep(sweep_file(folder, 100))
        per_cell_here = in_process_seconds_per_cell(sweep)
        results["in_process_s_per_cell"] = per_cell_here
        start = time.perf_counter()
        monte_carlo(McRequest(case="mcml-slab", photons=min(photons, 10**7), threads=1))
        results["in_process_mc_photons_per_ms"] = min(photons, 10**7) / ((time.perf_counter() - start) * 1e3)
        for n in args.workers:
            with dask_client(workers=n) as client:
                run_sweep(warm, folder / f"warm-{n}.zarr", client=client)
                distributed_monte_carlo(McRequest(case="mcml-slab", photons=10**6), client, task_photons=100_000)
                overhead = task_overhead(client)
                cpu = worker_cpu(client)
                run = run_sweep(sweep, folder / f"sweep-{n}.zarr", client=client)
                sweep_cpu = worker_cpu(client) - cpu
                mc_times = []
                for _ in range(args.repeats):  # the median of a few: one run's speed moves ±10 % on a shared host
                    start = time.perf_counter()
                    distributed_monte_carlo(McRequest(case="mcml-slab", photons=photons), client)
                    mc_times.append(time.perf_counter() - start)
                mc_seconds = statistics.median(mc_times)
                mc_cpu = (worker_cpu(client) - cpu - sweep_cpu) / args.repeats
            entry = {"workers": n, "sweep_s": run.seconds, "cells_per_s": sweep.cells / run.seconds,
                     "tasks": sweep.n_chunks, "mc_s": mc_seconds, "mc_photons_per_ms": photons / (mc_seconds * 1e3),
                     "mc_s_each": mc_times, "overhead_per_task_ms": overhead * 1e3,
                     # the share of a core each worker process had while it ran (1.0: a core of its own)
                     "sweep_core_share": sweep_cpu / (run.seconds * n), "mc_core_share": mc_cpu / (mc_seconds * n)}
            results["runs"].append(entry)  # type: ignore[attr-defined]
            print(json.dumps(entry), flush=True)
    results["load_after"] = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        serial = client_costs(sweep, Path(tmp))
    results["client"] = serial
    runs = results["runs"]
    assert isinstance(runs, list)
    base = runs[0]
    print(f"\nmachine: {results['machine']}; load average before {results['load_before']}, after "
          f"{results['load_after']}")
    print(f"in this process: {per_cell_here * 1e3:.1f} ms per dose cell, "
          f"{results['in_process_mc_photons_per_ms']:.0f} photons/ms (one thread)\n")
    print(f"| workers | sweep of {sweep.cells:,} cells [s] | cells/s | speed-up | MC of {photons:.0e} photons [s] | "
          "photons/ms | speed-up | overhead per empty task [ms] | core share per worker (sweep, MC) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for entry in runs:
        print(f"| {entry['workers']} | {entry['sweep_s']:.1f} | {entry['cells_per_s']:.0f} | "
              f"{base['sweep_s'] / entry['sweep_s']:.2f}× | {entry['mc_s']:.1f} | {entry['mc_photons_per_ms']:.0f} | "
              f"{base['mc_s'] / entry['mc_s']:.2f}× | {entry['overhead_per_task_ms']:.2f} | "
              f"{entry['sweep_core_share']:.2f}, {entry['mc_core_share']:.2f} |")
    one = runs[0]
    if one["workers"] == 1:
        print(f"\nsweep overhead per cell on one worker: "
              f"{(one['sweep_s'] / sweep.cells - per_cell_here) * 1e3:.2f} ms "
              f"({one['sweep_s'] / sweep.cells * 1e3:.1f} ms against {per_cell_here * 1e3:.1f} ms in this process)")
    print("client, per unit of work: " + ", ".join(f"{k} {v:.3g}" for k, v in serial.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
