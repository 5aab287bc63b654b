"""Uncertainty of a dose request or a plan from the uncertainty of tissue optics and physiology: the request is
re-run over random draws of the uncertain inputs, within their stated ranges, through the sweep machinery (in this
process or on a Dask cluster), and the outputs are summarised by percentiles.

The inputs drawn (:data:`UNCERTAIN_FIELDS`), each uniformly within its range:

- the dermal reduced scattering, anywhere between the parameter set's low and high bounds
  (``optics.scattering_position`` 0–1; in the default set the in-vivo mean − 1 SD of Jonasson et al. 2018, J Biomed
  Opt 23:121608, and excised dermis, Salomatina et al. 2006, J Biomed Opt 11:064026; :mod:`lightdose.optics.variants`);
- the blood volume fraction of the dermis, 0.2–2 % (Jacques 2013, Phys Med Biol 58:R37), replacing the request's.

Percentiles are of the cells that ran (a draw a stage refuses is left out and counted).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from lightdose.errors import InputError
from lightdose.planning.scenario import Scenario
from lightdose.sweep.run import open_result, run_sweep
from lightdose.sweep.spec import SweepFile, compile_sweep
from lightdose.transport.dose import DoseRequest
from lightdose.units import USER_INPUT

if TYPE_CHECKING:
    from distributed import Client

UNCERTAIN_FIELDS: dict[str, dict[str, Any]] = {
    "optics.scattering_position": {"distribution": "uniform", "low": 0.0, "high": 1.0},
    "person.dermal_blood": {"distribution": "uniform", "low": "0.2 %", "high": "2 %"},
}
"""The inputs drawn and their ranges (module docstring)."""
PERCENTILES: tuple[float, ...] = (5.0, 25.0, 50.0, 75.0, 95.0)
DEFAULT_SAMPLES = 100
MAX_SAMPLES = 10_000
"""The most draws (a plan takes about a second a draw on one core: 10 000 is hours, on a cluster minutes)."""


@dataclass(frozen=True)
class Uncertainty:
    """The spread of a request's outputs over the uncertain inputs.

    `percentiles[output][p]` is the p-th percentile of `output` in canonical units (J/mm², W/mm², s, °C; per site of
    a scenario: the site of index `site`); `dataset` holds every draw (dimension ``sample``) with the drawn values
    as coordinates."""

    samples: int
    seed: int
    percentiles: dict[str, dict[float, float]]
    failed: int
    """Draws the stage refused (left out of the percentiles)."""
    dataset: xr.Dataset
    site: int = 0


def _outputs(base: DoseRequest | Scenario) -> list[str]:
    if isinstance(base, DoseRequest):
        return ["target_fluence", "target_fluence_rate"]
    return ["exposure", "target_fluence", "peak_skin_temperature"]


def uncertainty(base: DoseRequest | Scenario, *, samples: int = DEFAULT_SAMPLES, seed: int = 1,
                client: Client | None = None, store: str | Path | None = None, site: int = 0) -> Uncertainty:
    """Re-run `base` (a dose request, or a scenario: its plan) over `samples` draws of :data:`UNCERTAIN_FIELDS`
    (seeded by `seed`), on `client`'s Dask cluster or in this process, and summarise the outputs by
    :data:`PERCENTILES`. The draws are written to the Zarr store `store` (a temporary one when None)."""
    if not 2 <= samples <= MAX_SAMPLES:
        raise InputError("--uncertainty", f"{samples} draws: allowed 2–{MAX_SAMPLES}")
    kind = "dose" if isinstance(base, DoseRequest) else "scenario"
    data = base.model_dump(by_alias=True, exclude_none=True, context=USER_INPUT)
    spec = SweepFile.model_validate({
        "name": "uncertainty of tissue optics and dermal blood", "base": {kind: data},
        "samples": {"count": samples, "fields": UNCERTAIN_FIELDS}, "seed": seed, "outputs": _outputs(base)},
        context=USER_INPUT)
    sweep = compile_sweep(spec, path="--uncertainty", max_cells=MAX_SAMPLES)
    with tempfile.TemporaryDirectory(prefix="lightdose-uncertainty-") as scratch:
        path = Path(store) if store is not None else Path(scratch) / "draws.zarr"
        run = run_sweep(sweep, path, client=client, overwrite=store is not None and Path(store).exists())
        if run.partial:
            raise KeyboardInterrupt("interrupted before every draw had been computed")
        ds = open_result(path)
    return Uncertainty(samples=samples, seed=seed, percentiles=percentiles_at(ds, sweep.outputs, site),
                       failed=int(ds["failed"].sum()), dataset=ds, site=site)


def percentiles_at(ds: xr.Dataset, outputs: tuple[str, ...] | list[str],
                   site: int = 0) -> dict[str, dict[float, float]]:
    """:data:`PERCENTILES` of each of `outputs` over the draws in `ds` (for a scenario: at the site of index `site`),
    in canonical units; NaN where no draw gave a value."""
    percentiles: dict[str, dict[float, float]] = {}
    for name in outputs:
        values = ds[name].isel(site=site) if "site" in ds[name].dims else ds[name]
        finite = values.values[np.isfinite(values.values)]
        percentiles[name] = ({p: float(np.percentile(finite, p)) for p in PERCENTILES} if finite.size
                             else {p: float("nan") for p in PERCENTILES})
    return percentiles


__all__ = ["DEFAULT_SAMPLES", "MAX_SAMPLES", "PERCENTILES", "UNCERTAIN_FIELDS", "Uncertainty", "percentiles_at",
           "uncertainty"]
