"""Numbers and times as people read them in tables and sentences."""

from __future__ import annotations

import math
from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape


def number(value: float | None, digits: int = 3) -> str:
    """`value` with `digits` significant digits, in plain notation from 0.001 to 999 999 ("0.882", "2420", "35.4"),
    "< 0.001" closer to zero (clinical tables have no use for 4.9e-07) and scientific notation only from a million;
    "–" for None and "n/a" for a non-finite value."""
    if value is None:
        return "–"
    if not math.isfinite(value):
        return "n/a"
    if value == 0.0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-3:
        return "< 0.001" if value > 0 else "> -0.001"
    if magnitude < 1e6:
        decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
        text = f"{round(value, decimals):.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.{digits - 1}e}"


def minutes(seconds: float | None) -> str:
    """A duration [s] as minutes and seconds for clinical tables: "53 s", "2 min 15 s", "40 min", "1 h 30 min"."""
    if seconds is None:
        return "–"
    total = round(seconds)
    if total < 60:
        return f"{seconds:.2g} s" if seconds < 1 else f"{total} s"
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    parts = ([f"{hours} h"] if hours else []) + ([f"{mins} min"] if mins else []) + ([f"{secs} s"] if secs and
                                                                                      not hours else [])
    return " ".join(parts)


def duration(seconds: float) -> str:
    """A duration [s] in h from 1 h on, else in min ("4 h", "1.5 h", "30 min")."""
    return f"{seconds / 3600:g} h" if abs(seconds) >= 3600 else f"{seconds / 60:g} min"


def print_warnings(console: Console, warnings: Iterable[str]) -> None:
    """Each warning on its own line, ``warning: ...`` in yellow (the text escaped: it may quote user input)."""
    for note in warnings:
        console.print(f"[yellow]warning:[/] {escape(note)}")
