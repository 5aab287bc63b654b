"""The whole body in a sauna for people and programs: JSON (`sauna --json`) and the terminal table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.present.text import print_warnings
from lightdose.thermal.sauna import SaunaResult


def sauna_json(result: SaunaResult) -> dict[str, Any]:
    """The JSON of `lightdose sauna`: time [s]; core (rectal), central blood and mean skin temperature [°C]; skin
    blood flow and cardiac output [L/min]; latent heat leaving the skin [W] (negative where vapour condenses on it);
    cumulative secreted and evaporated sweat [g]; the peak core temperature and its rise [°C]; the warnings."""
    ds = result.dataset

    def values(name: str) -> list[float]:
        return [round(float(v), 4) for v in ds[name].values]

    return {
        "t_s": values("t"),
        "core_temp_c": values("core_temp"),
        "central_blood_temp_c": values("central_blood_temp"),
        "mean_skin_temp_c": values("mean_skin_temp"),
        "skin_blood_flow_l_min": values("skin_blood_flow"),
        "cardiac_output_l_min": values("cardiac_output"),
        "skin_latent_heat_loss_w": values("skin_latent_heat_loss"),
        "sweat_loss_g": values("sweat_loss"),
        "sweat_evaporated_g": values("sweat_evaporated"),
        "peak_core_temp_c": round(result.peak_core_temp_c, 4),
        "peak_core_rise_c": round(result.peak_core_rise_c, 4),
        "exceeds_physiological_limits": result.exceeds_physiological_limits,
        "warnings": list(result.warnings),
        "provenance": result.provenance.attrs(),
    }


def print_sauna(result: SaunaResult, console: Console) -> None:
    """The table of the session minute by minute (every fifth minute) and its warnings."""
    request, ds = result.request, result.dataset
    table = Table(title=f"Sauna {request.air_temperature:g} °C air, {100 * request.relative_humidity:g} % RH, "
                        f"{request.exposure / 60:g} min, then {request.after / 60:g} min rest (JOS-3)")
    for column in ("t [min]", "core (rectal) [°C]", "central blood [°C]", "mean skin [°C]",
                   "skin blood flow [L/min]", "cardiac output [L/min]", "sweat [g]", "evaporated [g]"):
        table.add_column(escape(column), justify="right")
    t = ds.t.values
    last = t.size - 1
    for i, time in enumerate(t):
        if i % 5 == 0 or i == last or time == request.exposure:
            table.add_row(f"{time / 60:g}", f"{ds.core_temp.values[i]:.2f}", f"{ds.central_blood_temp.values[i]:.2f}",
                          f"{ds.mean_skin_temp.values[i]:.2f}", f"{ds.skin_blood_flow.values[i]:.2f}",
                          f"{ds.cardiac_output.values[i]:.2f}", f"{ds.sweat_loss.values[i]:.0f}",
                          f"{ds.sweat_evaporated.values[i]:.0f}")
    console.print(table)
    console.print(f"Peak core (rectal) rise {result.peak_core_rise_c:.2f} °C; sweat {result.sweat_loss_g:.0f} g, of "
                  f"which {result.sweat_evaporated_g:.0f} g evaporated. Not a medical device.")
    print_warnings(console, result.warnings)
