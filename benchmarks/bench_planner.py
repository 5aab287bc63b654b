"""Speed of the planner's population coverage (issue: "1000 virtual people in under 30 s on 2 cores").

Times, after a warm-up: the coverage of 1000 virtual people on one site (fast δ-P1 solver per person under a
SkinBeam computed once, plus the thermal screen), and whole plans of the bundled examples with 1000 people per
site. Prints a Markdown table and writes benchmarks/results/planner.json. Wall-clock times of one run each (the
coverage of one site is the median of 3).
"""

from __future__ import annotations

from pathlib import Path

from timing import median_seconds, report

from lightdose.anatomy.population import sample_people
from lightdose.planning import load_scenario, plan
from lightdose.planning.coverage import light_coverage
from lightdose.transport.dose import skin_beam

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 1000


def _coverage_seconds(example: str, site_index: int, exposure_s: float) -> float:
    scenario = load_scenario(ROOT / "examples" / example)
    site = scenario.sites[site_index]
    placement = scenario.placement(site)
    people = sample_people(scenario.coverage.model_for(scenario.person), PEOPLE, scenario.seed)
    beam = skin_beam(placement.model(), placement.distance)
    stack = site.stack()
    light_coverage(sample_people(scenario.coverage.model_for(scenario.person), 5, 0), stack, beam, exposure_s,
                   scenario.goal.window, scenario.limits)  # warm-up (numba, caches)
    return median_seconds(lambda: light_coverage(people, stack, beam, exposure_s, scenario.goal.window,
                                                 scenario.limits), warm_up=False)


def _plan_seconds(example: str) -> float:
    scenario = load_scenario(ROOT / "examples" / example)
    return median_seconds(lambda: plan(scenario), repeats=1, warm_up=False)


def main() -> None:
    """Time the cases and print a table."""
    rows = {
        f"coverage, {PEOPLE} people, pad-890 on heel (finite beam, 6 layers)":
            _coverage_seconds("neuropathy-feet-pad890.yaml", 3, 2144.0),
        f"coverage, {PEOPLE} people, panel-660-850 at 15 cm on knee (2 bands)":
            _coverage_seconds("knee-panel.yaml", 0, 64.3),
        f"coverage, {PEOPLE} people, probe-810 on wrist": _coverage_seconds("carpal-tunnel-probe810.yaml", 0, 20.6),
    }
    for example in ("neuropathy-feet-pad890.yaml", "knee-panel.yaml", "carpal-tunnel-probe810.yaml"):
        rows[f"whole plan of examples/{example} ({PEOPLE} people per site)"] = _plan_seconds(example)
    report(rows, "s", "planner.json", digits=2)


if __name__ == "__main__":
    main()
