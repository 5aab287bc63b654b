"""Speed of the perfusion model and of perfusion sessions coupled with bioheat.

Prints a Markdown table and writes benchmarks/results/perfusion.json (median of 3 runs after a warm-up).
"""

from __future__ import annotations

from timing import median_seconds, report

from lightdose.physiology.calibration import fit, heating_protocol
from lightdose.physiology.perfusion import default_parameters, simulate_perfusion
from lightdose.physiology.session import perfusion_session


def main() -> None:
    """Time the cases and print a table."""
    t, temperature = heating_protocol(42.0, duration_s=4 * 3600.0, step_s=1.0)
    cases = {
        f"simulate_perfusion, one site, 4 h at 1 s ({t.size} samples)": lambda: simulate_perfusion(t, temperature),
        "perfusion_session pad-890 on foot-dorsum, 30 min + 4 h after (1-D, dt 1 s)": lambda: perfusion_session(
            "pad-890", "foot-dorsum", time="30 min", after="4 h"),
        "perfusion_session probe-810 on wrist, 30 min + 4 h after (r–z)": lambda: perfusion_session(
            "probe-810", "wrist", time="30 min", after="4 h"),
        "calibration fit (tests/validation/fit_perfusion_parameters.py's fit)": lambda: fit(default_parameters()),
    }
    report({name: median_seconds(func) for name, func in cases.items()}, "s", "perfusion.json")


if __name__ == "__main__":
    main()
