"""Speed of the fast δ-P1 solver and of a whole dose-at-depth evaluation (issue: "one depth profile < 20 ms").

Prints a Markdown table and writes benchmarks/results/fast_solver.json. Timings are the median of repeated
calls after one warm-up call.
"""

from __future__ import annotations

from timing import median_seconds, report

from lightdose.anatomy import sites
from lightdose.transport.diffusion import _ring_quadrature, solve_broad_beam, solve_finite_beam, solve_ring_beam
from lightdose.transport.dose import depth_dose, skin_beam
from lightdose.transport.stack_spec import stack_spec


def main() -> None:
    """Time the solver cases and print a table."""
    heel, wrist = stack_spec(sites.get("heel"), 850.0), stack_spec(sites.get("wrist"), 810.0)
    pad = skin_beam("pad-890")
    rings = (pad.profile_radius_mm, pad.profile[0])

    def ring_beam_uncached():
        _ring_quadrature.cache_clear()
        return solve_ring_beam(heel, *rings)
    cases = {
        "broad-beam depth profile, heel (6 layers), 850 nm": (lambda: solve_broad_beam(heel), 50),
        "broad-beam depth profile, wrist (5 layers), 810 nm": (lambda: solve_broad_beam(wrist), 50),
        "finite beam a = 5.6 mm on the axis, wrist, 810 nm": (lambda: solve_finite_beam(wrist, 5.64), 10),
        f"ring profile of pad-890 ({rings[0].size} rings) on the axis, heel, quadrature cached": (
            lambda: solve_ring_beam(heel, *rings), 10),
        "same, quadrature weights recomputed": (ring_beam_uncached, 10),
        "stack_spec + broad beam (optics from composition)": (
            lambda: solve_broad_beam(stack_spec(sites.get("ankle-medial"), 890.0)), 20),
        "depth_dose pad-890 on ankle-medial (map + profile + finite beam)": (
            lambda: depth_dose("pad-890", "ankle-medial", exposure="30 min"), 5),
        "depth_dose panel-660-850 at 15 cm on knee (2 bands)": (
            lambda: depth_dose("panel-660-850", "knee", distance="15 cm", exposure="10 min"), 5),
    }
    report({name: 1e3 * median_seconds(func, repeats) for name, (func, repeats) in cases.items()}, "ms",
           "fast_solver.json", digits=1)


if __name__ == "__main__":
    main()
