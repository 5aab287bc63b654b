"""Irradiance of a device on a planar skin surface parallel to its emitting face.

Every emitter is summed with its own angular profile; there is no whole-device inverse-square shortcut:

* point emitter, I(θ) = P·(m + 1)/(2π)·cos^m θ, at height z: E = P·(m + 1)/(2π)·cos^(m+1)θ / r²
  (irradiance = I·cosθ/r²; m = 1 gives the Lambertian E = P·z²/(π·(z² + ρ²)²));
* Lambertian face of area A: E = (P/A)·F with F the configuration factor (view factors module), exact from
  contact (E = P/A on the face) to the far field (the point formula);
* collimated beam: the beam's cross-section at the skin, at any distance (flat-top P/A, or Gaussian
  2P/(πw²)·exp(−2ρ²/w²), w = 1/e² radius).

Point emitters are singular at z = 0, so a device of point emitters needs a distance > 0. Contact pads model
each diode's light as leaving the pad's window uniformly over the diode's cell (face = pitch_x × pitch_y):
the contact irradiance is then the cell-averaged value, P/A_cell, and the map at a distance is exact for that
face.

Units: canonical W/mm² in the Dataset (attrs["units"]); 1 W/mm² = 10⁵ mW/cm² (:data:`MW_CM2_PER_W_MM2`).
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
from lightdose.devices.view_factors import corner_factor, disk_factor, rectangle_factor
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.units import Bounded, parse_quantity

MW_CM2_PER_W_MM2 = 1.0e5
"""1 W/mm² = 100 W/cm² = 10⁵ mW/cm²."""

EYE_IR_LIMIT_W_MM2 = 10.0 / MW_CM2_PER_W_MM2
"""Cornea/lens infrared exposure limit for t > 1000 s, 10 mW/cm² (ICNIRP 2013 / IEC 62471), 780 nm–3 µm."""

_MAX_CHUNK_ELEMENTS = 2_000_000


def in_mw_cm2(values: Any) -> Any:
    """Convert irradiance in W/mm² (float, array or DataArray) to mW/cm²."""
    return values * MW_CM2_PER_W_MM2


class Grid(FrozenModel):
    """A rectangular sampling grid on the skin [mm], centred under the device: x ∈ [−X, X], y ∈ [−Y, Y]."""

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
        """Sample coordinates (x, y) [mm]."""
        x = np.linspace(-self.half_width_x, self.half_width_x, self.points_x)
        y = np.linspace(-self.half_width_y, self.half_width_y, self.points_y)
        return x, y


def emitter_irradiance(emitter: Emitter, dx: NDArray[np.float64], dy: NDArray[np.float64], z: float) -> NDArray:
    """Irradiance [W/mm²] at offsets (dx, dy) [mm] from the emitter's centre, on a parallel plane at height z [mm].

    dx and dy broadcast against each other. Point emitters need z > 0.
    """
    power = emitter.power
    if emitter.beam == "collimated":
        if emitter.profile == "gaussian":
            w = emitter.size / 2.0
            return 2.0 * power / (math.pi * w * w) * np.exp(-2.0 * (dx * dx + dy * dy) / (w * w))
        if emitter.face == "disk":
            inside = dx * dx + dy * dy <= (emitter.size / 2.0) ** 2
        else:
            half_y = (emitter.size_y or emitter.size) / 2.0
            inside = (np.abs(dx) <= emitter.size / 2.0) & (np.abs(dy) <= half_y)
        return np.where(inside, power / emitter.face_area, 0.0)
    if emitter.face == "point":
        m = emitter.exponent
        r2 = dx * dx + dy * dy + z * z
        return power * (m + 1.0) / (2.0 * math.pi) * z ** (m + 1.0) / r2 ** ((m + 3.0) / 2.0)
    exitance = power / emitter.face_area
    if emitter.face == "disk":
        return exitance * disk_factor(np.hypot(dx, dy), emitter.size / 2.0, z)
    half_x = emitter.size / 2.0
    half_y = (emitter.size_y or emitter.size) / 2.0
    return exitance * rectangle_factor(-dx - half_x, -dx + half_x, -dy - half_y, -dy + half_y, z)


def _rectangle_corners(emitter: Emitter, xe: NDArray, ye: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Corners (x, y) and signed weights of a grid's Lambertian rectangular faces, shared corners merged.

    Superposition: F_face = g(x2, y2) − g(x1, y2) − g(x2, y1) + g(x1, y1) (view_factors.corner_factor). Faces
    that tile a pad share corners whose weights cancel, leaving the outline: exact, and fast.
    """
    half_x = emitter.size / 2.0
    half_y = (emitter.size_y or emitter.size) / 2.0
    cx = np.concatenate([xe - half_x, xe - half_x, xe + half_x, xe + half_x])
    cy = np.concatenate([ye - half_y, ye + half_y, ye - half_y, ye + half_y])
    sign = np.repeat([1.0, -1.0, -1.0, 1.0], xe.size)
    keys = np.round(np.stack([cx, cy], axis=1), 9)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    weight = np.bincount(inverse.ravel(), weights=sign, minlength=len(unique))
    keep = np.abs(weight) > 0.5
    return unique[keep, 0], unique[keep, 1], weight[keep]


