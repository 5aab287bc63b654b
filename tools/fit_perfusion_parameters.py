"""Fit the perfusion model to the local-heating calibration targets and write the fitted values into the default
parameter set.

The targets and the read-out rules are in :mod:`lightdose.physiology.calibration` (Minson, Berry & Joyner 2001,
J Appl Physiol 91:1619, and the plateau values in docs/references.md). The fit starts from hand-derived values below
(reasoned from the targets: the NO-independent path carries 30 of the 77 % plateau rise and is mostly up by the
peak, the NO path lags, the axon reflex peaks at 3–5 min) and rewrites the block between the ``BEGIN perfusion
calibration`` and ``END perfusion calibration`` lines of ``src/lightdose/data/parameters/default.yaml``, and the
figure ``docs/perfusion-calibration.png``.

Run from the repository root (~30 s):

    .venv/bin/python tools/fit_perfusion_parameters.py

``tests/validation/test_perfusion_calibration.py`` checks that the shipped values reproduce every target within
its SD and that this fit, re-run from the shipped values, does not move them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lightdose.physiology.calibration import FITTED, fit, predict, shape_checks, with_values
from lightdose.physiology.perfusion import PARAMETER_KEYS, default_parameters

ROOT = Path(__file__).resolve().parents[1]
PARAMETER_SET = ROOT / "src" / "lightdose" / "data" / "parameters" / "default.yaml"
FIGURE = ROOT / "docs" / "perfusion-calibration.png"
START = {
    "plateau_amplitude_pct_max": 90.0, "plateau_half_rise_k": 6.5, "plateau_hill": 5.5, "no_share": 0.61,
    "tau_thermal_s": 150.0, "tau_no_s": 220.0, "axon_gain_pct_max_per_k": 9.0, "tau_axon_rise_s": 60.0,
    "tau_axon_adapt_s": 150.0, "axon_no_share": 0.44,
}
BLOCK = re.compile(r"(  # BEGIN perfusion calibration[^\n]*\n)(.*?)(  # END perfusion calibration)", re.S)


def _write(fitted: Any) -> None:
    """Replace the fitted values in the parameter set's calibration block (other lines stay as they are)."""
    text = PARAMETER_SET.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    if match is None:
        raise SystemExit(f"no 'BEGIN/END perfusion calibration' block in {PARAMETER_SET}")
    lines = match.group(2).splitlines(keepends=True)
    for name in FITTED + ("tau_thermal_off_s", "tau_no_off_s"):
        key = PARAMETER_KEYS[name]
        lines = [re.sub(r"value: [^,]+,", f"value: {round(float(getattr(fitted, name)), 4)},", line)
                 if line.strip().startswith(key + ":") else line for line in lines]
    PARAMETER_SET.write_text(text[:match.start(2)] + "".join(lines) + text[match.end(2):], encoding="utf-8")


def main() -> None:
    start = with_values(default_parameters().model_copy(update=START), START)
    fitted, cost = fit(start)
    _write(fitted)
    for target, value in predict(fitted):
        print(f"{target.name:34s} target {target.value:6.1f} ± {target.sd:4.1f}   model {value:6.1f}")
    plot_calibration(fitted, FIGURE)
    shape = {name: round(value, 2) for name, value in shape_checks(fitted).items()}
    print(f"shape: {shape}; cost {cost:.3f}; written to {PARAMETER_SET} and {FIGURE}")


def plot_calibration(parameters: Any, path: Path) -> Path:
    """Write a PNG of the model's local-heating responses (42 °C control, EMLA, L-NAME, both; 39 and 43.5 °C) with
    the calibration targets (mean ± SD) of :mod:`lightdose.physiology.calibration`."""
    from matplotlib.figure import Figure

    from lightdose.physiology.calibration import PLATEAU_WINDOW_S, TARGETS, Condition, heating_protocol, predict
    from lightdose.physiology.perfusion import PerfusionModifiers, simulate_perfusion

    fig = Figure(figsize=(10, 5), dpi=110)
    ax = fig.subplots()
    runs = {"42 °C": Condition(), "42 °C + EMLA": Condition(local_anaesthetic=True),
            "42 °C + L-NAME": Condition(nos_inhibition=True),
            "42 °C + EMLA + L-NAME": Condition(local_anaesthetic=True, nos_inhibition=True),
            "39 °C": Condition(temperature_c=39.0), "43.5 °C": Condition(temperature_c=43.5)}
    colours = dict(zip(runs, ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown"),
                       strict=True))
    for label, condition in runs.items():
        t, temperature = heating_protocol(condition.temperature_c)
        modifiers = PerfusionModifiers(local_anaesthetic=condition.local_anaesthetic,
                                       nos_inhibition=condition.nos_inhibition)
        p = simulate_perfusion(t, temperature, parameters, modifiers).perfusion_pct_max.values
        ax.plot(t / 60.0, p, color=colours[label], lw=1.6, label=label)
    peak_time = next(v for tg, v in predict(parameters) if tg.readout == "peak_time_min")
    for target in TARGETS:
        if target.readout == "peak_time_min":
            continue
        label = next(k for k, c in runs.items() if c == target.condition)
        x = peak_time if target.readout == "peak" else sum(PLATEAU_WINDOW_S) / 120.0
        ax.errorbar(x, target.value, yerr=target.sd, fmt="o", ms=4, capsize=3, color=colours[label])
    ax.set_xlabel("time from the start of heating [min] (33 °C, then 0.1 °C/s to the hold temperature)")
    ax.set_ylabel("perfusion [% of maximal CVC]")
    ax.set_ylim(0, 105)
    ax.set_title("Calibration: model (lines) vs local-heating data (points, mean ± SD; docs/references.md)",
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.text(0.01, 0.005, "lightdose — model estimate (perfusion calibrated to forearm local-heating data)",
             fontsize=7, color="0.4")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    return out


if __name__ == "__main__":
    main()
