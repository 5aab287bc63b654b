"""How deep the light goes: per spectral band, the depths at which the on-axis fluence rate has fallen to 50 %, 10 %,
1 % and 0.1 % of its value just under the skin, and the depth below which a session's fluence stays under a
threshold (1 J/cm² by default).

``penetration(PenetrationRequest(placement={"device": "panel-660-850", "distance": "15 cm"}, site="knee",
exposure="10 min"))`` → :class:`PenetrationResult`.

Definitions (on the beam axis, under the centre of the treated area, as in :mod:`lightdose.transport.dose`):

* **reference**: the fluence rate just under the skin, φ(0+) — the profile's first depth, z = 0.05 mm (the Monte
  Carlo: the mean over the first 0.1 mm). It is not the irradiance at the skin: light scattered back up adds to the
  light going down, so φ(0+) is 3–4 times the irradiance in the red and near infrared on the bundled sites, and φ may
  rise a little further for the first millimetre or two before it falls. Both are reported.
* **level depth** for a level p (0.5, 0.1, 0.01, 0.001): the depth beyond which φ(z) stays below p·φ(0+) — the last
  downward crossing, interpolated linearly in log φ between the 0.1 mm grid points. ``None`` when φ is still above
  the level at the profile's deepest point (`max_depth`, default 100 mm).
* **dose depth**: the depth beyond which the session's fluence φ(z)·t stays below `dose_threshold`; 0 when it is
  below the threshold right under the skin; ``None`` when it is still above it at `max_depth`. Per band and for all
  bands together.

Each depth says whether the solver is trusted there. The fast solver (δ-P1 diffusion) is trusted from
:data:`~lightdose.transport.diffusion.RELIABLE_DEPTH_MM` (1 mm) to :data:`FAST_RELIABLE_MAX_MM` (its deep tail is
checked against an independent weight-window Monte Carlo to 100 mm: tests/validation/test_deep_tail.py,
docs/dose.md "How deep does it go"). The Monte Carlo is run as :data:`MC_PARTS` independent parts of equal size; it
is trusted where the standard error between the parts is at most :data:`MC_RELIABLE_SE` of the value.

The fast profile is solved on a grid that reaches well below `max_depth`
(:func:`~lightdose.transport.diffusion.solve_depth`): a semi-infinite layer truncated just below the deepest depth
asked for would bend the tail down there.

Units: depth mm, fluence rate W/mm², fluence J/mm² (canonical); the presenters show mW/cm² and J/cm²
(:mod:`lightdose.present.penetration`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from pydantic import Field, model_validator

from lightdose.anatomy import LayerStack
from lightdose.limits import MAX_DEPTH_MM
from lightdose.provenance import Provenance
from lightdose.transport.diffusion import (
    RELIABLE_DEPTH_MM,
)
from lightdose.transport.dose import DEPTH_STEP_MM, MC_PHOTON_RANGE, Solver, fluence_rate_on_axis
from lightdose.transport.request import SessionRequest
from lightdose.transport.skin_beam import SkinBeam, skin_beam
from lightdose.transport.stack_spec import stack_spec
from lightdose.units import Bounded

LEVELS = (0.5, 0.1, 0.01, 0.001)
"""Fractions of the fluence rate just under the skin whose depths are reported."""
DEFAULT_DOSE_THRESHOLD = 0.01
"""Default fluence threshold [J/mm²] (1 J/cm²): the low end of the heuristic photobiomodulation window (Huang et al.
2009, Dose-Response 7:358)."""
FAST_RELIABLE_MAX_MM = 100.0
"""Deepest depth [mm] at which the fast solver's on-axis fluence rate has been checked against Monte Carlo (within
the tolerances of tests/validation/test_deep_tail.py)."""
MC_PARTS = 4
"""Independent Monte Carlo runs (photons/MC_PARTS each, seeds seed … seed + MC_PARTS − 1) whose spread gives the
standard error."""
MC_RELIABLE_SE = 0.1
"""Largest relative standard error at which a Monte Carlo depth is trusted."""

ProgressCallback = Callable[[float], None]


class PenetrationRequest(SessionRequest):
    """How deep a session's light goes: the session (placement, site, person, exposure, parameters), the fluence
    `dose_threshold` [J/mm²] (default 1 J/cm²), the profile's `max_depth` [mm] (default and at most 100 mm) and the
    solver: "fast" (δ-P1 diffusion) or "mc" (Monte Carlo, `photons` per band in :data:`MC_PARTS` parts, `seed`)."""

    solver: Solver = "fast"
    max_depth: Annotated[float, Bounded("length", ge=1.0, le=MAX_DEPTH_MM)] = Field(
        default=MAX_DEPTH_MM, description="deepest depth of the profile [mm]")
    dose_threshold: Annotated[float, Bounded("fluence", gt=0.0, le=10.0)] = Field(
        default=DEFAULT_DOSE_THRESHOLD, description="fluence whose depth is reported [J/mm²] (default 1 J/cm²)")
    photons: int = Field(default=200_000, ge=MC_PHOTON_RANGE[0], le=MC_PHOTON_RANGE[1],
                         description="photons per band (Monte Carlo)")
    seed: int = Field(default=1, ge=0, le=2**63 - 1 - MC_PARTS, description="random seed (Monte Carlo)")

    @model_validator(mode="after")
    def _light(self) -> PenetrationRequest:
        self.placement.light_device()  # a heat-only source has no light to follow
        return self

    def depths(self) -> NDArray[np.float64]:
        """Cell-centre depths [mm] of the profile: every 0.1 mm from 0.05 mm to `max_depth`."""
        cells = np.arange(int(round(self.max_depth / DEPTH_STEP_MM)), dtype=np.float64)
        return (cells + 0.5) * DEPTH_STEP_MM


@dataclass(frozen=True)
class LevelDepth:
    """The depth at which the fluence rate has fallen to `level` × its value just under the skin."""

    level: float
    """Fraction of φ(0+), e.g. 0.01."""
    depth_mm: float | None
    """Depth [mm]; None when the fluence rate is still above the level at the profile's deepest point."""
    reliable: bool | None
    """Whether the solver is trusted at that depth (None when there is no depth)."""


