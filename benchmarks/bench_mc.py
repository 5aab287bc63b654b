"""Speed of the layered Monte Carlo on four named cases (lightdose.transport.mc.cases), against MCML in C.

Run: ``.venv/bin/python benchmarks/bench_mc.py`` (or ``make bench``). Prints a Markdown table and writes
``benchmarks/results/bench_mc.json``. Each figure is the best of `REPEATS` (5) runs after a warm-up run (numba
compilation and cache loading excluded), timed around the whole ``simulate`` call with the case's default photon
count (tallies on the case's MCML grid, reduction and Dataset assembly included). The machine may be shared: the
table also gives photons per CPU-millisecond (process CPU time, robust to other jobs for one thread) and the
1-minute load average before each case.

MCML figures (photons/ms, original MCML C, gcc -O3, one thread, same kind of 2-core CPU) are from an earlier
lightdose measurement (not repeated by this script). When ``pmcxcl`` (MCX-CL, Fang & Yan) and an OpenCL CPU driver
(PoCL) are installed, the skin case is also run through it on a voxelised copy of the layer stack, for a side-by-side
figure.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numba

from lightdose.transport.mc import CASES, LayerStackSpec, McCase, simulate

HERE = Path(__file__).resolve().parent
MCML_PHOTONS_PER_MS = {"mcml-slab": 2560.0, "giovanelli": 210.0, "gardner": 167.0, "skin7-600": 17.4}
"""MCML 1.x (C, gcc -O3, one thread) on the same kind of 2-core CPU, per case (an earlier lightdose measurement)."""
REPEATS = 5

_PMCX_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    import pmcxcl
    spec = json.loads(sys.argv[1])
    unit = 0.01  # voxel edge [mm]; every skin layer is a whole number of 10 um voxels
    nxy = spec["nxy"]
    thick = [round(t / unit) for t in spec["thickness_mm"]]
    vol = np.zeros((nxy, nxy, sum(thick)), dtype="uint8")
    z = 0
    for label, t in enumerate(thick, start=1):
        vol[:, :, z:z + t] = label
        z += t
    prop = [[0.0, 0.0, 1.0, 1.0]] + [list(p) for p in spec["props"]]  # [mua mus g n] in 1/mm
    cfg = {"nphoton": spec["photons"], "vol": vol, "unitinmm": unit, "tstart": 0.0, "tend": 1e-8,
           "tstep": 1e-8, "srcpos": [nxy / 2, nxy / 2, 0], "srcdir": [0, 0, 1], "prop": prop,
           "isreflect": 1, "isspecular": 1, "seed": 1}
    t0 = time.perf_counter()
    res = pmcxcl.run(cfg)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": wall, "kernel_ms": res["stat"]["runtime"], "photons": spec["photons"]}))
    """
)


def _machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        return "\n".join(lscpu.splitlines()[:10])
    except (OSError, subprocess.CalledProcessError):
        return platform.processor()


def _pmcxcl_skin(run_stack: LayerStackSpec, photons: int) -> dict[str, float] | str:
    """Run the skin stack through pmcxcl in a subprocess; a reason string if it cannot run."""
    try:
        gcc = subprocess.run(["gcc", "-print-file-name=libstdc++.so.6"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        gcc = ""
    env = dict(os.environ, LD_PRELOAD=gcc) if gcc else dict(os.environ)
    spec = {
        "photons": photons,
        "nxy": 400,  # 4 x 4 mm: the largest lateral domain PoCL accepts here (600 fails: invalid buffer size)
        "thickness_mm": [layer.thickness_mm for layer in run_stack.layers],
        "props": [[layer.mua, layer.mus, layer.g, layer.n] for layer in run_stack.layers],
    }
    try:
        out = subprocess.run([sys.executable, "-c", _PMCX_SCRIPT, json.dumps(spec)], capture_output=True,
                             text=True, env=env, timeout=900)
    except subprocess.TimeoutExpired:
        return "pmcxcl timed out"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        return f"pmcxcl not available ({last})"
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    """Run all cases with 1 thread and with all threads; print and save the table."""
    max_threads = numba.config.NUMBA_NUM_THREADS
    thread_counts = sorted({1, max_threads})
    rows = []
    for name, mcml in MCML_PHOTONS_PER_MS.items():
        case = CASES[name]
        simulate(case.stack, photons=2000, grid=case.grid)  # compile / load the numba cache
        for threads in thread_counts:
            load = os.getloadavg()[0]
            timings = [_timed(case, threads) for _ in range(REPEATS)]
            best = min(t[0] for t in timings)
            best_cpu = min(t[1] for t in timings)
            rate = case.photons / best / 1e3
            rows.append({"case": f"{name} ({case.title})", "photons": case.photons, "threads": threads,
                         "seconds": best, "photons_per_ms": rate, "photons_per_cpu_ms": case.photons / best_cpu / 1e3,
                         "load_average_before": load, "mcml_photons_per_ms": mcml, "ratio_to_mcml": rate / mcml})
    pmcx = _pmcxcl_skin(CASES["skin7-600"].stack, 20_000)
    print("```\n" + _machine() + "\n```\n")
    print(f"Command: `.venv/bin/python benchmarks/bench_mc.py`  (numba {numba.__version__}, "
          f"Python {platform.python_version()})\n")
    print("| case | photons | threads | photons/ms (wall) | ratio to MCML | photons per CPU-ms | "
          "MCML photons/ms (1 thread) | load avg before |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['photons']} | {r['threads']} | {r['photons_per_ms']:.1f} | "
              f"{r['ratio_to_mcml']:.2f}x | {r['photons_per_cpu_ms']:.1f} | {r['mcml_photons_per_ms']:g} | "
              f"{r['load_average_before']:.2f} |")
    skin_rows = [r for r in rows if r["case"].startswith("skin7-600")]
    if isinstance(pmcx, dict):
        pm_rate = pmcx["photons"] / pmcx["wall_s"] / 1e3
        pm_kernel = pmcx["photons"] / pmcx["kernel_ms"]
        print(f"\npmcxcl (MCX-CL through PoCL, all cores, 10 um voxels, 4 x 4 mm lateral) on the skin case: "
              f"{pm_rate:.2f} photons/ms wall ({pm_kernel:.2f} in the kernel); lightdose on all threads is "
              f"{skin_rows[-1]['photons_per_ms'] / pm_rate:.1f}x faster.")
        pmcx["photons_per_ms_wall"] = pm_rate
    else:
        print(f"\npmcxcl comparison skipped: {pmcx}")
    result = {"machine": _machine(), "rows": rows, "pmcxcl": pmcx}
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "bench_mc.json").write_text(json.dumps(result, indent=2))
    return result


def _timed(case: McCase, threads: int) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one full simulation."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    simulate(case.stack, photons=case.photons, grid=case.grid, threads=threads, seed=7)
    return time.perf_counter() - t0, time.process_time() - c0


if __name__ == "__main__":
    main()
