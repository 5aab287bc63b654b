"""Run every benchmark (``make bench``). Each writes its table to stdout and its JSON to benchmarks/results/."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_bioheat  # noqa: E402
import bench_fast_solver  # noqa: E402
import bench_mc  # noqa: E402
import bench_perfusion  # noqa: E402
import bench_planner  # noqa: E402
import bench_sweep  # noqa: E402


def main() -> None:
    """Run the benchmarks in turn."""
    print("## Layered Monte Carlo (benchmarks/bench_mc.py)\n")
    bench_mc.main()
    print("\n## Fast δ-P1 solver and dose at depth (benchmarks/bench_fast_solver.py)\n")
    bench_fast_solver.main()
    print("\n## 1-D bioheat (benchmarks/bench_bioheat.py)\n")
    bench_bioheat.main()
    print("\n## Perfusion (benchmarks/bench_perfusion.py)\n")
    bench_perfusion.main()
    print("\n## Planner: population coverage (benchmarks/bench_planner.py)\n")
    bench_planner.main()
    print("\n## Sweeps on a local Dask cluster (benchmarks/bench_sweep.py)\n")
    bench_sweep.main(["--json", str(Path(__file__).resolve().parent / "results" / "sweep.json")])


if __name__ == "__main__":
    main()
