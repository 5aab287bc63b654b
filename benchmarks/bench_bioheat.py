"""Speed of the bioheat solvers (issue targets: a 40-minute 1-D session < 0.5 s, a 2-D r–z session < 5 s).

Prints a Markdown table and writes benchmarks/results/bioheat.json (median of 3 runs after a warm-up).
"""

from __future__ import annotations

import numpy as np
from timing import median_seconds, report

from lightdose.anatomy import sites
from lightdose.thermal import make_grid, solve_pennes
from lightdose.thermal.pennes_rz import make_grid_rz, solve_rz
from lightdose.thermal.session import heat_session


def main() -> None:
    """Time the cases and print a table."""
    grid = make_grid(sites.get("foot-dorsum"))
    source = 7.5e-5 * np.exp(-grid.z / 2.0)
    cases = {
        f"solve_pennes, foot-dorsum ({grid.z.size} nodes), 40 min, dt 1 s": lambda: solve_pennes(
            grid, duration="40 min", dt=1.0, source=source),
        "heat_session pad-890 on foot-dorsum, 40 min (light dose + bioheat + burn dose)": lambda: heat_session(
            "pad-890", "foot-dorsum", time="40 min"),
        "heat_session heating-pad-42 on heel, 40 min": lambda: heat_session("heating-pad-42", "heel", time="40 min"),
    }
    grid_rz = make_grid_rz(sites.get("foot-dorsum"), radius=60.0, depth=40.0)
    pad = 3.2e-4 * np.clip((26.8**2 - grid_rz.r_faces[:-1] ** 2) / np.diff(grid_rz.r_faces**2), 0.0, 1.0)
    size = f"{grid_rz.r.size} × {grid_rz.z.size} cells"
    cases[f"solve_rz, foot-dorsum ({size}), 32 mW/cm² disc of 26.8 mm, 40 min, dt 5 s"] = lambda: solve_rz(
        grid_rz, "40 min", dt="5 s", q_surface=pad)
    cases["same, dt 1 s"] = lambda: solve_rz(grid_rz, "40 min", dt="1 s", q_surface=pad)
    report({name: median_seconds(func) for name, func in cases.items()}, "s", "bioheat.json")


if __name__ == "__main__":
    main()
