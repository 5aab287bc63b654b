"""Fit the perfusion model to the local-heating calibration targets and write the shipped parameter file.

The targets and the read-out rules are in :mod:`lightdose.physiology.calibration` (Minson, Berry & Joyner 2001,
J Appl Physiol 91:1619; SCIENCE.md §7). The fit starts from the hand-derived values below (reasoned from the
targets: the NO-independent path carries 30 of the 77 % plateau rise and is mostly up by the peak, the NO path
lags, the axon reflex peaks at 3–5 min) and writes ``src/lightdose/data/perfusion_parameters.yaml`` and the
figure ``docs/perfusion-calibration.png``.

Run from the repository root (~30 s):

    .venv/bin/python tests/validation/fit_perfusion_parameters.py

``tests/validation/test_perfusion_calibration.py`` checks that the shipped file reproduces every target within
its SD and that this fit, re-run from the shipped values, does not move them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lightdose.physiology.calibration import FITTED, fit, predict, shape_checks, with_values
from lightdose.physiology.perfusion import PerfusionParameters
from lightdose.physiology.plot import plot_calibration

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "src" / "lightdose" / "data" / "perfusion_parameters.yaml"
FIGURE = ROOT / "docs" / "perfusion-calibration.png"
START = {
    "plateau_amplitude_pct_max": 90.0, "plateau_half_rise_k": 6.5, "plateau_hill": 5.5, "no_share": 0.61,
    "tau_thermal_s": 150.0, "tau_no_s": 220.0, "axon_gain_pct_max_per_k": 9.0, "tau_axon_rise_s": 60.0,
    "tau_axon_adapt_s": 150.0, "axon_no_share": 0.44,
}
HEADER = """\
# Calibrated parameters of the local skin perfusion model (lightdose.physiology.perfusion).
# Written by tests/validation/fit_perfusion_parameters.py: weighted least squares against the local-heating
# targets of lightdose.physiology.calibration (Minson, Berry & Joyner 2001, J Appl Physiol 91:1619; SCIENCE.md §7).
# Fitted: {fitted}.
# Recovery time constants equal the rise ones (no recovery data in the calibration studies). Die-away and the
# optional light-driven NO term keep lightdose's documented assumptions [verify]. Units: % of maximal CVC, K, s,
# mW/cm^2. Do not edit by hand: re-run the script.
"""


def main() -> None:
    start = with_values(PerfusionParameters(**START, tau_thermal_off_s=1.0, tau_no_off_s=1.0), START)
    fitted, cost = fit(start)
    checks = {target.name: {"target": target.value, "sd": target.sd, "model": round(value, 2),
                            "source": target.source} for target, value in predict(fitted)}
    shape = {name: round(value, 2) for name, value in shape_checks(fitted).items()}
    document = {
        "parameters": {name: round(float(value), 4) for name, value in fitted.model_dump().items()},
        "calibration": {"cost": round(cost, 4), "targets": checks, "shape": shape},
    }
    OUTPUT.write_text(HEADER.format(fitted=", ".join(FITTED))
                      + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for name, row in checks.items():
        print(f"{name:34s} target {row['target']:6.1f} ± {row['sd']:4.1f}   model {row['model']:6.1f}")
    plot_calibration(fitted, FIGURE)
    print(f"shape: {shape}; cost {cost:.3f}; written to {OUTPUT} and {FIGURE}")


if __name__ == "__main__":
    main()