def _band_maps(device: LightDevice, x: NDArray, y: NDArray, z: float) -> NDArray[np.float64]:
    """Irradiance per band, shape (bands, len(y), len(x)) [W/mm²], summed emitter by emitter (chunked)."""
    keys = [(b.wavelength_nm, b.fwhm_nm) for b in device.bands()]
    maps = np.zeros((len(keys), y.size, x.size))
    chunk = max(1, _MAX_CHUNK_ELEMENTS // (x.size * y.size))
    for g in device.grids:
        band = keys.index((g.emitter.wavelength, g.emitter.fwhm))
        xe, ye = g.positions()
        if g.emitter.face in ("square", "rectangle") and g.emitter.beam == "lambertian":
            cx, cy, weight = _rectangle_corners(g.emitter, xe, ye)
            exitance = g.emitter.power / g.emitter.face_area
            for start in range(0, cx.size, chunk):
                u = cx[start : start + chunk, None, None] - x[None, None, :]
                v = cy[start : start + chunk, None, None] - y[None, :, None]
                corner = corner_factor(u, v, z) * weight[start : start + chunk, None, None]
                maps[band] += exitance * corner.sum(axis=0)
            continue
        for start in range(0, xe.size, chunk):
            dx = x[None, None, :] - xe[start : start + chunk, None, None]
            dy = y[None, :, None] - ye[start : start + chunk, None, None]
            maps[band] += emitter_irradiance(g.emitter, dx, dy, z).sum(axis=0)
    return maps


def has_point_emitters(device: LightDevice) -> bool:
    """Whether any emitter is a point source (singular at distance 0, so the device cannot be used in contact)."""
    return any(g.emitter.face == "point" for g in device.grids)


MAX_DISTANCE_MM = 3000.0
"""Largest gap between a device and the skin [mm] (lightdose's plausibility bound: panels are used at 15–50 cm)."""


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
            f"0 mm: '{device.name}' ({device.kind}) has point emitters, whose irradiance is singular in contact; "
            "allowed: > 0 mm (e.g. '15 cm')",
        )
    return z


def _warnings(device: LightDevice, max_total: float) -> list[str]:
    notes = []
    if device.pulsing:
        notes.append(f"pulsed source ({device.pulsing}): irradiance is the time average")
    if any(g.emitter.beam == "collimated" for g in device.grids):
        notes.append(
            "collimated (laser) beam: never look into it, direct or reflected; the retinal limits of IEC 60825-1 "
            "apply, and class 3B lasers need protective eyewear"
        )
    if max_total > EYE_IR_LIMIT_W_MM2 and any(g.emitter.wavelength >= 780.0 for g in device.grids):
        notes.append(
            f"near-infrared irradiance up to {in_mw_cm2(max_total):.3g} mW/cm² exceeds the 10 mW/cm² eye limit for "
            "exposures > 1000 s (ICNIRP 2013, IEC 62471): do not face the eyes; NIR is invisible and does not "
            "trigger the blink reflex"
        )
    return notes


