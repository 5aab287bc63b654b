"""What people and programs see of a laser-Doppler analysis (`lightdose ldf analyse`): JSON, the table of the
local-heating read-outs per channel, and the table of the fitted perfusion model. No physics here."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.markup import escape
from rich.table import Table

from lightdose.physiology.ldf_analysis import LdfResult
from lightdose.physiology.ldf_fit import LdfFit

_ROWS = (
    ("baseline [{u}]", "baseline_pu"),
    ("peak [{u}]", "peak_pu"),
    ("peak time [s]", "peak_time_s"),
    ("nadir [{u}]", "nadir_pu"),
    ("plateau [{u}]", "plateau_pu"),
    ("maximum [{u}]", "maximum_pu"),
    ("peak [% of max]", "peak_pct_max"),
    ("plateau [% of max]", "plateau_pct_max"),
    ("area above baseline [{u}·s]", "auc_pu_s"),
    ("back to baseline after [s]", "time_to_baseline_s"),
)
"""The rows of the analysis table: label ({u}: the channels' perfusion unit) and the key of the analysis."""
_COLUMN_UNIT = "unit"
"""{u} when the channels' units differ (PU and AU): each column's header then names its unit."""

def ldf_json(result: LdfResult) -> dict[str, Any]:
    """The analyses by channel (keys carry their unit: _pu, _s, _pu_s, _pct_max), the fit (each fitted parameter
    with ``determined``), warnings and provenance."""
    payload: dict[str, Any] = {"file": result.request.file,
                               "channels": {name: a.model_dump() for name, a in result.channels.items()}}
    if result.fit is not None:
        payload["fit"] = result.fit.model_dump(exclude={"parameters", "correlation"})
    payload["warnings"] = list(result.warnings)
    payload["provenance"] = asdict(result.provenance)
    return payload


def _number(value: float | None) -> str:
    """A table cell: '–' for none, whole numbers from 10 000 on (no scientific notation), else 4 digits."""
    if value is None:
        return "–"
    return f"{value:.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def analysis_table(result: LdfResult) -> Table:
    """The local-heating read-outs, one column per channel, every row with its unit (the channels' perfusion unit
    in the rows when they share one, else in each column's header)."""
    units = {a.units for a in result.channels.values()}
    unit = units.pop() if len(units) == 1 else _COLUMN_UNIT
    table = Table(title=f"{result.request.file}: local-heating analysis")
    table.add_column("quantity")
    for name, analysis in result.channels.items():
        table.add_column(escape(name if unit != _COLUMN_UNIT else f"{name} [{analysis.units}]"), justify="right")
    for label, key in _ROWS:
        table.add_row(escape(label.format(u=unit)), *(_number(getattr(a, key)) for a in result.channels.values()))
    return table


def _standard_error(standard_error: float | None, determined: bool) -> str:
    if standard_error is None:
        return "undetermined"
    return f"{standard_error:.3g}" if determined else f"undetermined (± {standard_error:.3g})"


def fit_table(fit: LdfFit) -> Table:
    """The fitted parameters with their standard errors and units; undetermined ones say so."""
    table = Table(title=f"Perfusion model fitted to {fit.flux_channel} (temperature: {fit.temperature_channel}); "
                        f"R² {fit.r_squared:.3f}")
    for column in ("parameter", "value", "standard error", "unit"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for p in fit.fitted:
        table.add_row(p.name, f"{p.value:.4g}", _standard_error(p.standard_error, p.determined), p.units)
    return table


def fit_notes(fit: LdfFit) -> list[str]:
    """What the fit table's standard errors mean, for under it ("undetermined" values: see the result's warnings)."""
    return ["Standard errors assume independent residuals; the residuals' lag-1 autocorrelation is "
            f"{fit.residual_lag1_autocorrelation:.2f}: multiply them by about {fit.se_inflation_ar1:.2g} "
            "(AR(1) inflation, se_inflation_ar1 in the JSON)."]