@dataclass(frozen=True)
class BandPenetration:
    """Penetration of one spectral band, or of all bands together (`wavelength_nm` None)."""

    wavelength_nm: float | None
    surface_irradiance: float
    """Irradiance at the centre of the treated area [W/mm²]."""
    surface_fluence_rate: float
    """Fluence rate just under the skin, φ(0+) [W/mm²]: the reference of the levels."""
    peak_fluence_rate: float
    """Highest fluence rate on the axis [W/mm²]."""
    peak_depth_mm: float
    """Depth of that maximum [mm]."""
    levels: tuple[LevelDepth, ...]
    dose_depth_mm: float | None
    """Depth [mm] beyond which the session's fluence stays below the threshold; 0 when it is below it right under the
    skin; None when it is still above it at the profile's deepest point."""
    dose_depth_reliable: bool | None
    deep_mueff_per_mm: float | None
    """Effective attenuation coefficient μeff = √(3μa(μa + μs′)) of the deepest layer [1/mm] (None for all bands):
    deep in that layer a broad beam falls by e every 1/μeff mm."""

    def level(self, level: float) -> LevelDepth:
        """The :class:`LevelDepth` of `level` (one of :data:`LEVELS`)."""
        return next(item for item in self.levels if math.isclose(item.level, level))


@dataclass(frozen=True)
class LayerSpan:
    """One layer of the person's stack: its name and depth range [mm] (`bottom_mm` None: semi-infinite)."""

    name: str
    top_mm: float
    bottom_mm: float | None


@dataclass(frozen=True)
class PenetrationResult:
    """Level and dose depths per band (`bands`) and for all bands (`total`), the profiles (`dataset`), the layers,
    and where the solver is trusted (`reliable_from_mm`, `reliable_to_mm`)."""

    request: PenetrationRequest
    dataset: xr.Dataset
    bands: tuple[BandPenetration, ...]
    total: BandPenetration
    layers: tuple[LayerSpan, ...]
    reliable_from_mm: float
    reliable_to_mm: float
    """Depth range [mm] where the fast solver is trusted; for the Monte Carlo see the dataset's `reliable`."""
    solver: str
    photons: int
    """Photons per band actually simulated (0 for the fast solver)."""
    partial: bool
    warnings: tuple[str, ...]
    provenance: Provenance

    def band(self, wavelength_nm: float) -> BandPenetration:
        """The band at `wavelength_nm`."""
        return next(b for b in self.bands if b.wavelength_nm is not None and math.isclose(b.wavelength_nm,
                                                                                         wavelength_nm))


def mueff(stack: LayerStack, wavelength_nm: float) -> float:
    """μeff = √(3μa(μa + μs(1 − g))) [1/mm] of the deepest layer of `stack` at `wavelength_nm` (diffusion theory;
    deep in a semi-infinite last layer a broad beam falls as exp(−μeff·z))."""
    last = stack_spec(stack, wavelength_nm).layers[-1]
    return math.sqrt(3.0 * last.mua * (last.mua + last.mus * (1.0 - last.g)))