def _dataset(
    device_name: str,
    bands: list[tuple[float, float, float]],
    x: NDArray,
    y: NDArray,
    maps: NDArray,
    centre: NDArray,
    mean: NDArray,
    attrs: dict[str, Any],
) -> xr.Dataset:
    unit = {"units": "W/mm^2"}
    wl, fwhm, frac = (np.array(col, dtype=float) for col in zip(*bands, strict=True))
    ds = xr.Dataset(
        data_vars={
            "irradiance": (("band", "y", "x"), maps, {**unit, "long_name": "irradiance per band"}),
            "irradiance_total": (("y", "x"), maps.sum(axis=0), {**unit, "long_name": "irradiance, all bands"}),
            "centre_irradiance": (("band",), centre, {**unit, "long_name": "irradiance at (0, 0)"}),
            "mean_irradiance": (("band",), mean, {**unit, "long_name": "mean over the device footprint"}),
        },
        coords={
            "band": np.arange(len(bands)),
            "wavelength_nm": ("band", wl, {"units": "nm"}),
            "fwhm_nm": ("band", fwhm, {"units": "nm"}),
            "power_fraction": ("band", frac, {"units": "1"}),
            "x": ("x", x, {"units": "mm"}),
            "y": ("y", y, {"units": "mm"}),
        },
        attrs={"device": device_name, "lightdose_version": lightdose.__version__, **attrs},
    )
    ds.attrs["centre_total"] = float(centre.sum())
    ds.attrs["mean_total"] = float(mean.sum())
    ds.attrs["max_total"] = float(max(maps.sum(axis=0).max(), centre.sum()))
    return ds


def irradiance_map(device: LightDevice, distance: Any, grid: Grid | None = None) -> xr.Dataset:
    """Irradiance map [W/mm²] of `device` on skin parallel to its face at `distance` ("15 cm"; 0 = contact).

    Returns a Dataset with `irradiance` (band, y, x), `irradiance_total` (y, x), `centre_irradiance` and
    `mean_irradiance` (band; the mean over grid points inside the device footprint), coordinates x, y [mm]
    and wavelength_nm per band; attrs: distance_mm, centre_total, mean_total, max_total [W/mm²], warnings
    (newline-separated; read with :func:`result_warnings`).
    """
    z = parse_distance(device, distance)
    grid = grid or Grid.around(device, z)
    x, y = grid.axes()
    maps = _band_maps(device, x, y, z)
    centre = _band_maps(device, np.zeros(1), np.zeros(1), z)[:, 0, 0]
    inside = (np.abs(y)[:, None] < device.height / 2) & (np.abs(x)[None, :] < device.width / 2)
    if not inside.any():
        raise InputError("grid", "no grid point lies inside the device footprint; use a finer or larger grid")
    mean = maps[:, inside].mean(axis=1)
    bands = device.bands()
    ds = _dataset(
        device.name,
        [(b.wavelength_nm, b.fwhm_nm, b.power_fraction) for b in bands],
        x,
        y,
        maps,
        centre,
        mean,
        {
            "kind": device.kind,
            "distance_mm": z,
            "footprint_width_mm": device.width,
            "footprint_height_mm": device.height,
            "total_power_w": device.total_power,
            "model": "sum over emitters of each emitter's angular profile (lightdose.devices.irradiance)",
        },
    )
    ds.attrs["warnings"] = "\n".join(_warnings(device, ds.attrs["max_total"]))
    return ds


MeterType = Literal["thermopile", "photodiode", "solar", "unknown"]

SOLAR_METER_WARNING = (
    "a broadband 'solar' power meter is calibrated for the sun's spectrum and can misread narrow-band "
    "near-infrared LEDs by a large factor: treat this irradiance as unreliable and, if possible, re-measure with "
    "a thermopile or a wavelength-corrected photodiode sensor"
)


