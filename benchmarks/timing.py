"""Shared helpers of the benchmarks: median wall time after a warm-up, and the table + JSON each one writes."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(func: Callable[[], object], repeats: int = 3, warm_up: bool = True) -> float:
    """Median wall time [s] of `repeats` calls of `func`, after one untimed call (numba compilation, caches)."""
    if warm_up:
        func()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(rows: dict[str, float], unit: str, filename: str, digits: int = 3) -> None:
    """Print `rows` (case → time in `unit`) as a Markdown table and write them, with the machine, to
    benchmarks/results/`filename`."""
    print(f"| case | median time [{unit}] |\n|---|---:|")
    for name, value in rows.items():
        print(f"| {name} | {value:.{digits}f} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / filename).write_text(json.dumps(
        {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
         "python": platform.python_version(), "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
         "unit": unit, "times": rows}, indent=2))
