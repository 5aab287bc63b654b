"""A light-therapy device: emitter grids behind an emitting face of given size (pad, panel, probe)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, model_validator

from lightdose.devices.layout import MAX_EMITTERS, EmitterGrid
from lightdose.devices.thermal import DeviceHeat
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.units import Bounded

if TYPE_CHECKING:
    import xarray as xr

    from lightdose.devices.irradiance import Grid


class Band(FrozenModel):
    """One spectral band of a device: emitters sharing a centre wavelength and FWHM [nm], with their power [W]."""

    wavelength_nm: float
    fwhm_nm: float
    power: float
    power_fraction: float


class ReferenceIrradiance(FrozenModel):
    """A (measured or representative) centre irradiance that a preset is built to reproduce."""

    distance: Annotated[float, Bounded("length", ge=0.0)] = Field(description="distance from the emitting face [mm]")
    centre: Annotated[float, Bounded("irradiance", gt=0.0)] = Field(description="centre irradiance [W/mm²]")
    note: str = ""


class LightDevice(FrozenModel):
    """A light source: contact pad, panel used at a distance, or probe.

    `width` × `height` [mm] is the emitting face (the footprint on the skin in contact, the outline drawn on
    maps, the area over which the mean irradiance is taken); every emitter's face lies on it. `contact` devices are
    made to touch the skin; any device whose emitters all have a finite face can (point emitters cannot).
    At most :data:`~lightdose.devices.layout.MAX_EMITTERS` emitters. Powers of pulsed devices are time averages
    (`pulsing` says so). `thermal` describes the heat of the device's own applied part (electrical power, heat
    capacity, contact and outer conductances; :class:`~lightdose.devices.thermal.DeviceHeat`), which the thermal
    stage adds when the device touches the skin; None: the device adds no heat of its own.
    """

    name: str = "custom"
    kind: Literal["contact-pad", "panel", "probe"]
    description: str = ""
    source: str = Field(default="", description="where the numbers come from")
    width: Annotated[float, Bounded("length", gt=0.0)] = Field(description="width of the emitting face [mm]")
    height: Annotated[float, Bounded("length", gt=0.0)] = Field(description="height of the emitting face [mm]")
    contact: bool = Field(default=False, description="designed to be used in skin contact (distance 0)")
    pulsing: str | None = Field(default=None, description="pulse parameters; powers are time averages")
    grids: list[EmitterGrid] = Field(min_length=1)
    reference: ReferenceIrradiance | None = None
    thermal: DeviceHeat | None = Field(default=None, description="the applied part's own heat (contact use)")

    @model_validator(mode="after")
    def _emitters_on_the_face(self) -> LightDevice:
        if self.emitter_count > MAX_EMITTERS:
            raise InputError("grids", f"{self.emitter_count} emitters; allowed: at most {MAX_EMITTERS} per device")
        for i, grid in enumerate(self.grids):
            reach_x, reach_y = grid.reach()
            if reach_x > self.width / 2.0 * (1.0 + 1e-9) or reach_y > self.height / 2.0 * (1.0 + 1e-9):
                raise InputError(f"grids[{i}]", f"its emitters reach |x| = {reach_x:g} mm, |y| = {reach_y:g} mm from "
                                                f"the centre, beyond the {self.width:g} × {self.height:g} mm emitting "
                                                f"face; allowed: emitters within |x| ≤ {self.width / 2:g} mm and "
                                                f"|y| ≤ {self.height / 2:g} mm (make the face larger or the grid "
                                                "smaller)")
        if self.thermal is not None and self.thermal.electrical_power < self.total_power:
            raise InputError("thermal.electrical_power", f"{self.thermal.electrical_power:g} W is less than the "
                                                         f"{self.total_power:g} W of light the device emits; allowed: "
                                                         f"at least {self.total_power:g} W (light cannot carry more "
                                                         "power than the device draws)")
        return self

    @property
    def emitter_count(self) -> int:
        """Number of emitters on the device."""
        return sum(g.count for g in self.grids)

    @property
    def total_power(self) -> float:
        """Total radiant power [W]."""
        return sum(g.power for g in self.grids)

    @property
    def wall_plug_efficiency(self) -> float | None:
        """Optical power over electrical power of the applied part [1]; None without a thermal description."""
        return None if self.thermal is None else self.total_power / self.thermal.electrical_power

    @property
    def area(self) -> float:
        """Area of the emitting face [mm²]."""
        return self.width * self.height

    def bands(self) -> list[Band]:
        """Spectral bands, by increasing wavelength, with their share of the total power."""
        power: dict[tuple[float, float], float] = {}
        for g in self.grids:
            key = (g.emitter.wavelength, g.emitter.fwhm)
            power[key] = power.get(key, 0.0) + g.power
        total = self.total_power
        return [
            Band(wavelength_nm=wl, fwhm_nm=fwhm, power=p, power_fraction=p / total)
            for (wl, fwhm), p in sorted(power.items())
        ]

    def irradiance_map(self, distance: Any, grid: Grid | None = None) -> xr.Dataset:
        """Irradiance on a skin plane parallel to the face at `distance` ("15 cm"; 0 = contact); see
        :func:`lightdose.devices.irradiance.irradiance_map`."""
        from lightdose.devices.irradiance import irradiance_map

        return irradiance_map(self, distance, grid)
