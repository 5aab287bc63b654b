"""The irradiance stage: a device placed at a distance → the irradiance on the skin, modelled or measured.

``irradiance(IrradianceRequest(placement=...)) -> IrradianceResult`` (docs/architecture.md: one shape for every
stage). The engine underneath is :func:`lightdose.devices.irradiance.irradiance_map`; a measured value replaces the
model with :func:`lightdose.devices.irradiance.measured_irradiance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from pydantic import Field, field_validator, model_validator

from lightdose.devices.irradiance import (
    Grid,
    MeterType,
    irradiance_map,
    measured_irradiance,
    plausible_measurement,
    result_warnings,
)
from lightdose.devices.placement import Placement, PlacementField
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.provenance import Provenance
from lightdose.units import Irradiance

MIN_POINTS, MAX_POINTS = 3, 1001
"""Cells per axis of a requested map."""


class IrradianceRequest(FrozenModel):
    """What to compute: a light device's `placement` (a preset name alone means in contact), the map's cells per
    axis (`points`), and optionally your `measured` irradiance [W/mm²] with the `meter` that measured it, which
    replaces the model (a single uniform value, split into the device's bands by power)."""

    placement: PlacementField
    points: int = Field(default=201, description=f"cells per axis of the map, {MIN_POINTS}–{MAX_POINTS}")
    measured: Irradiance | None = Field(
        default=None, description="your measured irradiance [W/mm²] (more than 0, at most 10 W/cm²)")
    meter: MeterType | None = Field(default=None, description="what measured it (default with `measured`: unknown)")

    @field_validator("placement")
    @classmethod
    def _emits_light(cls, value: Placement) -> Placement:
        value.light_device(field="device")
        return value

    @field_validator("points", mode="before")
    @classmethod
    def _points_in_range(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and not MIN_POINTS <= value <= MAX_POINTS:
            raise InputError("points", f"{value} is outside the allowed range {MIN_POINTS}–{MAX_POINTS} cells per "
                                       "axis")
        return value

    @field_validator("measured")
    @classmethod
    def _plausible(cls, value: float | None) -> float | None:
        return None if value is None else plausible_measurement(value)

    @model_validator(mode="after")
    def _meter_needs_a_reading(self) -> IrradianceRequest:
        if self.meter is not None and self.measured is None:
            raise InputError("meter", "says what measured a `measured` irradiance, and none is given; give the "
                                      "measured irradiance too, or leave the meter out")
        return self


@dataclass(frozen=True)
class IrradianceResult:
    """The irradiance on the skin: per band [W/mm²] at the centre of the treated area, the mean over the device's
    footprint and the maximum (highest map cell or the centre); the Dataset with the map (one point for a
    measured value); warnings; provenance."""

    request: IrradianceRequest
    dataset: xr.Dataset
    wavelength_nm: NDArray[np.float64]
    centre_irradiance: NDArray[np.float64]
    mean_irradiance: NDArray[np.float64]
    max_irradiance: NDArray[np.float64]
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def measured(self) -> bool:
        """Whether the irradiance is the user's measurement (no model, no map)."""
        return self.request.measured is not None


def irradiance(request: IrradianceRequest) -> IrradianceResult:
    """The irradiance stage: the model's map, or the measured value, for the request's placement."""
    placement = request.placement
    device = placement.light_device()
    if request.measured is not None:
        ds = measured_irradiance(request.measured, request.meter or "unknown", device, placement.distance)
    else:
        ds = irradiance_map(device, placement.distance, Grid.around(device, placement.distance, request.points))
    provenance = Provenance.of(request)
    ds.attrs.update(provenance.attrs())
    return IrradianceResult(
        request=request,
        dataset=ds,
        wavelength_nm=ds.wavelength_nm.values.astype(float),
        centre_irradiance=ds.centre_irradiance.values.astype(float),
        mean_irradiance=ds.mean_irradiance.values.astype(float),
        max_irradiance=ds.max_irradiance.values.astype(float),
        warnings=tuple(result_warnings(ds)),
        provenance=provenance,
    )
