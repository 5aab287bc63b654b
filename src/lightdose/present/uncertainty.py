"""The spread of a dose or a plan over the uncertain tissue inputs (`--uncertainty N` of `depth-dose` and `plan`):
a table of percentiles and its JSON, in display units."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.present.text import number
from lightdose.units import j_cm2, mw_cm2

if TYPE_CHECKING:
    from lightdose.sweep.uncertainty import Uncertainty

DISPLAY: dict[str, tuple[str, str, Callable[[float], float]]] = {
    "target_fluence": ("dose at the target", "J/cm²", j_cm2),
    "target_fluence_rate": ("fluence rate", "mW/cm²", mw_cm2),
    "exposure": ("exposure per point", "min", lambda seconds: seconds / 60.0),
    "peak_skin_temperature": ("peak skin temperature", "°C", lambda celsius: celsius),
}
"""Each output's label, display unit and conversion from its canonical unit."""
JSON_KEYS = {"target_fluence": "target_fluence_j_cm2", "target_fluence_rate": "target_fluence_rate_mw_cm2",
             "exposure": "exposure_min", "peak_skin_temperature": "peak_skin_temperature_c"}
DRAWN = ("dermal reduced scattering uniformly between the parameter set's low optics (in-vivo mean − 1 SD) and high "
         "optics (excised dermis), and dermal blood uniformly in 0.2–2 %")
"""What is drawn, in words (lightdose.sweep.uncertainty.UNCERTAIN_FIELDS)."""


def _rows(u: Uncertainty, site: int) -> dict[str, list[float | None]]:
    from lightdose.sweep.uncertainty import percentiles_at

    found = percentiles_at(u.dataset, [name for name in DISPLAY if name in u.dataset], site)
    return {name: [None if value != value else DISPLAY[name][2](value) for value in by_p.values()]
            for name, by_p in found.items()}


def uncertainty_json(u: Uncertainty, sites: list[str] | None = None) -> dict[str, Any]:
    """JSON of the spread: the draws, the percentiles and, per output, its values at them (per site for a plan)."""
    from lightdose.sweep.uncertainty import PERCENTILES

    def values(site: int) -> dict[str, list[float | None]]:
        return {JSON_KEYS[name]: row for name, row in _rows(u, site).items()}

    payload: dict[str, Any] = {"samples": u.samples, "seed": u.seed, "failed": u.failed, "drawn": DRAWN,
                               "percentiles": list(PERCENTILES)}
    if sites is None:
        payload["target"] = values(0)
    else:
        payload["sites"] = [{"site": name} | values(i) for i, name in enumerate(sites)]
    return payload


def print_uncertainty(u: Uncertainty, console: Console, sites: list[str] | None = None) -> None:
    """A table per site (or one for a dose request): each output at the 5th, 25th, 50th, 75th and 95th percentile
    of the draws."""
    from lightdose.sweep.uncertainty import PERCENTILES

    console.print(f"\nUncertainty from tissue optics and dermal blood: {u.samples} draws (seed {u.seed}) of "
                  f"{DRAWN}." + (f" {u.failed} draws were refused by the model and left out." if u.failed else "")
                  + (" A plan aims its dose at the target, so the spread shows in the exposure it needs."
                     if sites is not None else ""))
    for i, title in enumerate(sites or ["at the target's mid-depth"]):
        table = Table(title=escape(title), title_justify="left")
        table.add_column("quantity", no_wrap=True)
        for p in PERCENTILES:
            table.add_column(f"{p:g}th pct", justify="right")
        for name, row in _rows(u, i).items():
            label, unit, _ = DISPLAY[name]
            table.add_row(escape(f"{label} [{unit}]"), *[number(value) for value in row])
        console.print(table)
