"""Dose at depth: a device's irradiance on the skin × light transport in a site's layers → fluence rate and fluence
versus depth and at each target, per spectral band and summed.

``depth_dose(DoseRequest(placement="pad-890", site="ankle-medial", exposure="30 min"))`` → :class:`DoseResult`.

The device is seen through its :class:`~lightdose.transport.skin_beam.SkinBeam` (per band: the irradiance at the
centre of the treated area and the azimuthal-mean ring profile around it). Both solvers transport that profile: the
fast solver as a signed sum of flat-top discs (:func:`~lightdose.transport.diffusion.solve_ring_beam`), the Monte
Carlo as a pencil beam whose r-resolved fluence is weighted by the rings' irradiance × area
(:func:`~lightdose.transport.mc.convolve.on_axis_fluence`) — exact for any map with that azimuthal mean (an elongated
pad, a panel whose centre lies between LEDs), up to the ring width. A beam whose equivalent flat-top radius reaches
:data:`BROAD_BEAM_RADIUS_MM` is treated as infinitely broad (1-D transport of the centre irradiance). Each band is
transported at its centre wavelength (the spectral width of LEDs, 20–50 nm, is not integrated over).

Units: depth mm, fluence rate W/mm², fluence (radiant exposure) J/mm² — canonical inside lightdose; the presenters
show mW/cm² and J/cm² (:mod:`lightdose.present.dose`). Every Dataset variable carries ``attrs["units"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from pydantic import Field, model_validator

from lightdose.anatomy import LayerStack
from lightdose.limits import MAX_DEPTH_MM
from lightdose.optics.variants import BOUNDS, optics_variants, scattering_groups
from lightdose.provenance import Provenance
from lightdose.transport.diffusion import (
    RELIABLE_DEPTH_MM,
    log_interp,
    solve_broad_beam,
    solve_depth,
    solve_ring_beam,
)
from lightdose.transport.request import SessionRequest
from lightdose.transport.skin_beam import SkinBeam, skin_beam
from lightdose.transport.stack_spec import stack_spec
from lightdose.units import Bounded

DoseProgress = Callable[[str, int, int, int | None], None]
"""Called while a Monte Carlo dose runs with (the band, e.g. "850 nm"; its index; photons finished; photons asked
for)."""
BROAD_BEAM_RADIUS_MM = 300.0
"""Equivalent beam radius [mm] beyond which the beam is treated as infinitely broad (1-D transport), provided that
its irradiance is also flat near the axis (:data:`FLAT_WITHIN_MM`, :data:`FLAT_TO`): a band dark at the point but
bright around it has a huge equivalent radius too."""
FLAT_WITHIN_MM = 30.0
"""Radius [mm] over which a broad beam's ring means must stay within :data:`FLAT_TO` of the axis value (several
transport lengths at any depth the profile reaches)."""
FLAT_TO = 0.1
DEPTH_STEP_MM = 0.1
"""Spacing of the depth grid [mm]."""
MC_PHOTON_RANGE = (1_000, 1_000_000_000)
"""Photons per band a Monte Carlo dose may use."""

Solver = Literal["fast", "mc"]


class DoseRequest(SessionRequest):
    """A dose-at-depth computation: the session (placement, site, person, exposure, parameters) and how to solve it:
    `solver` "fast" (δ-P1 diffusion) or "mc" (Monte Carlo with `photons` per band and `seed`), down to `max_depth`
    (default: 10 mm below the deepest target, at least 30 mm)."""

    solver: Solver = "fast"
    max_depth: Annotated[float, Bounded("length", ge=1.0, le=MAX_DEPTH_MM)] | None = Field(
        default=None, description="deepest depth of the profile [mm]")
    photons: int = Field(default=200_000, ge=MC_PHOTON_RANGE[0], le=MC_PHOTON_RANGE[1],
                         description="photons per band (Monte Carlo)")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="random seed (Monte Carlo)")

    @model_validator(mode="after")
    def _light(self) -> DoseRequest:
        self.placement.light_device()  # a heat-only source has no light dose
        return self

    def depths(self, stack: LayerStack) -> NDArray[np.float64]:
        """Cell-centre depths [mm] of the profile in `stack` (the person's stack)."""
        deepest = max([t.depth_max for t in stack.targets], default=20.0)
        depth = self.max_depth if self.max_depth is not None else min(max(30.0, deepest + 10.0), MAX_DEPTH_MM)
        return (np.arange(int(round(depth / DEPTH_STEP_MM)), dtype=np.float64) + 0.5) * DEPTH_STEP_MM


@dataclass(frozen=True)
class BandAtSkin:
    """One spectral band as it reaches the skin."""

    wavelength_nm: float
    irradiance: float
    """Irradiance at the centre of the treated area [W/mm²]."""
    peak_irradiance: float
    """Highest irradiance on the skin [W/mm²]."""
    beam_radius_mm: float
    """Equivalent flat-top beam radius [mm]."""


@dataclass(frozen=True)
class TargetDose:
    """The dose at one target: at its mid-depth and at its shallow and deep edges."""

    name: str
    depth_min_mm: float
    depth_max_mm: float
    fluence_rate: float
    """Fluence rate at the target's mid-depth, all bands [W/mm²]."""
    fluence: float
    """Fluence (radiant exposure) at the mid-depth for the exposure [J/mm²]."""
    fluence_rate_shallow: float
    """Fluence rate at the shallow edge [W/mm²]."""
    fluence_rate_deep: float
    """Fluence rate at the deep edge [W/mm²]."""
    fluence_rate_per_band: tuple[float, ...]
    """Fluence rate at the mid-depth per band [W/mm²]."""
    fluence_optics_range: tuple[float, float] | None = None
    """Fluence at the mid-depth [J/mm²] with the lowest and the highest of the parameter set's tissue-optics variants
    (:mod:`lightdose.optics.variants`: in-vivo mean − 1 SD to ex-vivo dermal scattering), or None for a set without
    them: how much of the answer rests on tissue optics."""

    @property
    def depth_mm(self) -> float:
        """Mid-depth [mm]."""
        return 0.5 * (self.depth_min_mm + self.depth_max_mm)


@dataclass(frozen=True)
class DoseResult:
    """Fluence rate and fluence versus depth (`dataset`) and at each target (`targets`), canonical units."""

    request: DoseRequest
    dataset: xr.Dataset
    bands: tuple[BandAtSkin, ...]
    targets: tuple[TargetDose, ...]
    solver: str
    photons: int
    """Photons per band actually simulated (0 for the fast solver)."""
    partial: bool
    """True when a Monte Carlo run was interrupted: the result is computed from fewer photons than asked."""
    warnings: tuple[str, ...]
    provenance: Provenance

    def target(self, name: str | None = None) -> TargetDose:
        """The target called `name` (default: the first)."""
        if name is None:
            return self.targets[0]
        return next(t for t in self.targets if t.name == name)


def fluence_rate_on_axis(stack: LayerStack, beam: SkinBeam, z: NDArray[np.float64], solver: Solver = "fast",
                         photons: int = 200_000, seed: int = 1, progress: DoseProgress | None = None
                         ) -> tuple[NDArray[np.float64], NDArray[np.bool_], int, bool]:
    """Fluence rate [W/mm²] per band on the beam axis at depths `z` [mm] in `stack` (already adjusted for the
    person), shape (band, z); whether the solver is trusted at each depth; the fewest photons simulated in a band
    (0 for the fast solver); and whether a Monte Carlo run was interrupted. `progress`, if given, is told how far a
    Monte Carlo run is (see :data:`DoseProgress`)."""
    rate = np.zeros((beam.wavelength_nm.size, z.size))
    reliable = np.ones(z.size, dtype=bool)
    simulated, partial = (photons if solver == "mc" else 0), False
    for b, wavelength in enumerate(beam.wavelength_nm):
        band_progress = None if progress is None else (
            lambda done, total, b=b, wavelength=wavelength: progress(f"{wavelength:g} nm", b, done, total))
        profile, ok, done, interrupted = _transport_profile(
            stack, float(wavelength), float(beam.radius_mm[b]), beam.profile_radius_mm, beam.profile[b], z, solver,
            photons, seed, band_progress)
        rate[b] = beam.centre_irradiance[b] * profile
        reliable &= ok
        simulated, partial = min(simulated, done), partial or interrupted
        if interrupted:
            break
    return rate, reliable, simulated, partial


def _transport_profile(stack: LayerStack, wavelength_nm: float, radius_mm: float, ring_radius_mm: np.ndarray,
                       ring_irradiance: np.ndarray, z: np.ndarray, solver: Solver, photons: int,
                       seed: int, progress: Callable[[int, int | None], None] | None = None
                       ) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """φ/E_centre on the beam axis at depths `z` [mm], whether each depth is trusted, photons simulated and whether
    the run was interrupted."""
    spec = stack_spec(stack, wavelength_nm)
    near_axis = ring_radius_mm <= FLAT_WITHIN_MM
    broad = radius_mm >= BROAD_BEAM_RADIUS_MM and bool(np.all(np.abs(ring_irradiance[near_axis] - 1.0) <= FLAT_TO))
    if solver == "fast":
        depth = solve_depth(spec, float(z[-1]))
        result = (solve_broad_beam(spec, depth_mm=depth) if broad
                  else solve_ring_beam(spec, ring_radius_mm, ring_irradiance, depth_mm=depth))
        return result.at(z), z >= RELIABLE_DEPTH_MM, 0, False
    from lightdose.transport.mc import Grid, PencilBeam, UniformBeam, simulate
    from lightdose.transport.mc.convolve import on_axis_fluence

    dz = float(z[1] - z[0])
    nz = z.size
    if broad:
        ds = simulate(spec, UniformBeam(), photons=photons, seed=seed, grid=Grid(dz_mm=dz, nz=nz, nr=1, na=1),
                      progress=progress)
        profile = ds["fluence_z"].values
    else:
        # One pencil beam; its r bins are the profile's rings, so the weighting is exact for the staircase.
        width = float(ring_radius_mm[0])
        ds = simulate(spec, PencilBeam(), photons=photons, seed=seed,
                      grid=Grid(dz_mm=dz, nz=nz, dr_mm=width, nr=ring_radius_mm.size, na=1), progress=progress)
        profile = on_axis_fluence(ds, ring_radius_mm, ring_irradiance)
    return np.nan_to_num(profile), np.isfinite(profile), int(ds.attrs["photons"]), bool(ds.attrs["partial"])


def _optics_spread(request: DoseRequest, beam: SkinBeam, z: NDArray[np.float64], depths: NDArray[np.float64],
                   nominal_fast: NDArray[np.float64] | None) -> NDArray[np.float64] | None:
    """The lowest and highest fluence rate over the tissue-optics variants relative to the nominal one, at `depths`
    [mm]: shape (2, depth); None if the parameter set has no variants. Computed with the fast solver whatever the
    request's solver (a ratio of two diffusion solutions; tests/validation/test_optics_variants_mc.py checks it
    against Monte Carlo); `nominal_fast` is the nominal fast solution when it is already at hand."""
    params = request.parameter_set()
    if not scattering_groups(params):
        return None
    totals = []
    for bound, variant in optics_variants(params).items():
        if bound == "nominal" and nominal_fast is not None:
            rate = nominal_fast
        else:
            rate = fluence_rate_on_axis(request.person.apply(request.base_stack(), variant), beam, z)[0]
        totals.append(log_interp(depths, z, rate.sum(axis=0)))
    values = np.array(totals)
    nominal = values[BOUNDS.index("nominal")]
    return np.array([values.min(axis=0), values.max(axis=0)]) / np.where(nominal > 0, nominal, 1.0)


def depth_dose(request: DoseRequest, *, progress: DoseProgress | None = None) -> DoseResult:
    """Fluence rate [W/mm²] and fluence [J/mm²] versus depth and at the site's targets (see the module docstring).
    `progress`, if given, is told how far a Monte Carlo run is."""
    stack = request.stack()
    beam = skin_beam(request.placement)
    z = request.depths(stack)
    rate, reliable, photons, partial = fluence_rate_on_axis(stack, beam, z, request.solver, request.photons,
                                                            request.seed, progress)
    exposure = request.exposure
    names = [t.name for t in stack.targets]
    t_min = np.array([t.depth_min for t in stack.targets])
    t_max = np.array([t.depth_max for t in stack.targets])

    def at(depths: np.ndarray) -> np.ndarray:  # (band, target)
        return np.array([log_interp(depths, z, r) for r in rate]).reshape(rate.shape[0], depths.size)

    mid, shallow, deep = at(0.5 * (t_min + t_max)), at(t_min), at(t_max)
    total = rate.sum(axis=0)
    solver = "delta-P1 diffusion" if request.solver == "fast" else "Monte Carlo"
    provenance = Provenance.of(request, request.parameter_set().name)
    rate_units = {"units": "W/mm^2"}
    dose_units = {"units": "J/mm^2"}
    dataset = xr.Dataset(
        {
            "fluence_rate": (("band", "z"), rate, {**rate_units, "long_name": "fluence rate on the axis"}),
            "fluence": (("band", "z"), rate * exposure, {**dose_units, "long_name": "fluence for the exposure"}),
            "fluence_rate_total": ("z", total, {**rate_units, "long_name": "fluence rate, all bands"}),
            "fluence_total": ("z", total * exposure, {**dose_units, "long_name": "fluence, all bands"}),
            "reliable": ("z", reliable, {
                "units": "1", "long_name": "solver trusted at this depth",
                "note": f"fast solver: diffusion is not trusted above {RELIABLE_DEPTH_MM} mm"}),
            "surface_irradiance": ("band", beam.centre_irradiance, {
                **rate_units, "long_name": "irradiance at the centre of the treated area"}),
            "beam_radius": ("band", beam.radius_mm, {"units": "mm", "long_name": "equivalent flat-top beam radius",
                                                     "note": f"beams of {BROAD_BEAM_RADIUS_MM:g} mm or more are "
                                                             "transported as infinitely broad; others by their "
                                                             "profile"}),
            "beam_profile": (("band", "ring"), beam.profile, {
                "units": "1", "long_name": "azimuthal-mean irradiance over each ring / centre irradiance"}),
            "target_depth_min": ("target", t_min, {"units": "mm"}),
            "target_depth_max": ("target", t_max, {"units": "mm"}),
            "target_fluence_rate": (("band", "target"), mid, {**rate_units,
                                                              "long_name": "fluence rate at target mid-depth"}),
            "target_fluence": ("target", mid.sum(axis=0) * exposure, {**dose_units,
                                                                     "long_name": "fluence at target mid-depth"}),
        },
        coords={
            "z": ("z", z, {"units": "mm", "long_name": "depth below the skin surface"}),
            "ring_radius": ("ring", beam.profile_radius_mm, {"units": "mm", "long_name": "outer edge of the ring"}),
            "band": ("band", np.arange(beam.wavelength_nm.size)),
            "wavelength_nm": ("band", beam.wavelength_nm, {"units": "nm"}),
            "target": ("target", np.array(names, dtype=str)),
            "layer_boundary": ("layer_boundary", np.asarray(stack.boundaries[1:-1], dtype=float), {
                "units": "mm", "long_name": "depth of each interface between layers"}),
        },
        attrs={"device": beam.name, "site": stack.name, "distance_mm": request.placement.distance,
               "exposure_s": exposure, "solver": solver, "photons": photons, "partial": int(partial),
               "seed": request.seed if request.solver == "mc" else 0, **provenance.attrs()},
    )
    bands = tuple(BandAtSkin(float(w), float(e), float(p), float(r)) for w, e, p, r in
                  zip(beam.wavelength_nm, beam.centre_irradiance, beam.peak_irradiance, beam.radius_mm, strict=True))
    spread = _optics_spread(request, beam, z, 0.5 * (t_min + t_max), rate if request.solver == "fast" else None)
    targets = tuple(
        TargetDose(name=name, depth_min_mm=float(t_min[i]), depth_max_mm=float(t_max[i]),
                   fluence_rate=float(mid[:, i].sum()), fluence=float(mid[:, i].sum() * exposure),
                   fluence_rate_shallow=float(shallow[:, i].sum()), fluence_rate_deep=float(deep[:, i].sum()),
                   fluence_rate_per_band=tuple(float(v) for v in mid[:, i]),
                   fluence_optics_range=None if spread is None else (
                       float(mid[:, i].sum() * exposure * spread[0, i]),
                       float(mid[:, i].sum() * exposure * spread[1, i])))
        for i, name in enumerate(names))
    warnings = list(beam.warnings) + ([beam.eye_warning] if beam.eye_warning else [])
    if partial:
        warnings.append(f"interrupted: the Monte Carlo ran {photons} of {request.photons} photons per band; the "
                        "result is partial")
    return DoseResult(request=request, dataset=dataset, bands=bands, targets=targets, solver=solver,
                      photons=photons, partial=partial, warnings=tuple(warnings), provenance=provenance)


__all__ = ["BandAtSkin", "DoseRequest", "DoseResult", "TargetDose", "depth_dose", "fluence_rate_on_axis"]
