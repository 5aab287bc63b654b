"""Strong scaling of sweeps and of the distributed Monte Carlo on a local Dask cluster (not a timed test).

Measures, for 1 and 2 worker processes (``--workers``):

- a dose sweep of ``--cells`` cells (default 10⁴; the pad-890 on the medial ankle over exposure × distance × fat
  thickness, chunks of 32 cells): wall time, cells/s, speed-up over one worker;
- a Monte Carlo of ``--photons`` photons (default 10⁸; the MCML slab case), ``--repeats`` rounds (default 3) with
  every cluster open and the runs taken in turn: the median wall time, photons/ms, the median of the rounds'
  speed-ups; and the ceiling: the same photons in 1 and 2 independent processes (no Dask) at once;
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
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lightdose.sweep.cluster import dask_client
from lightdose.sweep.compute import compute_chunk
from lightdose.sweep.mc import distributed_monte_carlo
from lightdose.sweep.run import run_sweep
from lightdose.sweep.spec import Sweep, load_sweep
from lightdose.transport.mc import McRequest


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


_ALONE = """
import sys, time
from lightdose.transport.mc import McRequest, monte_carlo
monte_carlo(McRequest(case="mcml-slab", photons=10**6, threads=1))
start = time.perf_counter()
monte_carlo(McRequest(case="mcml-slab", photons=int(sys.argv[1]), threads=1))
print(time.perf_counter() - start)
"""


def independent_processes(n: int, photons: int) -> float:
    """Photons per ms of `n` separate Python processes (no Dask) each running `photons` photons on one thread at the
    same time: what this machine's cores give together, the ceiling of a cluster's speed-up."""
    procs = [subprocess.Popen([sys.executable, "-c", _ALONE, str(photons)], stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    seconds = [float(proc.communicate()[0]) for proc in procs]
    return n * photons / (max(seconds) * 1e3)


def sweep_scaling(sweep: Sweep, warm: Sweep, workers: list[int], folder: Path) -> dict[int, dict[str, Any]]:
    """The sweep on a cluster of each size in `workers`, one after the other (a 10⁴-cell sweep takes minutes)."""
    runs: dict[int, dict[str, Any]] = {}
    for n in workers:
        with dask_client(workers=n) as client:
            run_sweep(warm, folder / f"warm-{n}.zarr", client=client)
            overhead = task_overhead(client)
            cpu = worker_cpu(client)
            run = run_sweep(sweep, folder / f"sweep-{n}.zarr", client=client)
            # the share of a core each worker process had while it ran (1.0: a core of its own)
            runs[n] = {"workers": n, "overhead_per_task_ms": overhead * 1e3, "sweep_s": run.seconds,
                       "cells_per_s": sweep.cells / run.seconds, "tasks": sweep.n_chunks,
                       "sweep_core_share": (worker_cpu(client) - cpu) / (run.seconds * n)}
        print(json.dumps(runs[n]), flush=True)
    return runs


def mc_scaling(photons: int, workers: list[int], repeats: int) -> dict[int, dict[str, Any]]:
    """The Monte Carlo with every cluster open at once and the runs taken in turn, `repeats` rounds, so that a slow
    minute of a shared host falls on all of them; then the machine's own ceiling: the same photons in independent
    processes. Medians over the rounds; speed-ups against the first cluster size, round by round."""
    request = McRequest(case="mcml-slab", photons=photons)
    times: dict[int, list[float]] = {n: [] for n in workers}
    cpu_used = dict.fromkeys(workers, 0.0)
    with contextlib.ExitStack() as stack:
        clients = {n: stack.enter_context(dask_client(workers=n)) for n in workers}
        for client in clients.values():
            distributed_monte_carlo(McRequest(case="mcml-slab", photons=10**6), client, task_photons=100_000)
        for _ in range(repeats):
            for n, client in clients.items():
                cpu = worker_cpu(client)
                start = time.perf_counter()
                distributed_monte_carlo(request, client)
                times[n].append(time.perf_counter() - start)
                cpu_used[n] += worker_cpu(client) - cpu
    ceiling: dict[int, list[float]] = {n: [] for n in workers}
    for _ in range(repeats):
        for n in workers:
            ceiling[n].append(independent_processes(n, photons // max(workers)))
    base = workers[0]
    return {n: {"mc_s": statistics.median(times[n]), "mc_s_each": times[n],
                "mc_photons_per_ms": photons / (statistics.median(times[n]) * 1e3),
                "mc_core_share": cpu_used[n] / (sum(times[n]) * n),
                "mc_speed_up": statistics.median(t1 / tn for t1, tn in zip(times[base], times[n], strict=True)),
                "processes_photons_per_ms": statistics.median(ceiling[n]),
                "processes_speed_up": statistics.median(cn / c1 for c1, cn in zip(ceiling[base], ceiling[n],
                                                                                   strict=True))}
            for n in workers}


def print_table(results: dict[str, Any], sweep: Sweep) -> None:
    """The docs/benchmarks.md table and the lines under it."""
    runs = results["runs"]
    first = runs[0]
    print(f"\nmachine: {results['machine']}; load average before {results['load_before']}, after "
          f"{results['load_after']}")
    print(f"in this process: {results['in_process_s_per_cell'] * 1e3:.1f} ms per dose cell\n")
    print(f"| workers | sweep of {sweep.cells:,} cells [s] | cells/s | speed-up | MC of {results['photons']:.0e} "
          "photons [s] | photons/ms | speed-up | same photons in independent processes: speed-up | "
          "overhead per empty task [ms] | core share per worker (sweep, MC) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for entry in runs:
        print(f"| {entry['workers']} | {entry['sweep_s']:.1f} | {entry['cells_per_s']:.0f} | "
              f"{first['sweep_s'] / entry['sweep_s']:.2f}× | {entry['mc_s']:.1f} | {entry['mc_photons_per_ms']:.0f} | "
              f"{entry['mc_speed_up']:.2f}× | {entry['processes_speed_up']:.2f}× | "
              f"{entry['overhead_per_task_ms']:.2f} | {entry['sweep_core_share']:.2f}, {entry['mc_core_share']:.2f} |")
    if first["workers"] == 1:
        per_cell = first["sweep_s"] / sweep.cells
        print(f"\nsweep overhead per cell on one worker: {(per_cell - results['in_process_s_per_cell']) * 1e3:.2f} ms "
              f"({per_cell * 1e3:.1f} ms against {results['in_process_s_per_cell'] * 1e3:.1f} ms in this process)")
    print("client, per unit of work: " + ", ".join(f"{k} {v:.3g}" for k, v in results["client"].items()))


def main(argv: list[str] | None = None) -> None:
    """Strong scaling on 1 and 2 workers (the options above; `argv` None: the command line)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--photons", type=float, default=1e8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3, help="Monte Carlo rounds (medians reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
                               "load_before": os.getloadavg(), "cells": args.cells, "photons": int(args.photons)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sweep = load_sweep(sweep_file(folder, args.cells))
        results["in_process_s_per_cell"] = in_process_seconds_per_cell(sweep)
        runs = sweep_scaling(sweep, load_sweep(sweep_file(folder, 100)), args.workers, folder)
        for n, found in mc_scaling(int(args.photons), args.workers, args.repeats).items():
            runs[n].update(found)
        results["runs"] = list(runs.values())
        results["load_after"] = os.getloadavg()
        results["client"] = client_costs(sweep, folder)
    print_table(results, sweep)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
