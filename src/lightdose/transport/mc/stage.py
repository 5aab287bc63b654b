"""The Monte Carlo stage: :class:`McRequest` in, :class:`McResult` out (:func:`monte_carlo`).

A request names what to simulate -- the runs of an MCML ``.mci`` file or one of the named cases of
:mod:`lightdose.transport.mc.cases` -- with an optional photon count, the seed and the number of threads. Each run is
a pencil beam at normal incidence (MCML's source) simulated by :func:`~lightdose.transport.mc.simulate`; the
result holds every run's Dataset and its summary numbers. Ctrl-C ends the run under way with the photons finished so
far (``partial``) and starts no further run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numba
import xarray as xr
from pydantic import Field, field_validator, model_validator

from lightdose.errors import FileFormatError, InputError
from lightdose.model_base import FrozenModel
from lightdose.provenance import Provenance
from lightdose.transport.layers import LayerStackSpec
from lightdose.transport.mc.cases import CASES, Reference, mc_case
from lightdose.transport.mc.mci import read_mci
from lightdose.transport.mc.runner import MAX_PHOTONS, MIN_PHOTONS, ProgressCallback, simulate
from lightdose.transport.mc.sources import Grid, PencilBeam


class McRequest(FrozenModel):
    """What to simulate: the runs of an MCML ``.mci`` file, or a named case (exactly one of the two)."""

    mci: Path | None = Field(None, description="MCML input file (.mci); all its runs are simulated")
    case: str | None = Field(None, description=f"a named case: {', '.join(CASES)}")
    photons: int | None = Field(None, ge=MIN_PHOTONS, le=MAX_PHOTONS,
                                description="photons per run (default: the file's or the case's)")
    seed: int = Field(1, ge=0, lt=2**63, description="random seed: the same seed gives the same result")
    threads: int | None = Field(None, ge=1, description="CPU threads (default: all)")

    @field_validator("case")
    @classmethod
    def _known_case(cls, name: str | None) -> str | None:
        if name is not None:
            mc_case(name)
        return name

    @field_validator("threads")
    @classmethod
    def _available_threads(cls, threads: int | None) -> int | None:
        most = numba.config.NUMBA_NUM_THREADS
        if threads is not None and threads > most:
            raise InputError("threads", f"{threads} must be in [1, {most}] (the CPU threads numba can use)")
        return threads

    @model_validator(mode="after")
    def _one_source(self) -> McRequest:
        if self.mci is not None and self.case is not None:
            raise InputError("case", "give an .mci file or a case, not both")
        if self.mci is None and self.case is None:
            raise InputError("case", f"give an .mci file or a case ({', '.join(CASES)})")
        return self


@dataclass(frozen=True)
class McRun:
    """One simulated run: its Dataset (units in ``attrs["units"]``) and its summary numbers. Fractions of the incident
    power [-]; standard errors from the spread between independent chunks of photons."""

    name: str
    """The run's output name (.mci) or the case name."""
    dataset: xr.Dataset
    rsp: float
    """Specular reflectance (exact, Fresnel)."""
    rd: float
    rd_se: float
    a: float
    a_se: float
    tt: float
    tt_se: float
    a_layer: tuple[float, ...]
    """Absorbed fraction per layer, from the top."""
    a_layer_se: tuple[float, ...]
    photons: int
    """Photons simulated (fewer than asked for when partial)."""
    photons_requested: int
    seed: int
    wall_time_s: float
    photons_per_ms: float
    partial: bool
    """True when Ctrl-C stopped the run early."""
    scored_weight: float
    """Raw weight scored per launched packet (not normalised): 1 - rsp for a kernel that conserves weight."""
    scored_weight_se: float
    references: tuple[Reference, ...] = ()
    """The case's reference values (none for .mci runs)."""

    @classmethod
    def of(cls, name: str, ds: xr.Dataset, references: tuple[Reference, ...] = ()) -> McRun:
        """Summarise the Dataset of one run of :func:`~lightdose.transport.mc.simulate`."""

        def num(key: str) -> float:
            return float(ds[key])

        return cls(name=name, dataset=ds, rsp=num("rsp"), rd=num("rd"), rd_se=num("rd_se"), a=num("a"),
                   a_se=num("a_se"), tt=num("tt"), tt_se=num("tt_se"),
                   a_layer=tuple(float(v) for v in ds["a_layer"].values),
                   a_layer_se=tuple(float(v) for v in ds["a_layer_se"].values), photons=int(ds.attrs["photons"]),
                   photons_requested=int(ds.attrs["photons_requested"]), seed=int(ds.attrs["seed"]),
                   wall_time_s=float(ds.attrs["wall_time_s"]), photons_per_ms=float(ds.attrs["photons_per_ms"]),
                   partial=bool(ds.attrs["partial"]), scored_weight=num("scored_weight"),
                   scored_weight_se=num("scored_weight_se"), references=references)


@dataclass(frozen=True)
class McResult:
    """The runs of a request, in order; after Ctrl-C the interrupted run is the last one (partial)."""

    request: McRequest
    runs: tuple[McRun, ...]
    runs_requested: int
    provenance: Provenance

    @property
    def partial(self) -> bool:
        """True when Ctrl-C stopped a run early or kept runs from starting."""
        return len(self.runs) < self.runs_requested or any(run.partial for run in self.runs)


@dataclass(frozen=True)
class RunSpec:
    """One run a request names: its name, layers, grid, photon count (the request's, else the case's or the .mci
    run's), line in the .mci file (None for a case) and published references."""

    name: str
    stack: LayerStackSpec
    grid: Grid
    photons: int
    line: int | None
    references: tuple[Reference, ...]


def run_specs(request: McRequest) -> list[RunSpec]:
    """The runs of `request`: its bundled case, or every run of its .mci file (in this process or on a cluster,
    lightdose.sweep.mc)."""
    if request.case is not None:
        case = mc_case(request.case)
        return [RunSpec(case.name, case.stack, case.grid, request.photons or case.photons, None, case.references)]
    assert request.mci is not None
    return [RunSpec(run.output_name, run.stack, run.grid, request.photons or run.photons, run.line, ())
            for run in read_mci(request.mci)]


def monte_carlo(request: McRequest, progress: ProgressCallback | None = None) -> McResult:
    """Simulate the runs `request` names (see the module docstring). `progress` is passed to
    :func:`~lightdose.transport.mc.simulate` for each run. :class:`KeyboardInterrupt` if Ctrl-C came before the
    first batch of photons had finished; an error about a run of an .mci file names the file and the run's line."""
    provenance = Provenance.of(request)
    specs = run_specs(request)
    runs: list[McRun] = []
    for spec in specs:
        try:
            ds = simulate(spec.stack, PencilBeam(), photons=spec.photons, seed=request.seed,
                          threads=request.threads, grid=spec.grid, progress=progress)
        except KeyboardInterrupt:
            if not runs:
                raise
            break
        except InputError as exc:
            if request.mci is None:
                raise
            raise FileFormatError(str(request.mci), spec.line, f"run {spec.name}: {exc}") from None
        ds.attrs.update(provenance.attrs())
        runs.append(McRun.of(spec.name, ds, spec.references))
        if runs[-1].partial:
            break
    return McResult(request=request, runs=tuple(runs), runs_requested=len(specs), provenance=provenance)
