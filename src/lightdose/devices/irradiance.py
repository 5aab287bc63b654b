"""Irradiance of a device on a planar skin surface parallel to its emitting face.

Every emitter is summed with its own angular profile and emitting face; there is no whole-device inverse-square
shortcut. Three numbers and a map come out, each computed so that it stays right at every distance from contact to
:data:`~lightdose.limits.MAX_DISTANCE_MM`:

* the **centre irradiance**, at the point of the skin under the centre of the device (what the dose stage reads),
  from closed forms wherever they exist (:func:`emitter_irradiance`);
* the **mean over the footprint** (the device's width × height, centred under it): the power falling on that
  rectangle, in closed form, divided by its area — not an average of samples;
* the **map**: each cell holds the mean irradiance over the cell, i.e. the power falling into it divided by its
  area (:func:`lightdose.devices.kernels.grid_cell_power`), so the map integrates to the power that reaches the
  plane within it, however sharp the peaks (an LED's spot in contact, a narrow beam far away);
* the **maximum**: the highest cell mean or the centre value (a peak narrower than a cell is averaged over the
  cell, as the skin exposure limits average over a 3.5 mm aperture, ICNIRP 2013).

Emitter models (closed forms for the point values; see :mod:`lightdose.devices.kernels` for the cell means):

* point emitter, I(θ) = P·(m + 1)/(2π)·cos^m θ, at height z: E = P·(m + 1)/(2π)·z^(m+1)/r^(m+3)
  (irradiance = I·cosθ/r²; m = 1 gives the Lambertian E = P·z²/(π·(z² + ρ²)²)); singular in contact, so a device
  with point emitters needs a distance > 0;
* Lambertian face of area A: E = (P/A)·F with F the configuration factor (view factors module), exact from
  contact (E = P/A on the face) to the far field (the point formula);
* cos^m face (an LED's lens): the point kernel averaged over the face (Gaussian mixture, kernels module);
* collimated beam: the beam's cross-section at the skin, at any distance (flat-top P/A, or Gaussian
  2P/(πw²)·exp(−2ρ²/w²), w = 1/e² radius).

Units: canonical W/mm² in the Dataset (attrs["units"]); mW/cm² only at the edges (:func:`lightdose.units.mw_cm2`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from pydantic import Field

import lightdose
from lightdose.devices.device import LightDevice
from lightdose.devices.emitters import Emitter
from lightdose.devices.kernels import grid_cell_power, point_irradiance
from lightdose.devices.view_factors import disk_factor, rectangle_factor
from lightdose.errors import InputError
from lightdose.limits import EYE_IR_LONG_W_CM2, EYE_IR_MIN_NM, MAX_DISTANCE_MM, W_MM2_PER_W_CM2
from lightdose.model_base import FrozenModel
from lightdose.units import MW_CM2_PER_W_MM2, Bounded, mw_cm2, parse_quantity

in_mw_cm2 = mw_cm2
"""Irradiance in W/mm² → mW/cm² (kept for the modules that import it from here; use lightdose.units.mw_cm2)."""

EYE_IR_LIMIT_W_MM2 = EYE_IR_LONG_W_CM2 * W_MM2_PER_W_CM2
"""Cornea/lens infrared exposure limit for t > 1000 s, 10 mW/cm² (ICNIRP 2013 / IEC 62471), 780 nm–3 µm [W/mm²]."""

MAX_MEASURED_W_MM2 = 10.0 * W_MM2_PER_W_CM2
"""Highest measured irradiance accepted [W/mm²]: 10 W/cm², ten times the highest skin MPE for exposures of 10 s or
more at any wavelength (0.2·C_A W/cm², C_A ≤ 5; ICNIRP 2013): a larger reading is a unit mistake, or a surgical or
high-intensity laser, which lightdose does not model."""

__all__ = [
    "EYE_IR_LIMIT_W_MM2",
    "MAX_DISTANCE_MM",
    "MAX_MEASURED_W_MM2",
    "MW_CM2_PER_W_MM2",
    "Grid",
    "MeterType",
    "area_mean_irradiance",
    "centre_irradiance",
    "distance_for_irradiance",
    "emitter_irradiance",
    "has_point_emitters",
    "in_mw_cm2",
    "irradiance_map",
    "measured_irradiance",
    "parse_distance",
    "plausible_measurement",
    "result_warnings",
]


class Grid(FrozenModel):
    """A rectangular grid of cells on the skin [mm], centred under the device: `points_x` × `points_y` cells whose
    centres run from −X to X and −Y to Y (the outer cells reach half a cell beyond)."""

    half_width_x: Annotated[float, Bounded("length", gt=0.0)]
    half_width_y: Annotated[float, Bounded("length", gt=0.0)]
    points_x: int = Field(default=201, ge=3, le=4001)
    points_y: int = Field(default=201, ge=3, le=4001)

    @classmethod
    def around(cls, device: LightDevice, distance_mm: float, points: int = 201) -> Grid:
        """A grid covering the device's face plus a margin of max(10 mm, distance) on each side."""
        margin = max(10.0, distance_mm)
        return cls(
            half_width_x=device.width / 2 + margin,
            half_width_y=device.height / 2 + margin,
            points_x=points,
            points_y=points,
        )

    def axes(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cell centres (x, y) [mm]."""
        x = np.linspace(-self.half_width_x, self.half_width_x, self.points_x)
        y = np.linspace(-self.half_width_y, self.half_width_y, self.points_y)
        return x, y

    def edges(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cell edges (x, y) [mm]: one more than the centres along each axis."""
        x, y = self.axes()
        return _edges(x), _edges(y)

    @property
    def cell_area(self) -> float:
        """Area of one cell [mm²]."""
        return 4.0 * self.half_width_x * self.half_width_y / ((self.points_x - 1) * (self.points_y - 1))


def _edges(centres: NDArray[np.float64]) -> NDArray[np.float64]:
    half = (centres[1] - centres[0]) / 2.0
    return np.concatenate([[centres[0] - half], centres + half])


def emitter_irradiance(emitter: Emitter, dx: NDArray[np.float64], dy: NDArray[np.float64],
                       z: float) -> NDArray[np.float64]:
    """Irradiance [W/mm²] at offsets (dx, dy) [mm] from the emitter's centre, on a parallel plane at height z [mm].

    dx and dy broadcast against each other. Closed forms for every face and beam but a cos^m square or rectangle,
    whose value comes from the Gaussian mixture of :mod:`lightdose.devices.kernels`. Point emitters need z > 0.
    """
    power = emitter.power
    if emitter.beam == "collimated":
        if emitter.profile == "gaussian":
            w = emitter.size / 2.0
            return 2.0 * power / (math.pi * w * w) * np.exp(-2.0 * (dx * dx + dy * dy) / (w * w))
        half_x, half_y = emitter.half_extent
        if emitter.face == "disk":
            inside = dx * dx + dy * dy <= half_x**2
        else:
            inside = (np.abs(dx) <= half_x) & (np.abs(dy) <= half_y)
        return np.where(inside, power / emitter.face_area, 0.0)
    if emitter.face == "point":
        m = emitter.exponent
        log_r2 = np.log(dx * dx + dy * dy + z * z)  # logarithms: z^(m+1) overflows for narrow beams (m ~ 10³)
        return power * (m + 1.0) / (2.0 * math.pi) * np.exp((m + 1.0) * math.log(z) - (m + 3.0) / 2.0 * log_r2)
    exitance = power / emitter.face_area
    if emitter.face == "disk":
        return exitance * disk_factor(np.hypot(dx, dy), emitter.size / 2.0, z)
    if emitter.beam == "lambertian":
        half_x, half_y = emitter.half_extent
        return exitance * rectangle_factor(-dx - half_x, -dx + half_x, -dy - half_y, -dy + half_y, z)
    dx, dy = np.broadcast_arrays(np.asarray(dx, dtype=float), np.asarray(dy, dtype=float))
    return point_irradiance(emitter, dx, dy, z)


def _band_index(device: LightDevice) -> list[int]:
    """The band of each of `device`'s grids (bands as :meth:`LightDevice.bands` orders them)."""
    keys = [(b.wavelength_nm, b.fwhm_nm) for b in device.bands()]
    return [keys.index((g.emitter.wavelength, g.emitter.fwhm)) for g in device.grids]


def _band_cell_power(device: LightDevice, x_edges: NDArray[np.float64], y_edges: NDArray[np.float64],
                     z: float) -> NDArray[np.float64]:
    """Power [W] per band falling into each cell of the edges' grid: shape (bands, len(y_edges) − 1, ...)."""
    power = np.zeros((len(device.bands()), y_edges.size - 1, x_edges.size - 1))
    for band, grid in zip(_band_index(device), device.grids, strict=True):
        power[band] += grid_cell_power(grid, x_edges, y_edges, z)
    return power


def _band_centre(device: LightDevice, z: float) -> NDArray[np.float64]:
    """Irradiance [W/mm²] per band at the skin point under the device's centre."""
    centre = np.zeros(len(device.bands()))
    for band, grid in zip(_band_index(device), device.grids, strict=True):
        xe, ye = grid.positions()
        centre[band] += float(np.sum(emitter_irradiance(grid.emitter, -xe, -ye, z)))
    return centre


def has_point_emitters(device: LightDevice) -> bool:
    """Whether any emitter is a point source (singular at distance 0, so the device cannot be used in contact)."""
    return any(g.emitter.face == "point" for g in device.grids)


def parse_distance(device: LightDevice, distance: Any) -> float:
    """The skin's distance from the device's emitting face [mm], checked against what the device allows."""
    z = parse_quantity(distance, "length", "distance")
    if not 0.0 <= z <= MAX_DISTANCE_MM:
        shown = distance.strip() if isinstance(distance, str) else f"{z:g} mm"
        raise InputError("distance", f"{shown} is outside the allowed range 0–{MAX_DISTANCE_MM:g} mm "
                                     "(0 = in contact with the skin)")
    if z == 0.0 and has_point_emitters(device):
        raise InputError(
            "distance",
            f"0 mm: '{device.name}' ({device.kind}) has point emitters, whose irradiance is infinite in contact; "
            "allowed: more than 0 mm (e.g. '15 cm'), or give its emitters a face of finite size",
        )
    return z


def area_mean_irradiance(device: LightDevice, distance: Any, width: float | None = None,
                         height: float | None = None) -> NDArray[np.float64]:
    """Mean irradiance per band [W/mm²] over the `width` × `height` rectangle [mm] of skin centred under the device
    (default: the device's footprint) at `distance`: the power falling on it, in closed form, over its area."""
    z = parse_distance(device, distance)
    half_x = (device.width if width is None else width) / 2.0
    half_y = (device.height if height is None else height) / 2.0
    if not (half_x > 0.0 and half_y > 0.0):
        raise InputError("area", f"{2 * half_x:g} × {2 * half_y:g} mm; allowed: a width and height > 0 mm")
    power = _band_cell_power(device, np.array([-half_x, half_x]), np.array([-half_y, half_y]), z)
    return power[:, 0, 0] / (4.0 * half_x * half_y)


def _dataset(
    device_name: str,
    bands: list[tuple[float, float, float]],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    maps: NDArray[np.float64],
    centre: NDArray[np.float64],
    mean: NDArray[np.float64],
    attrs: dict[str, Any],
) -> xr.Dataset:
    unit = {"units": "W/mm^2"}
    wl, fwhm, frac = (np.array(col, dtype=float) for col in zip(*bands, strict=True))
    peak = np.maximum(maps.max(axis=(1, 2)), centre)
    near_infrared = wl >= EYE_IR_MIN_NM
    ds = xr.Dataset(
        data_vars={
            "irradiance": (("band", "y", "x"), maps, {**unit, "long_name": "irradiance per band, mean over each cell"}),
            "irradiance_total": (("y", "x"), maps.sum(axis=0), {**unit, "long_name": "irradiance, all bands, mean "
                                                                                     "over each cell"}),
            "centre_irradiance": (("band",), centre, {**unit, "long_name": "irradiance at (0, 0)"}),
            "mean_irradiance": (("band",), mean, {**unit, "long_name": "mean over the device footprint"}),
            "max_irradiance": (("band",), peak, {**unit, "long_name": "highest cell mean or centre value"}),
        },
        coords={
            "band": np.arange(len(bands)),
            "wavelength_nm": ("band", wl, {"units": "nm"}),
            "fwhm_nm": ("band", fwhm, {"units": "nm"}),
            "power_fraction": ("band", frac, {"units": "1"}),
            "x": ("x", x, {"units": "mm", "long_name": "cell centre"}),
            "y": ("y", y, {"units": "mm", "long_name": "cell centre"}),
        },
        attrs={"device": device_name, "lightdose_version": lightdose.__version__, **attrs},
    )
    ds.attrs["centre_total"] = float(centre.sum())
    ds.attrs["mean_total"] = float(mean.sum())
    ds.attrs["max_total"] = float(max(maps.sum(axis=0).max(), centre.sum()))
    ds.attrs["max_near_infrared"] = float(max(maps[near_infrared].sum(axis=0).max(initial=0.0),
                                              centre[near_infrared].sum()))
    return ds


def irradiance_map(device: LightDevice, distance: Any, grid: Grid | None = None) -> xr.Dataset:
    """Irradiance map [W/mm²] of `device` on skin parallel to its face at `distance` ("15 cm"; 0 = contact).

    Returns a Dataset with `irradiance` (band, y, x) and `irradiance_total` (y, x), each value the mean over its
    cell (cells of the grid's spacing centred on x, y [mm]); `centre_irradiance` (band; the value at the point under
    the centre), `mean_irradiance` (band; the mean over the device footprint, exact) and `max_irradiance` (band);
    coordinates x, y [mm], wavelength_nm, fwhm_nm, power_fraction per band. attrs: kind, distance_mm, footprint,
    total_power_w, pulsing, collimated (1/0), centre_total, mean_total, max_total and max_near_infrared [W/mm²]
    (bands ≥ 780 nm), read by :func:`result_warnings`.
    """
    z = parse_distance(device, distance)
    grid = grid or Grid.around(device, z)
    x, y = grid.axes()
    x_edges, y_edges = grid.edges()
    maps = _band_cell_power(device, x_edges, y_edges, z) / grid.cell_area
    bands = device.bands()
    return _dataset(
        device.name,
        [(b.wavelength_nm, b.fwhm_nm, b.power_fraction) for b in bands],
        x,
        y,
        maps,
        _band_centre(device, z),
        area_mean_irradiance(device, z),
        {
            "kind": device.kind,
            "distance_mm": z,
            "footprint_width_mm": device.width,
            "footprint_height_mm": device.height,
            "total_power_w": device.total_power,
            "pulsing": device.pulsing or "",
            "collimated": int(any(g.emitter.beam == "collimated" for g in device.grids)),
            "model": "sum over emitters of each emitter's face and angular profile, cell means "
                     "(lightdose.devices.irradiance)",
        },
    )


def plausible_measurement(value: float, field: str = "measured") -> float:
    """`value` [W/mm²] once it is a plausible measured irradiance: more than 0 and at most
    :data:`MAX_MEASURED_W_MM2`; else an :class:`InputError` naming `field` and the range."""
    if not 0.0 < value <= MAX_MEASURED_W_MM2:
        shown = f"{value / W_MM2_PER_W_CM2:g} W/cm²" if abs(value) > MAX_MEASURED_W_MM2 else f"{mw_cm2(value):g} mW/cm²"
        raise InputError(field, f"{shown} is outside the allowed range: more than 0 and at most "
                                f"{mw_cm2(MAX_MEASURED_W_MM2):g} mW/cm² (10 W/cm², ten times the highest skin exposure "
                                "limit: a larger reading is a unit mistake); e.g. '32 mW/cm^2'")
    return value


MeterType = Literal["thermopile", "photodiode", "solar", "unknown"]

METERS: tuple[str, ...] = ("thermopile", "photodiode", "solar", "unknown")

SOLAR_METER_WARNING = (
    "a broadband 'solar' power meter is calibrated for the sun's spectrum and can misread narrow-band "
    "near-infrared LEDs by a large factor: treat this irradiance as unreliable and, if possible, re-measure with "
    "a thermopile or a wavelength-corrected photodiode sensor"
)


def measured_irradiance(
    value: Any, meter: MeterType, device: LightDevice | None = None, distance: Any = None
) -> xr.Dataset:
    """A uniform irradiance measured by the user ("32 mW/cm^2"), split into the device's bands by power.

    Without a device the band is unknown (wavelength nan). Allowed: see :func:`plausible_measurement`. The map is
    a single point (x = y = 0): there is no spatial information.
    """
    e = plausible_measurement(parse_quantity(value, "irradiance", "irradiance"), "irradiance")
    if meter not in METERS:
        raise InputError("meter", f"{meter!r} is not a meter type; allowed: {', '.join(METERS)}")
    bands = (
        [(math.nan, math.nan, 1.0)]
        if device is None
        else [(b.wavelength_nm, b.fwhm_nm, b.power_fraction) for b in device.bands()]
    )
    split = np.array([b[2] for b in bands]) * e
    z = math.nan if distance is None else parse_quantity(distance, "length", "distance")
    if z < 0.0:
        raise InputError("distance", f"{distance!r} is negative; allowed: ≥ 0 mm (0 = in contact with the skin)")
    return _dataset(
        device.name if device else "measured",
        bands,
        np.zeros(1),
        np.zeros(1),
        split[:, None, None],
        split,
        split,
        {
            "kind": "measured",
            "meter": meter,
            "distance_mm": z,
            "pulsing": "" if device is None else device.pulsing or "",
            "collimated": int(device is not None and any(g.emitter.beam == "collimated" for g in device.grids)),
            "model": "measured irradiance, uniform",
            **({} if device is None else {"footprint_width_mm": device.width, "footprint_height_mm": device.height}),
        },
    )


def eye_warning(ds: xr.Dataset) -> str | None:
    """The warning for near-infrared (the bands ≥ 780 nm only) above the eye limit for long exposures, or None."""
    near_infrared = ds.attrs.get("max_near_infrared", 0.0)
    if near_infrared <= EYE_IR_LIMIT_W_MM2:
        return None
    return (f"near-infrared (≥ {EYE_IR_MIN_NM:g} nm) irradiance up to {mw_cm2(near_infrared):.3g} mW/cm² exceeds the "
            f"{mw_cm2(EYE_IR_LIMIT_W_MM2):g} mW/cm² eye limit for exposures > 1000 s (ICNIRP 2013, IEC 62471): do not "
            "face the eyes; NIR is invisible and does not trigger the blink reflex")


def result_warnings(ds: xr.Dataset) -> list[str]:
    """The warnings an irradiance Dataset (modelled or measured) calls for, one string each: pulsing, laser beam,
    near-infrared above the eye limit (the bands ≥ 780 nm only), and the meter of a measured value."""
    notes = []
    if ds.attrs.get("pulsing"):
        notes.append(f"pulsed source ({ds.attrs['pulsing']}): irradiance is the time average")
    if ds.attrs.get("collimated"):
        notes.append(
            "collimated (laser) beam: never look into it, direct or reflected; the retinal limits of IEC 60825-1 "
            "apply, and class 3B lasers need protective eyewear"
        )
    if (eye := eye_warning(ds)) is not None:
        notes.append(eye)
    meter = ds.attrs.get("meter")
    wavelengths = ds.wavelength_nm.values
    if meter == "solar" and (np.isnan(wavelengths).any() or (wavelengths >= 700.0).any()):
        notes.append(SOLAR_METER_WARNING)
    if meter == "unknown":
        notes.append("meter type unknown: the reading's accuracy cannot be judged")
    return notes


def centre_irradiance(device: LightDevice, distance: Any) -> float:
    """Irradiance [W/mm²] of all bands at the centre of the treated area at `distance` (no map is computed)."""
    return float(_band_centre(device, parse_distance(device, distance)).sum())


def distance_for_irradiance(device: LightDevice, irradiance: Any, farthest_mm: float = MAX_DISTANCE_MM) -> float:
    """The distance [mm] at which the centre irradiance (all bands) equals `irradiance` ("32 mW/cm^2").

    Close to a panel the centre may lie between emitters, so the irradiance can first rise with distance; the
    solution returned is on the falling branch, beyond the distance of the highest centre irradiance (found on a
    logarithmic scan from 1 mm, or from contact for contact devices, to `farthest_mm`).
    """
    from scipy.optimize import brentq

    target = parse_quantity(irradiance, "irradiance", "irradiance")
    scan = np.geomspace(1.0, farthest_mm, 60)
    if device.contact and not has_point_emitters(device):
        scan = np.concatenate([[0.0], scan])
    values = np.array([centre_irradiance(device, z) for z in scan])
    peak = int(np.argmax(values))
    if not values[-1] <= target <= values[peak]:
        raise InputError("irradiance", f"{mw_cm2(target):.3g} mW/cm² is outside what {device.name!r} gives at its "
                                       f"centre between {scan[peak]:g} and {farthest_mm:g} mm: "
                                       f"{mw_cm2(values[-1]):.3g}–{mw_cm2(values[peak]):.3g} mW/cm²")
    if values[peak] == target:
        return float(scan[peak])
    return float(brentq(lambda z: centre_irradiance(device, z) - target, scan[peak], farthest_mm, xtol=1e-3))
