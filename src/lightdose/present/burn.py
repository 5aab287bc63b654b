"""The burn dose of a constant hold for people and programs: the JSON of `lightdose burn --json` and the terminal
summary (Ω and CEM43 after the hold, the time to each limit at that temperature, the constants that applied)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.limits import CONTACT_SKIN_LIMIT_C
from lightdose.present.text import duration, minutes, number, print_warnings
from lightdose.thermal.burn import BurnResult


def burn_json(result: BurnResult) -> dict[str, Any]:
    """The JSON of `lightdose burn`: times in s, CEM43 in min; a time is null when the limit is not reached within
    `horizon_s`."""
    c = result.constants
    return {
        "temperature_c": result.request.temperature,
        "time_s": result.request.time,
        "omega": result.omega,
        "cem43_min": result.cem43_min,
        "omega_limit": result.omega_limit,
        "time_to_omega_limit_s": result.time_to_omega_limit_s,
        "time_to_omega_threshold_s": result.time_to_omega_threshold_s,
        "cem43_limit_min": result.cem43_limit_min,
        "time_to_cem43_limit_s": result.time_to_cem43_limit_s,
        "horizon_s": result.horizon_s,
        "constants": {"key": c.key, "range": c.range_text(), "frequency_factor_per_s": c.frequency_factor,
                      "activation_energy_j_per_mol": c.activation_energy, "source": c.source},
        "warnings": list(result.warnings),
        "provenance": result.provenance.attrs(),
    }


def print_burn(result: BurnResult, console: Console) -> None:
    """The terminal summary of a constant hold."""
    request = result.request
    temperature = f"{request.temperature:g} °C"
    console.print(f"Skin (basal epidermis) held at {temperature} for {minutes(request.time)}: Ω = "
                  f"{number(result.omega, 3)} (Ω = 1: threshold of transepidermal necrosis, a second-degree burn), "
                  f"CEM43 = {number(result.cem43_min, 3)} min")
    never = f"not within {duration(result.horizon_s)}"
    table = Table(title=f"How long the skin can sit at {temperature}")
    table.add_column("limit")
    table.add_column(f"time at {temperature}", justify="right")
    for label, seconds in ((f"Ω = {result.omega_limit:g} (the planner's default limit)", result.time_to_omega_limit_s),
                           ("Ω = 1 (the burn threshold)", result.time_to_omega_threshold_s),
                           (f"CEM43 = {result.cem43_limit_min:g} min (the planner's default limit)",
                            result.time_to_cem43_limit_s)):
        table.add_row(label, never if seconds is None else minutes(seconds))
    console.print(table)
    c = result.constants
    console.print(f"Ω constants {c.range_text()}: A = {c.frequency_factor:.4g} 1/s, Ea = {c.activation_energy:.4g} "
                  f"J/mol ({escape(c.source)})")
    print_warnings(console, result.warnings)
    console.print(f"Contact limit for applied parts ≥ 10 min: {CONTACT_SKIN_LIMIT_C:g} °C (IEC 60601-1); pain is no "
                  "safeguard on an insensate foot. Not a medical device.")


__all__ = ["burn_json", "print_burn"]
