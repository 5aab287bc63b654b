"""A light device as the skin sees it: per spectral band, the irradiance at the centre of the treated area, the
highest irradiance on the skin, the azimuthal-mean profile of the irradiance around the centre and the equivalent
flat-top radius.

The layered stack is laterally uniform and transport is linear, so the fluence rate on the axis under the centre,
φ(0, z) = ∫ g(ρ, z)·E(x, y) dA with g the response to a pencil beam at distance ρ, depends on the irradiance map only
through its azimuthal mean around the centre, Ē(ρ). :func:`beam_profile` tabulates Ē(ρ)/E_centre in rings from the
map; the transport solvers take that profile (:mod:`lightdose.transport.dose`). The equivalent flat-top radius
a = √(P_skin/(π·E_centre)) decides whether a beam is treated as infinitely broad, and the thermal stage uses it for
its choice of r–z geometry and the radius of its heated disc. :func:`disc_mean` gives the mean irradiance over a
disc around the centre, which is what a 1-D heat model of the skin should see (near a panel the centre point may
lie between LEDs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xarray as xr
from numba import njit
from numpy.typing import NDArray
from scipy.ndimage import label
from scipy.signal import fftconvolve

from lightdose.devices import LightDevice
from lightdose.devices.irradiance import eye_warning, result_warnings
from lightdose.devices.placement import Placement
from lightdose.errors import InputError


def equivalent_beam_radius(irradiance: xr.Dataset, band: int, centre: float | None = None) -> float:
    """Radius [mm] of the flat-top beam with the map's on-skin power for `band` and its irradiance at the centre of
    the treated area (`centre` [W/mm²], default the map's value at (0, 0))."""
    e_map = irradiance["irradiance"].isel(band=band).values
    x, y = irradiance["x"].values, irradiance["y"].values
    power = np.trapezoid(np.trapezoid(e_map, x, axis=-1), y)
    centre = float(irradiance["centre_irradiance"].isel(band=band)) if centre is None else centre
    if centre <= 0 or power <= 0:
        raise InputError("distance", "no light reaches the centre of the treated area at this distance")
    return math.sqrt(power / (math.pi * centre))


@njit(cache=True)
def _azimuthal_means(e_map: NDArray[np.float64], x0: float, y0: float, dx: float, dy: float,
                     radii: NDArray[np.float64], counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Mean of the map (rows y, columns x, first node at (x0, y0), spacing dx, dy) over `counts[i]` equally spaced
    angles on the circle of radius `radii[i]` about (0, 0): bilinear inside the map, zero outside it."""
    ny, nx = e_map.shape
    out = np.zeros(radii.size)
    for i in range(radii.size):
        total = 0.0
        step = 2.0 * math.pi / counts[i]
        for j in range(counts[i]):
            theta = (j + 0.5) * step
            u = (radii[i] * math.cos(theta) - x0) / dx
            v = (radii[i] * math.sin(theta) - y0) / dy
            if u < 0.0 or v < 0.0 or u > nx - 1 or v > ny - 1:
                continue
            iu = min(int(u), nx - 2)
            iv = min(int(v), ny - 2)
            fu = u - iu
            fv = v - iv
            total += ((1.0 - fv) * ((1.0 - fu) * e_map[iv, iu] + fu * e_map[iv, iu + 1])
                      + fv * ((1.0 - fu) * e_map[iv + 1, iu] + fu * e_map[iv + 1, iu + 1]))
        out[i] = total / counts[i]
    return out


def map_value(irradiance: xr.Dataset, band: int, point: tuple[float, float]) -> float:
    """The map's irradiance [W/mm²] of `band` at `point` (x, y) [mm]: the exact centre value at (0, 0), else
    bilinear between the map's cells."""
    if point == (0.0, 0.0):
        return float(irradiance["centre_irradiance"].isel(band=band))
    x, y = irradiance["x"].values, irradiance["y"].values
    e_map = np.ascontiguousarray(irradiance["irradiance"].isel(band=band).values, dtype=float)
    return float(_azimuthal_means(e_map, float(x[0] - point[0]), float(y[0] - point[1]), float(x[1] - x[0]),
                                  float(y[1] - y[0]), np.zeros(1), np.ones(1, dtype=np.int64))[0])


def beam_profile(irradiance: xr.Dataset, band: int, point: tuple[float, float] = (0.0, 0.0),
                 reference: float | None = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The azimuthal-mean irradiance around `point` (default: the centre of the treated area) for `band`, relative
    to `reference` [W/mm²] (default: the irradiance at that point), as rings: (outer edges [mm], mean of
    Ē(ρ)/E_reference over each ring).

    Rings are one map spacing wide (the larger of dx, dy) and reach the map's farthest corner. Each ring's mean
    is integrated from the map, bilinearly interpolated, at two radii (Gauss–Legendre in ρ, weighted by ρ) and
    at angles about one map spacing apart (a compiled loop, ~1–2 ms). Outside the map the irradiance
    counts as zero, as in the on-skin power (:func:`equivalent_beam_radius`): the profile and the equivalent disc
    carry the same power (measured within 6e-5). :func:`lightdose.devices.irradiance.Grid.around` adds
    max(10 mm, distance) to the device's face: a contact device's light lies inside it; a panel's map ends where
    its azimuthal mean is still 1–13 % of the centre's, but rings beyond 100 mm change the on-axis fluence at
    tissue depths by < 1e-4 (tests/validation/test_beam_shape.py).
    """
    x, y = irradiance["x"].values, irradiance["y"].values
    if x.size < 2 or y.size < 2:
        raise InputError("irradiance", "a beam profile needs an irradiance map, not a single measured value")
    e_map = np.ascontiguousarray(irradiance["irradiance"].isel(band=band).values, dtype=float)
    centre = map_value(irradiance, band, point) if reference is None else reference
    if centre <= 0:
        raise InputError("distance", "no light reaches the centre of the treated area at this distance")
    dx, dy = float(x[1] - x[0]), float(y[1] - y[0])
    width = max(dx, dy)
    extent = math.hypot(max(abs(x[0] - point[0]), abs(x[-1] - point[0])),
                        max(abs(y[0] - point[1]), abs(y[-1] - point[1])))
    edges = width * np.arange(1, math.ceil(extent / width) + 1, dtype=np.float64)
    nodes, node_weights = np.polynomial.legendre.leggauss(2)
    inner = edges - width
    radii = (0.5 * (inner[:, None] + edges[:, None]) + 0.5 * width * nodes[None, :]).ravel()  # (ring, node)
    counts = np.maximum(8, 8 * np.ceil(2.0 * math.pi * radii / (8.0 * width))).astype(np.int64)
    azimuthal_mean = _azimuthal_means(e_map, float(x[0] - point[0]), float(y[0] - point[1]), dx, dy, radii,
                                      counts)  # Ē at each node
    integrand = (azimuthal_mean * radii).reshape(edges.size, 2) @ node_weights * (0.5 * width)  # ∫ Ē ρ dρ
    return edges, integrand / (0.5 * (edges**2 - inner**2)) / centre


@dataclass(frozen=True)
class SkinBeam:
    """A light device as the skin sees it at one distance: per band, the irradiance at the centre of the treated
    area, the highest irradiance on the skin, the azimuthal-mean profile that the transport solves for and the
    equivalent flat-top radius (broad-beam test, thermal geometry).

    `name` and `contact` are the device's. Irradiances are canonical W/mm².
    """

    name: str
    contact: bool
    distance_mm: float
    wavelength_nm: NDArray[np.float64]
    centre_irradiance: NDArray[np.float64]
    """Irradiance at the centre of the treated area per band [W/mm²]."""
    peak_irradiance: NDArray[np.float64]
    """Highest irradiance on the skin per band [W/mm²] (the exposure limits apply to it)."""
    radius_mm: NDArray[np.float64]
    """Equivalent flat-top beam radius per band [mm]: √(P_skin/(π·E_centre))."""
    profile_radius_mm: NDArray[np.float64]
    """Outer edges of the profile's rings [mm] (the first ring starts on the axis), shared by all bands."""
    profile: NDArray[np.float64]
    """Mean irradiance over each ring relative to the centre irradiance, per band: shape (band, ring)."""
    warnings: tuple[str, ...] = ()
    """The device's warnings at this distance (pulsing, laser beam), but the eye's."""
    eye_warning: str | None = None
    """The device's near-infrared eye warning for long exposures, or None: none for a device on the skin, which
    cannot shine into the eyes (a plan replaces it by a time-aware one where a panel faces the head)."""
    point_mm: tuple[float, float] = (0.0, 0.0)
    """Where on the skin the beam is seen from (x, y) [mm]: (0, 0) is the centre of the treated area."""

    @property
    def power(self) -> NDArray[np.float64]:
        """Power reaching the skin per band [W]: the equivalent beam's E_centre·π·a²."""
        return self.centre_irradiance * math.pi * self.radius_mm**2


def skin_beam(placement: Placement, point: tuple[float, float] = (0.0, 0.0)) -> SkinBeam:
    """The :class:`SkinBeam` of a light device's placement, seen from `point` (x, y) [mm] on the skin (default: the
    centre of the treated area). Cached: many people are dosed under the same device."""
    light = placement.light_device()
    return _skin_beam(light.model_dump_json(), placement.distance, point)


@lru_cache(maxsize=16)
def _irradiance_map(device_json: str, distance_mm: float) -> xr.Dataset:
    return LightDevice.model_validate_json(device_json).irradiance_map(distance_mm)


@lru_cache(maxsize=32)
def _skin_beam(device_json: str, distance_mm: float, point: tuple[float, float]) -> SkinBeam:
    light = LightDevice.model_validate_json(device_json)
    irradiance = _irradiance_map(device_json, distance_mm)
    n_bands = irradiance.sizes["band"]
    centre = np.array([map_value(irradiance, b, point) for b in range(n_bands)])
    brightest = irradiance["irradiance"].max(dim=("x", "y")).values
    moved: tuple[str, ...] = ()
    if point == (0.0, 0.0) and (centre < DARK_SHARE * brightest).any() and brightest.max() > 0:
        share = float((centre / np.where(brightest > 0, brightest, 1.0)).min())
        point = _nearest_lit_point(irradiance)
        centre = np.array([map_value(irradiance, b, point) for b in range(n_bands)])
        moved = (f"the centre of the treated area lies between emitters at {distance_mm:g} mm and gets "
                 f"{100 * share:.2g} % of the brightest spot's irradiance: doses are given under the nearest emitter, "
                 f"at ({point[0]:.1f}, {point[1]:.1f}) mm; between emitters they are lower",)
    peak = np.maximum(brightest, centre)
    # A band dark at the point (LEDs of another colour there) still lights the tissue below from around it: its
    # profile is taken relative to a tiny reference irradiance, so that reference × profile is its ring means.
    reference = np.maximum(centre, DARK_REFERENCE * brightest)
    radius = np.array([equivalent_beam_radius(irradiance, b, float(reference[b])) for b in range(n_bands)])
    profiles = [beam_profile(irradiance, b, point, float(reference[b])) for b in range(n_bands)]
    return SkinBeam(name=light.name, contact=light.contact, distance_mm=distance_mm,
                    wavelength_nm=irradiance["wavelength_nm"].values.astype(float),
                    centre_irradiance=reference, peak_irradiance=peak, radius_mm=radius,
                    profile_radius_mm=profiles[0][0], profile=np.array([values for _, values in profiles]),
                    warnings=moved + tuple(w for w in result_warnings(irradiance) if w != eye_warning(irradiance)),
                    eye_warning=None if light.contact else eye_warning(irradiance), point_mm=point)


DARK_SHARE = 0.1
"""A treated area whose centre gets less than this share of a band's brightest irradiance on the skin (between
a panel's LEDs, near contact) is seen from under the nearest emitter instead."""
DARK_REFERENCE = 1e-9
"""Reference irradiance of a band that is dark at the point, as a share of its brightest (see :func:`_skin_beam`)."""


def _nearest_lit_point(irradiance: xr.Dataset) -> tuple[float, float]:
    """Under the emitter nearest to the centre (x, y) [mm]: the centroid of the patch of skin, among those where
    every band gets at least half of its highest irradiance, that comes nearest to the centre. Where the dose is
    reported when the centre lies in the dark between emitters."""
    bands = irradiance["irradiance"].values  # (band, y, x)
    lit = np.all(bands >= 0.5 * bands.max(axis=(1, 2), keepdims=True), axis=0)
    if not lit.any():  # bands peaking under different emitters: the brightest total instead
        total = irradiance["irradiance_total"].values
        lit = total >= 0.5 * total.max()
    x, y = irradiance["x"].values, irradiance["y"].values
    patches, _ = label(lit)
    iy, ix = np.nonzero(lit)
    nearest = int(np.argmin(np.hypot(x[ix], y[iy])))
    py, px = np.nonzero(patches == patches[iy[nearest], ix[nearest]])
    return float(np.round(x[px].mean(), 6)), float(np.round(y[py].mean(), 6))


def hottest_spot(placement: Placement, radius_mm: float, margin: float = 0.01) -> tuple[float, float]:
    """Where on the skin the irradiance averaged over a disc of `radius_mm` is highest (x, y) [mm]: the centre of
    the treated area unless a spot beats it by more than `margin` (near a panel the centre may lie between LEDs)."""
    irradiance = _irradiance_map(placement.light_device().model_dump_json(), placement.distance)
    x, y = irradiance["x"].values, irradiance["y"].values
    dx, dy = float(x[1] - x[0]), float(y[1] - y[0])
    kx, ky = math.ceil(radius_mm / dx), math.ceil(radius_mm / dy)
    ox, oy = np.meshgrid(np.arange(-kx, kx + 1) * dx, np.arange(-ky, ky + 1) * dy)
    kernel = (np.hypot(ox, oy) <= radius_mm).astype(float)
    smoothed = fftconvolve(irradiance["irradiance_total"].values, kernel / kernel.sum(), mode="same")
    centre = smoothed[int(np.argmin(np.abs(y))), int(np.argmin(np.abs(x)))]
    iy, ix = np.unravel_index(int(np.argmax(smoothed)), smoothed.shape)
    if smoothed[iy, ix] <= (1.0 + margin) * centre:
        return 0.0, 0.0
    return float(x[ix]), float(y[iy])


def disc_mean(beam: SkinBeam, radius_mm: float) -> NDArray[np.float64]:
    """Mean irradiance per band [W/mm²] over the disc of `radius_mm` around the centre of the treated area, from
    the beam's ring profile (rings wholly or partly inside count with the share of their area inside)."""
    outer = beam.profile_radius_mm
    inner = np.concatenate([[0.0], outer[:-1]])
    inside = np.clip(np.minimum(outer, radius_mm) ** 2 - inner**2, 0.0, None)  # ∝ area of each ring inside
    mean: NDArray[np.float64] = beam.centre_irradiance * (beam.profile @ inside) / radius_mm**2
    return mean
