"""Dose at depth: a device's irradiance on the skin × light transport in a site's layers → fluence rate and
fluence versus depth and at each target, per spectral band and summed.

The device's irradiance map gives, per band, the irradiance at the centre of the treated area E_b, the power
reaching the skin and the beam's shape. The layered stack is laterally uniform and transport is linear, so the
fluence rate on the axis under the centre, φ(0, z) = ∫ g(ρ, z)·E(x, y) dA with g the response to a pencil beam
at distance ρ, depends on the map only through its azimuthal mean around the centre, Ē(ρ). :func:`beam_profile`
tabulates Ē(ρ)/E_centre in rings from the map, and both solvers transport that profile: the fast solver as a
signed sum of flat-top discs (:func:`~lightdose.transport.diffusion.solve_ring_beam`), the Monte Carlo as a
pencil beam whose r-resolved fluence is weighted by the rings' irradiance × area
(:func:`~lightdose.transport.mc.convolve.on_axis_fluence`) — exact for any map with that azimuthal mean (an
elongated pad, a panel whose centre lies between LEDs), up to the ring width.

The equivalent flat-top radius a = √(P_skin/(π·E_centre)) is kept: a beam with a ≥ :data:`BROAD_BEAM_RADIUS_MM`
is treated as infinitely broad (1-D transport of the centre irradiance, shape ignored), and the thermal stage
uses a for its choice of r–z geometry and the radius of its heated disc. :func:`skin_beam` computes all of it
once (a :class:`SkinBeam`), so that many people can be dosed under the same device without recomputing its
irradiance map. Each band is transported at its centre wavelength (the spectral width of LEDs, 20–50 nm, is not
integrated over).

Units of the result: depth mm, fluence rate mW/cm², fluence J/cm² (the units of the dose literature), with
``attrs["units"]`` on every variable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import xarray as xr
from numba import njit
from numpy.typing import NDArray

from lightdose import __version__
from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy import sites as site_library
from lightdose.devices import LightDevice
from lightdose.devices.irradiance import MW_CM2_PER_W_MM2, result_warnings
from lightdose.errors import InputError
from lightdose.transport.diffusion import RELIABLE_DEPTH_MM, log_interp, solve_broad_beam, solve_ring_beam
from lightdose.transport.stack_spec import stack_spec
from lightdose.units import parse_quantity

BROAD_BEAM_RADIUS_MM = 300.0
"""Equivalent beam radius [mm] beyond which the beam is treated as infinitely broad (1-D transport)."""

Solver = Literal["fast", "mc"]


def equivalent_beam_radius(irradiance: xr.Dataset, band: int) -> float:
    """Radius [mm] of the flat-top beam with the map's centre irradiance and on-skin power for `band`."""
    e_map = irradiance["irradiance"].isel(band=band).values
    x, y = irradiance["x"].values, irradiance["y"].values
    power = np.trapezoid(np.trapezoid(e_map, x, axis=-1), y)
    centre = float(irradiance["centre_irradiance"].isel(band=band))
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