def measured_irradiance(
    value: Any, meter: MeterType, device: LightDevice | None = None, distance: Any = None
) -> xr.Dataset:
    """A uniform irradiance measured by the user ("32 mW/cm^2"), split into the device's bands by power.

    Without a device the band is unknown (wavelength nan). A 'solar' meter reading of a device with any band
    ≥ 700 nm carries a warning. The map is a single point (x = y = 0): there is no spatial information.
    """
    e = parse_quantity(value, "irradiance", "irradiance")
    if e <= 0.0:
        raise InputError("irradiance", f"{value!r} must be > 0 W/mm² (e.g. '32 mW/cm^2')")
    if meter not in ("thermopile", "photodiode", "solar", "unknown"):
        raise InputError("meter", f"{meter!r} is not a meter type; allowed: thermopile, photodiode, solar, unknown")
    bands = (
        [(math.nan, math.nan, 1.0)]
        if device is None
        else [(b.wavelength_nm, b.fwhm_nm, b.power_fraction) for b in device.bands()]
    )
    split = np.array([b[2] for b in bands]) * e
    z = math.nan if distance is None else parse_quantity(distance, "length", "distance")
    if z < 0.0:
        raise InputError("distance", f"{distance!r} is negative; allowed: ≥ 0 mm (0 = in contact with the skin)")
    notes = []
    near_ir = device is None or any(b[0] >= 700.0 for b in bands)
    if meter == "solar" and near_ir:
        notes.append(SOLAR_METER_WARNING)
    if meter == "unknown":
        notes.append("meter type unknown: the reading's accuracy cannot be judged")
    ds = _dataset(
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
            "model": "measured irradiance, uniform",
            **({} if device is None else {"footprint_width_mm": device.width, "footprint_height_mm": device.height}),
        },
    )
    ds.attrs["warnings"] = "\n".join(notes)
    return ds


def result_warnings(ds: xr.Dataset) -> list[str]:
    """The warnings attached to an irradiance result, one string each."""
    text = ds.attrs.get("warnings", "")
    return text.split("\n") if text else []


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """A JSON-ready summary in mW/cm² (the CLI's `irradiance --json`)."""
    return {
        "device": ds.attrs["device"],
        "kind": ds.attrs["kind"],
        "distance_mm": ds.attrs["distance_mm"],
        "centre_mw_cm2": in_mw_cm2(ds.attrs["centre_total"]),
        "mean_mw_cm2": in_mw_cm2(ds.attrs["mean_total"]),
        "max_mw_cm2": in_mw_cm2(ds.attrs["max_total"]),
        "footprint_mm": [ds.attrs.get("footprint_width_mm"), ds.attrs.get("footprint_height_mm")],
        "bands": [
            {
                "wavelength_nm": float(ds.wavelength_nm[i]),
                "fwhm_nm": float(ds.fwhm_nm[i]),
                "power_fraction": float(ds.power_fraction[i]),
                "centre_mw_cm2": float(in_mw_cm2(ds.centre_irradiance[i])),
                "mean_mw_cm2": float(in_mw_cm2(ds.mean_irradiance[i])),
            }
            for i in range(ds.sizes["band"])
        ],
        "x_mm": ds.x.values.tolist(),
        "y_mm": ds.y.values.tolist(),
        "irradiance_mw_cm2": in_mw_cm2(ds.irradiance_total.values).tolist(),
        "warnings": result_warnings(ds),
    }


def centre_irradiance(device: LightDevice, distance: Any) -> float:
    """Irradiance [W/mm²] of all bands at the centre of the treated area at `distance` (no map is computed)."""
    z = parse_distance(device, distance)
    return float(_band_maps(device, np.zeros(1), np.zeros(1), z)[:, 0, 0].sum())


def distance_for_irradiance(device: LightDevice, irradiance: Any, farthest_mm: float = 3000.0) -> float:
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
        raise InputError("irradiance", f"{in_mw_cm2(target):.3g} mW/cm² is outside what {device.name!r} gives at its "
                                       f"centre between {scan[peak]:g} and {farthest_mm:g} mm: "
                                       f"{in_mw_cm2(values[-1]):.3g}–{in_mw_cm2(values[peak]):.3g} mW/cm²")
    if values[peak] == target:
        return float(scan[peak])
    return float(brentq(lambda z: centre_irradiance(device, z) - target, scan[peak], farthest_mm, xtol=1e-3))
