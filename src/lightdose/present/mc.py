"""Presentation of the Monte Carlo stage (:class:`~lightdose.transport.mc.McResult`): JSON, terminal tables and the
note on a partial result. No physics here."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from rich.table import Table

from lightdose.transport.mc import McResult, McRun


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def _references(run: McRun) -> list[dict[str, Any]]:
    out = []
    for ref in run.references:
        value, se = ref.measured(run.dataset)
        out.append({"quantity": ref.quantity, "reference": ref.value, "half_width": ref.half_width,
                    "reference_photons": ref.photons, "source": ref.source, "kind": ref.kind, "ours": value,
                    "ours_se": se, "deviation_se": ref.deviation(value, se, run.photons)})
    return out


def run_summary(run: McRun, result: McResult) -> dict[str, Any]:
    """One run as JSON-ready values (fractions of the incident power; `seconds` is the wall time)."""
    ds = run.dataset
    return {
        "run": run.name,
        "rsp": run.rsp,
        "rd": run.rd,
        "a": run.a,
        "tt": run.tt,
        "rd_se": run.rd_se,
        "a_se": run.a_se,
        "tt_se": run.tt_se,
        "a_layers": list(run.a_layer),
        "a_layers_se": list(run.a_layer_se),
        "photons": run.photons,
        "photons_requested": run.photons_requested,
        "seed": run.seed,
        "seconds": run.wall_time_s,
        "photons_per_ms": run.photons_per_ms,
        "partial": run.partial,
        "scored_weight": run.scored_weight,
        "scored_weight_se": run.scored_weight_se,
        "z_mm": [float(v) for v in ds["z"].values],
        "fluence_z": [_finite(float(v)) for v in ds["fluence_z"].values],
        "references": _references(run),
        "provenance": asdict(result.provenance),
    }


def summary(result: McResult) -> list[dict[str, Any]]:
    """The result as `lightdose mc --json` prints it: a list with one object per run."""
    return [run_summary(run, result) for run in result.runs]


def tables(result: McResult, origin: str) -> list[Table]:
    """Per run a table of Rsp, Rd, A, Tt with standard errors, A per layer, the conservation check and the speed, and
    for a case a table of its references. `origin` names what was simulated (the .mci file or the case)."""
    out = []
    for run in result.runs:
        table = Table(title=f"{origin}: run {run.name} ({run.photons} photons, seed {run.seed})")
        table.add_column("quantity")
        table.add_column("value", justify="right", no_wrap=True)
        table.add_column("std. error", justify="right", no_wrap=True)
        table.add_row("Rsp (specular reflectance)", f"{run.rsp:.5f}", "exact")
        for label, value, se in (("Rd (diffuse reflectance)", run.rd, run.rd_se), ("A (absorbed)", run.a, run.a_se),
                                 ("Tt (transmittance)", run.tt, run.tt_se)):
            table.add_row(label, f"{value:.5f}", f"{se:.5f}")
        names = [str(v) for v in run.dataset["layer_name"].values]
        for name, value, se in zip(names, run.a_layer, run.a_layer_se, strict=True):
            table.add_row(f"  A in {name}", f"{value:.5f}", f"{se:.5f}")
        table.add_row("weight scored per photon (1 − Rsp if conserved)", f"{run.scored_weight:.7f}",
                      f"{run.scored_weight_se:.1e}")
        table.add_row("photons per ms", f"{run.photons_per_ms:.1f}", "")
        out.append(table)
        if run.references:
            refs = Table(title=f"{run.name}: references (deviation in combined standard errors)")
            for column in ("quantity", "reference", "ours", "deviation", "source"):
                refs.add_column(column, justify="left" if column in ("quantity", "source") else "right",
                                no_wrap=column != "source")
            for ref in run.references:
                value, se = ref.measured(run.dataset)
                refs.add_row(ref.quantity, ref.label(), f"{value:.5f} ± {se:.5f}",
                             f"{ref.deviation(value, se, run.photons):.1f}", ref.source)
            out.append(refs)
    return out


def partial_note(result: McResult) -> str | None:
    """The line that says a result is partial (None when it is complete)."""
    if not result.partial:
        return None
    last = result.runs[-1]
    skipped = result.runs_requested - len(result.runs)
    note = f"interrupted: partial result ({last.photons} of {last.photons_requested} photons in run {last.name}"
    return note + (f"; {skipped} run(s) not started)" if skipped else ")")
