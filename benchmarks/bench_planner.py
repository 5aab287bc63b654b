"""Speed of the planner's population coverage (issue: "1000 virtual people in under 30 s on 2 cores").

Times, after a warm-up: the coverage of 1000 virtual people on one site at the exposure the plan chooses (fast δ-P1
solver per person under a SkinBeam computed once, plus the thermal screen); the heel's coverage when thermal limits
are broken (skin limit 35 °C: everyone breaks it; 39 °C: about half do), where the people between the population's
extremes are split by monotonicity, against a bioheat run for every person (the time per run and whether the two
agree are printed); and whole plans of the bundled examples with 1000 people per site. Prints a Markdown table and
writes benchmarks/results/planner.json. The coverage of one site is the median of 3 runs; the rest one run each.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from timing import median_seconds, report

from lightdose.anatomy.population import sample_people
from lightdose.planning import load_scenario, plan
from lightdose.planning.coverage import SCREEN_STEP_S, light_coverage
from lightdose.planning.safety import Limits, heat_within_range, thermal_verdict
from lightdose.transport.dose import skin_beam

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 1000


class Case:
    """One site of an example, at the exposure its plan chooses, with the example's population."""

    def __init__(self, example: str, site_index: int):
        self.scenario = load_scenario(ROOT / "examples" / example)
        self.site = self.scenario.sites[site_index]
        placement = self.scenario.placement(self.site)
        unpeopled = self.scenario.model_copy(update={"coverage": self.scenario.coverage.model_copy(
            update={"people": 0})})
        self.exposure_s = float(plan(unpeopled).sites[site_index].exposure_s)
        self.people = sample_people(self.scenario.coverage.model_for(self.scenario.person), PEOPLE, self.scenario.seed)
        self.beam = skin_beam(placement.model(), placement.distance)
        self.stack = self.site.stack()

    def coverage(self, limits: Limits | None = None):
        """The coverage of the site (the scenario's limits unless given)."""
        return light_coverage(self.people, self.stack, self.beam, self.exposure_s, self.scenario.goal.window,
                              limits or self.scenario.limits)

    def everyone_breaks(self, limits: Limits) -> np.ndarray:
        """Whether each person breaks a thermal limit, from a bioheat run of every person (the reference)."""
        dt = min(SCREEN_STEP_S, self.exposure_s / 4.0)
        return np.array([thermal_verdict(heat_within_range(self.beam, self.stack, self.people.person(i),
                                                           self.exposure_s, distance=self.beam.distance_mm, dt=dt),
                                         limits).time_s <= self.exposure_s
                         for i in range(PEOPLE)])


def main() -> None:
    """Time the cases and print a table."""
    heel = Case("neuropathy-feet-pad890.yaml", 3)
    cases = {"pad-890 on heel (finite beam, 6 layers)": heel,
             "panel-660-850 at 15 cm on knee (2 bands)": Case("knee-panel.yaml", 0),
             "probe-810 on wrist": Case("carpal-tunnel-probe810.yaml", 0)}
    heel.coverage()  # warm-up (numba, caches)
    rows = {}
    for name, case in cases.items():
        rows[f"coverage, {PEOPLE} people, {name}, {case.exposure_s / 60:.3g} min"] = median_seconds(
            case.coverage, warm_up=False)
    for limit_c in (35.0, 39.0):
        limits = Limits(skin_temperature=limit_c)
        start = time.perf_counter()
        split = heel.coverage(limits)
        rows[f"coverage, heel, skin limit {limit_c:g} °C: {split.thermal_check} ({100 * split.unsafe:.0f} % unsafe)"] \
            = time.perf_counter() - start
    start = time.perf_counter()
    reference = heel.everyone_breaks(limits)
    seconds = time.perf_counter() - start
    rows[f"heel, skin limit {limit_c:g} °C: bioheat run for every person ({1000 * seconds / PEOPLE:.0f} ms each; "
         f"{int((reference != split.unsafe_people).sum())} verdicts differ from the split)"] = seconds
    for example in ("neuropathy-feet-pad890.yaml", "knee-panel.yaml", "carpal-tunnel-probe810.yaml"):
        scenario = load_scenario(ROOT / "examples" / example)
        rows[f"whole plan of examples/{example} ({PEOPLE} people per site)"] = median_seconds(
            lambda s=scenario: plan(s), repeats=1, warm_up=False)
    report(rows, "s", "planner.json", digits=2)


if __name__ == "__main__":
    main()
