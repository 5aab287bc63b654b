"""Computing cells: the outputs of one cell of a :class:`~lightdose.sweep.spec.Sweep`, and of one chunk of cells.

This is what runs on the Dask workers. A chunk's values depend only on the sweep and the chunk's number — the
cells' requests are built from the sweep's canonical values, every stage is deterministic (seeded where it draws)
— so a chunk computed twice (a worker lost, a run resumed) gives the same numbers to the last bit, wherever it ran.

A cell whose combination of values a stage refuses (an input error: e.g. a distance a contact pad cannot have with
the chosen device) is recorded as failed, with NaN outputs and coded outputs at
:data:`~lightdose.sweep.outputs.MISSING_CODE`; any other exception is a bug and ends the task.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from lightdose.errors import LightdoseError
from lightdose.sweep.outputs import MISSING_CODE, OUTPUTS, encode
from lightdose.sweep.spec import Sweep, cell_request

CellValues = dict[str, float | int | list[float | int]]
"""An output name → its value (a list over the sites for a scenario)."""


@dataclass(frozen=True)
class ChunkValues:
    """The outputs of one chunk of cells: arrays shaped like the chunk's region (plus ``site`` for a scenario),
    ``failed`` per cell, and the first refusal's message (None when every cell ran)."""

    chunk: int
    values: dict[str, NDArray[Any]]
    failed: NDArray[np.bool_]
    first_error: str | None
    seconds: float
    """Wall time of the chunk on its worker [s] (not part of the result)."""


def assignment(sweep: Sweep, index: tuple[int, ...]) -> dict[str, Any]:
    """The field values (canonical) of the cell at `index` (one position per dimension)."""
    values: dict[str, Any] = {}
    for dim, i in zip(sweep.dims, index, strict=True):
        for path, choices in dim.fields:
            values[path] = choices[i]
    return values


def _none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _dose_outputs(sweep: Sweep, request: Any) -> CellValues:
    from lightdose.transport.dose import depth_dose

    result = depth_dose(request)
    target = result.target(sweep.target) if result.targets else None
    return {"target_fluence": _none(target.fluence if target else None),
            "target_fluence_rate": _none(target.fluence_rate if target else None),
            "surface_irradiance": float(sum(band.irradiance for band in result.bands))}


def _heat_outputs(request: Any) -> CellValues:
    from lightdose.thermal.session import heat_session

    result = heat_session(request)
    return {"peak_skin_temperature": result.peak_skin_temp_c, "cem43": result.cem43_min, "omega": result.omega}


def _perfusion_outputs(request: Any) -> CellValues:
    from lightdose.physiology.session import perfusion_session

    result = perfusion_session(request)
    heat = result.heat
    return {"perfusion_plateau": result.plateau_pct_max, "peak_skin_temperature": heat.peak_skin_temp_c,
            "cem43": heat.cem43_min, "omega": heat.omega}


def _scenario_outputs(request: Any) -> CellValues:
    from lightdose.planning.plan import plan

    result = plan(request)
    per_site: dict[str, list[float | int]] = {name: [] for name in OUTPUTS}
    for site in result.sites:
        per_site["exposure"].append(site.exposure_s)
        per_site["target_fluence"].append(_none(site.target_fluence))
        per_site["target_fluence_rate"].append(_none(site.target_fluence_rate))
        per_site["surface_irradiance"].append(_none(site.surface_irradiance))
        per_site["peak_skin_temperature"].append(site.peak_skin_temp_c)
        per_site["cem43"].append(site.cem43_min)
        per_site["omega"].append(site.omega)
        per_site["perfusion_plateau"].append(_none(site.perfusion.plateau_pct_max if site.perfusion else None))
        per_site["verdict"].append(encode("verdict", site.verdict))
        per_site["limiting_factor"].append(encode("limiting_factor", site.limiting_factor or "none"))
        per_site["coverage_in_window"].append(_none(site.coverage.in_window if site.coverage else None))
    return dict(per_site)


def cell_outputs(sweep: Sweep, values: dict[str, Any]) -> CellValues:
    """The outputs of one cell: the base with `values` set, through its stage (:func:`~lightdose.planning.plan`,
    :func:`~lightdose.transport.dose.depth_dose`, :func:`~lightdose.thermal.session.heat_session` or
    :func:`~lightdose.physiology.session.perfusion_session`). Canonical units (:data:`OUTPUTS`). An input error is
    raised as it comes (:class:`LightdoseError` or pydantic's ``ValidationError``)."""
    request = cell_request(sweep, values)
    if sweep.kind == "dose":
        found = _dose_outputs(sweep, request)
    elif sweep.kind == "heat":
        found = _heat_outputs(request)
    elif sweep.kind == "perfusion":
        found = _perfusion_outputs(request)
    else:
        found = _scenario_outputs(request)
    return {name: found[name] for name in sweep.outputs}


def empty_values(sweep: Sweep, shape: tuple[int, ...]) -> dict[str, NDArray[Any]]:
    """Arrays of `shape` (plus ``site`` for a scenario) filled with "no value": NaN, or the missing code."""
    full = shape + ((len(sweep.sites),) if sweep.sites else ())
    return {name: np.full(full, MISSING_CODE if OUTPUTS[name].codes else np.nan, dtype=OUTPUTS[name].dtype)
            for name in sweep.outputs}


def compute_chunk(sweep: Sweep, chunk: int) -> ChunkValues:
    """The outputs of every cell of chunk number `chunk` (:meth:`Sweep.chunk_region`), computed in C order."""
    import time

    start = time.perf_counter()
    region = sweep.chunk_region(chunk)
    shape = tuple(s.stop - s.start for s in region)
    values = empty_values(sweep, shape)
    failed = np.zeros(shape, dtype=bool)
    first_error: str | None = None
    for local in itertools.product(*(range(n) for n in shape)):
        index = tuple(s.start + i for s, i in zip(region, local, strict=True))
        try:
            found = cell_outputs(sweep, assignment(sweep, index))
        except (LightdoseError, ValidationError) as exc:
            failed[local] = True
            if first_error is None:
                first_error = f"cell {dict(zip((d.name for d in sweep.dims), index, strict=True))}: " + \
                              " ".join(str(exc).split())[:300]
            continue
        for name, value in found.items():
            values[name][local] = value
    return ChunkValues(chunk=chunk, values=values, failed=failed, first_error=first_error,
                       seconds=time.perf_counter() - start)


__all__ = ["CellValues", "ChunkValues", "assignment", "cell_outputs", "compute_chunk", "empty_values"]