def _smoothed_relative_se(mean: NDArray[np.float64], se: NDArray[np.float64],
                          half_width: int = 5) -> NDArray[np.float64]:
    """Relative standard error per depth, replaced by its running median over ±`half_width` bins (a standard
    deviation from a few parts is itself noisy); infinite where the mean is not positive."""
    rel = np.where(mean > 0, se / np.where(mean > 0, mean, 1.0), np.inf)
    padded = np.pad(rel, half_width, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)
    smoothed: NDArray[np.float64] = np.maximum(np.median(windows, axis=1), np.where(np.isfinite(rel), 0.0, np.inf))
    return smoothed


def _monte_carlo(stack: LayerStack, beam: SkinBeam, z: NDArray[np.float64], photons: int, seed: int,
                 progress: ProgressCallback | None) -> tuple[NDArray[np.float64], NDArray[np.bool_], int, bool]:
    """Mean fluence rate per band over :data:`MC_PARTS` independent runs, whether each depth is trusted (relative SE
    ≤ :data:`MC_RELIABLE_SE` in every band), the photons per band simulated and whether a run was interrupted."""
    share = max(photons // MC_PARTS, MC_PHOTON_RANGE[0] // MC_PARTS)
    runs = []
    done, partial = 0, False
    for part in range(MC_PARTS):
        rate, _, simulated, interrupted = fluence_rate_on_axis(stack, beam, z, "mc", share, seed + part)
        runs.append(rate)
        done += simulated
        partial = partial or interrupted
        if progress is not None:
            progress((part + 1) / MC_PARTS)
        if interrupted:
            break
    stacked = np.array(runs)
    mean = stacked.mean(axis=0)
    if len(runs) > 1:
        se = stacked.std(axis=0, ddof=1) / math.sqrt(len(runs))
        rel = np.array([_smoothed_relative_se(m, s) for m, s in zip(mean, se, strict=True)])
        reliable = np.all(rel <= MC_RELIABLE_SE, axis=0)
    else:
        reliable = np.zeros(z.size, dtype=bool)
    return mean, reliable, done, partial


def _last_crossing(z: NDArray[np.float64], values: NDArray[np.float64], threshold: float) -> float | None:
    """The depth beyond which `values` stay below `threshold`: 0 if all are below it, None if the last is not,
    else interpolated linearly in log between the last point at or above it and the next."""
    above = np.flatnonzero(values >= threshold)
    if above.size == 0:
        return 0.0
    i = int(above[-1])
    if i == z.size - 1:
        return None
    v0, v1 = float(values[i]), float(values[i + 1])
    if v1 <= 0.0:  # a Monte Carlo bin without light: the crossing is at most one bin on
        return float(z[i + 1])
    fraction = math.log(v0 / threshold) / math.log(v0 / v1) if v0 > v1 else 0.0
    return float(z[i] + fraction * (z[i + 1] - z[i]))


def _trusted(depth: float | None, z: NDArray[np.float64], reliable: NDArray[np.bool_]) -> bool | None:
    """Whether the solver is trusted at `depth` (both grid points around it are)."""
    if depth is None:
        return None
    i = int(np.clip(np.searchsorted(z, depth), 1, z.size - 1))
    return bool(reliable[i - 1] and reliable[i])


def _band(wavelength: float | None, irradiance: float, rate: NDArray[np.float64], z: NDArray[np.float64],
          reliable: NDArray[np.bool_], exposure: float, threshold: float, rate_deep: float | None) -> BandPenetration:
    surface = float(rate[0])
    levels = []
    for level in LEVELS:
        depth = _last_crossing(z, rate, level * surface) if surface > 0 else None
        levels.append(LevelDepth(level, depth, _trusted(depth, z, reliable)))
    dose_depth = _last_crossing(z, rate * exposure, threshold)
    dose_reliable = bool(reliable[0]) if dose_depth == 0.0 else _trusted(dose_depth, z, reliable)
    peak = int(np.argmax(rate))
    return BandPenetration(
        wavelength_nm=wavelength, surface_irradiance=irradiance, surface_fluence_rate=surface,
        peak_fluence_rate=float(rate[peak]), peak_depth_mm=float(z[peak]), levels=tuple(levels),
        dose_depth_mm=dose_depth, dose_depth_reliable=dose_reliable, deep_mueff_per_mm=rate_deep)


def penetration(request: PenetrationRequest, progress: ProgressCallback | None = None) -> PenetrationResult:
    """Level depths and dose depths per band and for all bands (see the module docstring). `progress(share done)` is
    called after each Monte Carlo part (not for the fast solver)."""
    stack = request.stack()
    beam = skin_beam(request.placement)
    z = request.depths()
    if request.solver == "fast":
        rate = fluence_rate_on_axis(stack, beam, z)[0]
        reliable = (z >= RELIABLE_DEPTH_MM) & (z <= FAST_RELIABLE_MAX_MM)
        photons, partial = 0, False
    else:
        rate, reliable, photons, partial = _monte_carlo(stack, beam, z, request.photons, request.seed, progress)
    exposure, threshold = request.exposure, request.dose_threshold
    total = rate.sum(axis=0)
    rates_deep = [mueff(stack, float(w)) for w in beam.wavelength_nm]
    bands = tuple(_band(float(w), float(beam.centre_irradiance[b]), rate[b], z, reliable, exposure, threshold,
                        rates_deep[b]) for b, w in enumerate(beam.wavelength_nm))
    all_bands = _band(None, float(beam.centre_irradiance.sum()), total, z, reliable, exposure, threshold, None)
    edges = stack.boundaries
    layers = tuple(LayerSpan(layer.name, float(edges[i]), float(edges[i + 1]) if math.isfinite(edges[i + 1]) else None)
                   for i, layer in enumerate(stack.layers))
    solver = "delta-P1 diffusion" if request.solver == "fast" else "Monte Carlo"
    provenance = Provenance.of(request, request.parameter_set().name)

    def depths_of(item: BandPenetration) -> list[float]:
        return [np.nan if lv.depth_mm is None else lv.depth_mm for lv in item.levels]

    relative = rate / np.where(rate[:, :1] > 0, rate[:, :1], 1.0)
    dataset = xr.Dataset(
        {
            "fluence_rate": (("band", "z"), rate, {"units": "W/mm^2", "long_name": "fluence rate on the axis"}),
            "fluence_rate_total": ("z", total, {"units": "W/mm^2", "long_name": "fluence rate, all bands"}),
            "relative_fluence_rate": (("band", "z"), relative, {
                "units": "1", "long_name": "fluence rate / fluence rate just under the skin (z = 0.05 mm)"}),
            "relative_fluence_rate_total": ("z", total / total[0] if total[0] > 0 else total, {
                "units": "1", "long_name": "fluence rate of all bands / its value just under the skin"}),
            "fluence_total": ("z", total * exposure, {"units": "J/mm^2", "long_name": "fluence for the exposure"}),
            "reliable": ("z", reliable, {"units": "1", "long_name": "solver trusted at this depth"}),
            "surface_irradiance": ("band", beam.centre_irradiance, {
                "units": "W/mm^2", "long_name": "irradiance at the centre of the treated area"}),
            "level_depth": (("band", "level"), np.array([depths_of(b) for b in bands]).reshape(len(bands), -1), {
                "units": "mm", "long_name": "depth where the fluence rate falls to the level",
                "note": "NaN: not reached within the profile"}),
            "level_depth_total": ("level", np.array(depths_of(all_bands)), {
                "units": "mm", "note": "NaN: not reached within the profile"}),
            "deep_mueff": ("band", np.array(rates_deep), {
                "units": "1/mm", "long_name": "effective attenuation coefficient of the deepest layer"}),
        },
        coords={
            "z": ("z", z, {"units": "mm", "long_name": "depth below the skin surface"}),
            "band": ("band", np.arange(beam.wavelength_nm.size)),
            "wavelength_nm": ("band", beam.wavelength_nm, {"units": "nm"}),
            "level": ("level", np.array(LEVELS), {"units": "1", "long_name": "fraction of the fluence rate at 0+"}),
            "layer_boundary": ("layer_boundary", np.asarray(edges[1:-1], dtype=float), {
                "units": "mm", "long_name": "depth of each interface between layers"}),
        },
        attrs={"device": beam.name, "site": stack.name, "distance_mm": request.placement.distance,
               "exposure_s": exposure, "dose_threshold_j_mm2": threshold, "solver": solver, "photons": photons,
               "partial": int(partial), "seed": request.seed if request.solver == "mc" else 0,
               **provenance.attrs()},
    )
    warnings = list(beam.warnings) + ([beam.eye_warning] if beam.eye_warning else [])
    if partial:
        warnings.append(f"interrupted: the Monte Carlo ran {photons} of {request.photons} photons per band; the "
                        "result is partial")
    if request.solver == "mc" and any(lv.reliable is False for item in (*bands, all_bands) for lv in item.levels):
        warnings.append("some depths lie where the Monte Carlo's standard error exceeds "
                        f"{MC_RELIABLE_SE:.0%}: run more photons")
    return PenetrationResult(
        request=request, dataset=dataset, bands=bands, total=all_bands, layers=layers,
        reliable_from_mm=RELIABLE_DEPTH_MM, reliable_to_mm=FAST_RELIABLE_MAX_MM, solver=solver, photons=photons,
        partial=partial, warnings=tuple(warnings), provenance=provenance)


__all__ = ["LEVELS", "BandPenetration", "LayerSpan", "LevelDepth", "PenetrationRequest", "PenetrationResult",
           "mueff", "penetration"]