def beam_profile(irradiance: xr.Dataset, band: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The azimuthal-mean irradiance around the centre of the treated area for `band`, relative to the centre
    irradiance, as rings: (outer edges [mm], mean of Ē(ρ)/E_centre over each ring).

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
    centre = float(irradiance["centre_irradiance"].isel(band=band))
    if centre <= 0:
        raise InputError("distance", "no light reaches the centre of the treated area at this distance")
    dx, dy = float(x[1] - x[0]), float(y[1] - y[0])
    width = max(dx, dy)
    extent = math.hypot(max(abs(x[0]), abs(x[-1])), max(abs(y[0]), abs(y[-1])))
    edges = width * np.arange(1, math.ceil(extent / width) + 1)
    nodes, node_weights = np.polynomial.legendre.leggauss(2)
    inner = edges - width
    radii = (0.5 * (inner[:, None] + edges[:, None]) + 0.5 * width * nodes[None, :]).ravel()  # (ring, node)
    counts = np.maximum(8, 8 * np.ceil(2.0 * math.pi * radii / (8.0 * width))).astype(np.int64)
    azimuthal_mean = _azimuthal_means(e_map, float(x[0]), float(y[0]), dx, dy, radii, counts)  # Ē at each node
    integrand = (azimuthal_mean * radii).reshape(edges.size, 2) @ node_weights * (0.5 * width)  # ∫ Ē ρ dρ
    return edges, integrand / (0.5 * (edges**2 - inner**2)) / centre


@dataclass(frozen=True)
class SkinBeam:
    """A light device as the skin sees it at one distance: per band, the irradiance at the centre of the treated
    area, the highest irradiance on the skin, the azimuthal-mean profile that the transport solves for and the
    equivalent flat-top radius (broad-beam test, thermal geometry).

    It stands in for its device in :func:`depth_dose` and :func:`lightdose.thermal.session.heat_session` when
    they are given the same distance; `name` and `contact` are the device's.
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

    @property
    def power(self) -> NDArray[np.float64]:
        """Power reaching the skin per band [W]: the equivalent beam's E_centre·π·a²."""
        return self.centre_irradiance * math.pi * self.radius_mm**2


def skin_beam(device: str | LightDevice, distance: Any = 0.0) -> SkinBeam:
    """The :class:`SkinBeam` of a device (preset name or :class:`LightDevice`) at `distance` from the skin."""
    from lightdose import devices

    light = devices.get_light_device(device) if isinstance(device, str) else device
    distance_mm = _distance_mm(distance)
    irradiance = light.irradiance_map(distance_mm)
    n_bands = irradiance.sizes["band"]
    centre = irradiance["centre_irradiance"].values.astype(float)
    peak = np.maximum(irradiance["irradiance"].max(dim=("x", "y")).values, centre)
    radius = np.array([equivalent_beam_radius(irradiance, b) for b in range(n_bands)])
    profiles = [beam_profile(irradiance, b) for b in range(n_bands)]
    return SkinBeam(name=light.name, contact=light.contact, distance_mm=distance_mm,
                    wavelength_nm=irradiance["wavelength_nm"].values.astype(float), centre_irradiance=centre,
                    peak_irradiance=peak, radius_mm=radius, profile_radius_mm=profiles[0][0],
                    profile=np.array([values for _, values in profiles]), warnings=tuple(result_warnings(irradiance)))


def _distance_mm(distance: Any) -> float:
    distance_mm = parse_quantity(distance, "length", "distance")
    if distance_mm < 0:
        raise InputError("distance", f"{distance!r} is negative; give the gap between device and skin (≥ 0)")
    return distance_mm


def fluence_rate_on_axis(stack: LayerStack, beam: SkinBeam, z: NDArray[np.float64], solver: Solver = "fast",
                         photons: int = 200_000, seed: int = 1) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Fluence rate [mW/cm²] per band on the beam axis at depths `z` [mm] in `stack` (already adjusted for the
    person), shape (band, z), and whether the solver is trusted at each depth."""
    rate = np.zeros((beam.wavelength_nm.size, z.size))
    reliable = np.ones(z.size, dtype=bool)
    for b, wavelength in enumerate(beam.wavelength_nm):
        profile, ok = _transport_profile(stack, float(wavelength), float(beam.radius_mm[b]), beam.profile_radius_mm,
                                         beam.profile[b], z, solver, photons, seed)
        rate[b] = beam.centre_irradiance[b] * profile * MW_CM2_PER_W_MM2
        reliable &= ok
    return rate, reliable


def _transport_profile(stack: LayerStack, wavelength_nm: float, radius_mm: float, ring_radius_mm: np.ndarray,
                       ring_irradiance: np.ndarray, z: np.ndarray, solver: Solver, photons: int,
                       seed: int) -> tuple[np.ndarray, np.ndarray]:
    """φ/E_centre on the beam axis at depths `z` [mm], and whether each depth is trusted.

    A beam whose equivalent radius reaches :data:`BROAD_BEAM_RADIUS_MM` is infinitely broad; otherwise the
    ring profile is transported, by the same rings in both solvers.
    """
    spec = stack_spec(stack, wavelength_nm)
    broad = radius_mm >= BROAD_BEAM_RADIUS_MM
    if solver == "fast":
        result = solve_broad_beam(spec) if broad else solve_ring_beam(spec, ring_radius_mm, ring_irradiance)
        return result.at(z), z >= RELIABLE_DEPTH_MM
    from lightdose.transport.mc import Grid, PencilBeam, UniformBeam, simulate
    from lightdose.transport.mc.convolve import on_axis_fluence

    dz = float(z[1] - z[0])
    nz = z.size
    if broad:
        ds = simulate(spec, UniformBeam(), photons=photons, seed=seed, grid=Grid(dz_mm=dz, nz=nz, nr=1, na=1))
        profile = ds["fluence_z"].values
    else:
        # One pencil beam; its r bins are the profile's rings, so the weighting is exact for the staircase.
        width = float(ring_radius_mm[0])
        ds = simulate(spec, PencilBeam(), photons=photons, seed=seed,
                      grid=Grid(dz_mm=dz, nz=nz, dr_mm=width, nr=ring_radius_mm.size, na=1))
        profile = on_axis_fluence(ds, ring_radius_mm, ring_irradiance)
    return np.nan_to_num(profile), np.isfinite(profile)


def depth_dose(
    device: Any,
    site: str | LayerStack,
    person: Person | None = None,
    distance: Any = 0.0,
    exposure: Any = "20 min",
    solver: Solver = "fast",
    max_depth: Any = None,
    photons: int = 200_000,
    seed: int = 1,
) -> xr.Dataset:
    """Fluence rate [mW/cm²] and fluence [J/cm²] versus depth and at the site's targets.

    `device`: a preset name, a :class:`~lightdose.devices.LightDevice` or a :class:`SkinBeam` computed at the
    same `distance`; `site`: a body-site name or a :class:`LayerStack`; `person` adjusts the site (skin type, fat,
    neuropathy); `distance` from the device's emitting face to the skin (0 = contact); `exposure` the irradiation
    time; `solver` "fast" (δ-P1 diffusion) or "mc" (Monte Carlo, `photons`, `seed`). Both transport the same
    ring profile of the irradiance map (:func:`beam_profile`); `beam_radius` reports the equivalent flat-top
    radius, which only decides whether the beam is treated as infinitely broad.
    """
    from lightdose import devices

    if solver not in ("fast", "mc"):
        raise InputError("solver", f"{solver!r} is not a solver; use 'fast' or 'mc'")
    source = devices.get_light_device(device) if isinstance(device, str) else device
    base = site_library.get(site) if isinstance(site, str) else site
    person = person or Person()
    stack = person.apply(base)
    distance_mm = _distance_mm(distance)
    exposure_s = parse_quantity(exposure, "time", "exposure")
    if exposure_s <= 0:
        raise InputError("exposure", f"{exposure!r} must be a positive time")
    deepest = max([t.depth_max for t in stack.targets], default=20.0)
    depth = parse_quantity(max_depth, "length", "max_depth") if max_depth is not None else max(30.0, deepest + 10.0)
    dz = 0.1
    z = (np.arange(int(round(depth / dz))) + 0.5) * dz

    if isinstance(source, SkinBeam):
        if not math.isclose(source.distance_mm, distance_mm, rel_tol=1e-9, abs_tol=1e-9):
            raise InputError("distance", f"{distance_mm:g} mm, but the SkinBeam of '{source.name}' was computed at "
                                         f"{source.distance_mm:g} mm")
        beam = source
    else:
        beam = skin_beam(source, distance_mm)
    n_bands = beam.wavelength_nm.size
    wavelengths = beam.wavelength_nm
    rate, reliable = fluence_rate_on_axis(stack, beam, z, solver, photons, seed)
    surface = beam.centre_irradiance
    radii = beam.radius_mm
    fluence = rate * exposure_s / 1000.0  # mW/cm² × s → J/cm²

    names = [t.name for t in stack.targets]
    t_min = np.array([t.depth_min for t in stack.targets])
    t_max = np.array([t.depth_max for t in stack.targets])
    t_mid = 0.5 * (t_min + t_max)

    def at(depths: np.ndarray) -> np.ndarray:  # (band, target)
        return np.array([log_interp(depths, z, r) for r in rate])

    total = rate.sum(axis=0)
    ds = xr.Dataset(
        {
            "fluence_rate": (("band", "z"), rate, {"units": "mW/cm^2", "long_name": "fluence rate on the axis"}),
            "fluence": (("band", "z"), fluence, {"units": "J/cm^2", "long_name": "fluence for the exposure"}),
            "fluence_rate_total": ("z", total, {"units": "mW/cm^2", "long_name": "fluence rate, all bands"}),
            "fluence_total": ("z", total * exposure_s / 1000.0, {"units": "J/cm^2", "long_name": "fluence, all bands"}),
            "reliable": ("z", reliable, {
                "units": "1", "long_name": "solver trusted at this depth",
                "note": f"fast solver: diffusion is not trusted above {RELIABLE_DEPTH_MM} mm"}),
            "surface_irradiance": ("band", surface * MW_CM2_PER_W_MM2,
                                   {"units": "mW/cm^2", "long_name": "irradiance at the centre of the treated area"}),
            "beam_radius": ("band", radii, {"units": "mm", "long_name": "equivalent flat-top beam radius",
                                            "note": f"beams of {BROAD_BEAM_RADIUS_MM:g} mm or more are transported "
                                                    "as infinitely broad; others by their profile"}),
            "beam_profile": (("band", "ring"), beam.profile, {
                "units": "1", "long_name": "azimuthal-mean irradiance over each ring / centre irradiance"}),
            "target_depth_min": ("target", t_min, {"units": "mm"}),
            "target_depth_max": ("target", t_max, {"units": "mm"}),
            "target_depth_mid": ("target", t_mid, {"units": "mm"}),
            "target_fluence_rate": (("band", "target"), at(t_mid), {"units": "mW/cm^2",
                                                                     "long_name": "fluence rate at target mid-depth"}),
            "target_fluence_rate_total": ("target", at(t_mid).sum(axis=0), {"units": "mW/cm^2"}),
            "target_fluence_rate_total_shallow": ("target", at(t_min).sum(axis=0), {"units": "mW/cm^2",
                                                  "long_name": "fluence rate at the shallow edge of the target"}),
            "target_fluence_rate_total_deep": ("target", at(t_max).sum(axis=0), {"units": "mW/cm^2",
                                               "long_name": "fluence rate at the deep edge of the target"}),
            "target_fluence_total": ("target", at(t_mid).sum(axis=0) * exposure_s / 1000.0, {"units": "J/cm^2"}),
        },
        coords={
            "z": ("z", z, {"units": "mm", "long_name": "depth below the skin surface"}),
            "ring_radius": ("ring", beam.profile_radius_mm, {"units": "mm", "long_name": "outer edge of the ring"}),
            "band": ("band", np.arange(n_bands)),
            "wavelength_nm": ("band", wavelengths, {"units": "nm"}),
            "target": ("target", np.array(names, dtype=str)),
        },
        attrs={
            "device": beam.name,
            "site": stack.name,
            "person": person.model_dump_json(),
            "distance_mm": distance_mm,
            "exposure_s": exposure_s,
            "solver": "delta-P1 diffusion" if solver == "fast" else "Monte Carlo",
            "photons": photons if solver == "mc" else 0,
            "seed": seed if solver == "mc" else 0,
            "lightdose_version": __version__,
            "layer_boundaries_mm": np.asarray(stack.boundaries[:-1]),
            "layer_names": ", ".join(layer.name for layer in stack.layers),
        },
    )
    return ds


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """A JSON-ready summary (the CLI's `depth-dose --json`)."""
    return {
        "device": ds.attrs["device"],
        "site": ds.attrs["site"],
        "distance_mm": float(ds.attrs["distance_mm"]),
        "exposure_s": float(ds.attrs["exposure_s"]),
        "solver": ds.attrs["solver"],
        "bands": [
            {"wavelength_nm": float(ds.wavelength_nm[b]), "surface_irradiance_mw_cm2": float(ds.surface_irradiance[b]),
             "beam_radius_mm": float(ds.beam_radius[b])}
            for b in range(ds.sizes["band"])
        ],
        "z_mm": ds.z.values.round(4).tolist(),
        "fluence_rate_mw_cm2": ds.fluence_rate_total.values.tolist(),
        "fluence_j_cm2": ds.fluence_total.values.tolist(),
        "reliable": ds.reliable.values.tolist(),
        "targets": [
            {
                "target": str(ds.target.values[i]),
                "depth_mm": float(ds.target_depth_mid[i]),
                "depth_range_mm": [float(ds.target_depth_min[i]), float(ds.target_depth_max[i])],
                "fluence_rate_mw_cm2": float(ds.target_fluence_rate_total[i]),
                "fluence_j_cm2": float(ds.target_fluence_total[i]),
                "fluence_rate_range_mw_cm2": [float(ds.target_fluence_rate_total_deep[i]),
                                              float(ds.target_fluence_rate_total_shallow[i])],
                "per_band_fluence_rate_mw_cm2": ds.target_fluence_rate.values[:, i].tolist(),
            }
            for i in range(ds.sizes["target"])
        ],
    }
