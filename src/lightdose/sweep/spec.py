"""The sweep file: a base (a scenario, or a dose, heat or perfusion request), the axes to vary it along, sampled
fields, and the outputs to record per cell (docs/sweeps.md has the format with examples).

:func:`load_sweep` reads and checks a file; :func:`compile_sweep` turns a :class:`SweepFile` into a :class:`Sweep`:
the base validated, every axis value checked against the base and converted to canonical units, the sampled values
drawn, the cells counted and cut into chunks. Everything a user can get wrong is found here, before any work: an
unknown field, an empty axis, a value out of range, an output the base does not give, too many cells.

Randomness: each sampled field draws from its own generator, ``numpy.random.default_rng([seed, crc32(path)])``, so
adding or removing one sampled field leaves the draws of the others unchanged, and the same file gives the same
cells on any machine.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator, model_validator

from lightdose import __version__
from lightdose.errors import FileFormatError, InputError, LightdoseError
from lightdose.input_files import load_yaml, read_text, yaml_line_of
from lightdose.model_base import FrozenModel, describe_error, describe_validation_error
from lightdose.physiology.session import PerfusionRequest
from lightdose.planning.scenario import DEFAULT_WINDOW, DoseWindow, Scenario
from lightdose.sweep.fields import (
    OPTICS_FIELDS,
    PathPart,
    apply_optics,
    dimension_name,
    field_unit,
    get_path,
    is_optics,
    label,
    optics_value,
    parse_path,
    scalar_kind,
    set_path,
)
from lightdose.sweep.outputs import DEFAULT_OUTPUTS, OUTPUTS, Kind, outputs_of
from lightdose.thermal.session import HeatRequest
from lightdose.transport.dose import DoseRequest
from lightdose.units import USER_INPUT, parse_quantity

MAX_CELLS_WITHOUT_YES = 10**6
"""Most cells a sweep may have unless the user confirms with ``--yes``."""
MAX_CELLS = 10**9
"""Most cells a sweep may have at all (the store alone would hold tens of GB)."""
MAX_AXIS_VALUES = 10**6
"""Most values one axis (or the samples) may have."""
MAX_AXES = 16
DEFAULT_CHUNK_CELLS: dict[Kind, int] = {"scenario": 2, "heat": 4, "perfusion": 4, "dose": 32}
"""Cells per chunk (one task) by base: about a second of work on one core for each (plans ~1 s a cell; heat and
perfusion ~0.3–0.6 s; dose ~30 ms)."""
MODELS: dict[Kind, type[BaseModel]] = {"scenario": Scenario, "dose": DoseRequest, "heat": HeatRequest,
                                       "perfusion": PerfusionRequest}
DEFAULT_WINDOW_J_MM2: tuple[float, float] = (parse_quantity(DEFAULT_WINDOW[0], "fluence"),
                                              parse_quantity(DEFAULT_WINDOW[1], "fluence"))
"""The default dose window [J/mm²] of the in-window summary (1–10 J/cm², Huang et al. 2009)."""
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class RangeSpec(FrozenModel):
    """An axis of evenly spaced values: `steps` values from `from` to `to` (both included), on a linear or a
    logarithmic scale."""

    start: Any = Field(alias="from", description="first value, with its unit")
    stop: Any = Field(alias="to", description="last value, with its unit")
    steps: int = Field(ge=1, le=MAX_AXIS_VALUES, description="number of values")
    scale: Literal["linear", "log"] = "linear"


class DistributionSpec(FrozenModel):
    """Values drawn at random: ``uniform`` or ``log-uniform`` between `low` and `high`, ``normal`` with `mean` and
    `sd` (clipped to `low`/`high` when given), or ``choice`` among `values` (with `weights`). On an axis, `count`
    says how many values to draw; under ``samples`` the samples' count applies."""

    distribution: Literal["uniform", "log-uniform", "normal", "choice"]
    low: Any = None
    high: Any = None
    mean: Any = None
    sd: Any = None
    values: list[Any] | None = Field(default=None, min_length=1)
    weights: list[float] | None = None
    count: int | None = Field(default=None, ge=1, le=MAX_AXIS_VALUES)

    @model_validator(mode="after")
    def _parameters(self) -> DistributionSpec:
        needs = {"uniform": ("low", "high"), "log-uniform": ("low", "high"), "normal": ("mean", "sd"),
                 "choice": ("values",)}[self.distribution]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {' and '.join(needs)} (missing: "
                             f"{', '.join(missing)})")
        if self.weights is not None and (self.values is None or len(self.weights) != len(self.values)
                                         or any(w < 0 for w in self.weights) or sum(self.weights) <= 0):
            raise ValueError("weights: one weight ≥ 0 per value, with a positive sum")
        return self


def _axis(value: Any) -> Any:
    """A list of values, a range {from, to, steps} or a distribution {distribution, ...}."""
    if isinstance(value, list):
        if not value:
            raise ValueError("the axis is empty; give at least one value")
        return value
    if isinstance(value, dict) and "distribution" in value:
        spec = DistributionSpec.model_validate(value)
        if spec.count is None:
            raise ValueError("a distribution on an axis needs `count`, the number of values to draw")
        return spec
    if isinstance(value, dict) and ("from" in value or "to" in value):
        return RangeSpec.model_validate(value)
    raise ValueError("an axis is a list of values ([0 cm, 1 cm]), a range ({from: 1 min, to: 30 min, steps: 10}) or "
                     "a distribution ({distribution: uniform, low: ..., high: ..., count: 20})")


AxisSpec = Annotated[list[Any] | RangeSpec | DistributionSpec, BeforeValidator(_axis)]


class SamplesSpec(FrozenModel):
    """A dimension ``sample`` of `count` cells along which every field of `fields` takes its own random draw (a
    Monte Carlo over uncertain inputs, instead of a grid)."""

    count: int = Field(ge=1, le=MAX_AXIS_VALUES)
    fields: dict[str, DistributionSpec] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _no_count(cls, value: dict[str, DistributionSpec]) -> dict[str, DistributionSpec]:
        for name, spec in value.items():
            if spec.count is not None:
                raise InputError(name, "a sampled field takes the samples' count; leave out `count`")
        return value


class BaseSpec(FrozenModel):
    """What the sweep varies: exactly one of a scenario (a file or a mapping) or a dose, heat or perfusion request
    (a mapping, or a YAML file holding one)."""

    scenario: str | dict[str, Any] | None = None
    dose: str | dict[str, Any] | None = None
    heat: str | dict[str, Any] | None = None
    perfusion: str | dict[str, Any] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> BaseSpec:
        given = [kind for kind in MODELS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one base: scenario, dose, heat or perfusion (got "
                             f"{', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> Kind:
        return next(kind for kind in ("scenario", "dose", "heat", "perfusion") if getattr(self, kind) is not None)


class PlotSpec(FrozenModel):
    """Which axes the summary plots use (default: the first two), and which site of a scenario (default: the
    first)."""

    x: str | None = None
    y: str | None = None
    site: int = Field(default=0, ge=0)


class SweepFile(FrozenModel):
    """A sweep file (docs/sweeps.md)."""

    name: str = Field(min_length=1)
    description: str = ""
    base: BaseSpec
    axes: dict[str, AxisSpec] = Field(default_factory=dict, max_length=MAX_AXES)
    samples: SamplesSpec | None = None
    seed: int = Field(default=1, ge=0, lt=2**63, description="seed of the sampled values")
    outputs: list[str] | None = Field(default=None, min_length=1)
    target: str | None = Field(default=None, description="dose sweeps: the target to record (default: the first)")
    window: DoseWindow | None = Field(default=None, description=(
        "dose window for the in-window summary (default: the scenario's goal, else 1–10 J/cm²)"))
    chunk_cells: int | None = Field(default=None, ge=1, le=100_000, description="cells per task")
    plot: PlotSpec = Field(default_factory=PlotSpec)

    @model_validator(mode="after")
    def _something_varies(self) -> SweepFile:
        if not self.axes and self.samples is None:
            raise ValueError("nothing varies: give `axes`, `samples` or both")
        return self


# ------------------------------------------------------------------------------------------------ compiled sweep


@dataclass(frozen=True)
class Dimension:
    """One dimension of the cells: an axis (one field) or the samples (every sampled field at once).

    `fields` are (path, canonical values, one per position); `coords` are the coordinate arrays to store, by name,
    with their attributes."""

    name: str
    size: int
    fields: tuple[tuple[str, tuple[Any, ...]], ...]
    coords: dict[str, tuple[NDArray[Any], dict[str, str]]] = field(repr=False)


@dataclass(frozen=True)
class Sweep:
    """A checked sweep, ready to run: everything a worker needs to compute any cell."""

    name: str
    description: str
    kind: Kind
    base: dict[str, Any] = field(repr=False)
    """The validated base, dumped in canonical units (the cells' starting point)."""
    dims: tuple[Dimension, ...]
    outputs: tuple[str, ...]
    sites: tuple[str, ...]
    """A scenario's site labels (outputs get a `site` dimension); empty for requests."""
    target: str | None
    window: tuple[float, float]
    """Dose window [J/mm²] of the in-window summary."""
    chunks: tuple[int, ...]
    """Cells per chunk along each dimension."""
    plot: PlotSpec
    seed: int
    source: str = ""
    """The file the sweep was read from (for messages)."""

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(d.size for d in self.dims)

    @property
    def cells(self) -> int:
        return math.prod(self.shape)

    @property
    def chunk_grid(self) -> tuple[int, ...]:
        """Chunks along each dimension."""
        return tuple(math.ceil(n / c) for n, c in zip(self.shape, self.chunks, strict=True))

    @property
    def n_chunks(self) -> int:
        return math.prod(self.chunk_grid)

    def chunk_region(self, chunk: int) -> tuple[slice, ...]:
        """The cells of chunk number `chunk` (C order over the chunk grid), as one slice per dimension."""
        index = np.unravel_index(chunk, self.chunk_grid)
        return tuple(slice(int(i) * c, min((int(i) + 1) * c, n))
                     for i, c, n in zip(index, self.chunks, self.shape, strict=True))

    @property
    def digest(self) -> str:
        """A hash of everything that decides the results (base, cells, outputs, chunking, lightdose's version): a
        store may be resumed only by the sweep that made it."""
        payload = {"kind": self.kind, "base": self.base, "outputs": self.outputs, "chunks": self.chunks,
                   "dims": [(d.name, d.fields) for d in self.dims], "target": self.target, "version": __version__}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _model_error(exc: ValidationError) -> tuple[tuple[int | str, ...], str]:
    location, _ = describe_error(exc.errors(include_url=False)[0])
    return location, describe_validation_error(exc)


class _Reader:
    """Turns errors into one-line :class:`FileFormatError` naming the sweep file and the line."""

    def __init__(self, text: str, path: str):
        self.text, self.path = text, path

    def error(self, location: tuple[PathPart, ...], message: str) -> FileFormatError:
        shown = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in location).replace(".[", "[")
        return FileFormatError(self.path, yaml_line_of(self.text, location),
                               f"{shown}: {message}" if shown else message)


def sweep_from_text(text: str, path: str = "<sweep>") -> SweepFile:
    """Parse and check the structure of a sweep file (YAML or JSON); errors name `path` and the line."""
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise FileFormatError(path, None, "a sweep file is a mapping with name, base, axes (and samples, outputs, ...)")
    try:
        return SweepFile.model_validate(data, context=USER_INPUT)
    except ValidationError as exc:
        location, message = _model_error(exc)
        raise FileFormatError(path, yaml_line_of(text, location), message) from None


def load_sweep(path: str | Path, *, max_cells: int = MAX_CELLS_WITHOUT_YES) -> Sweep:
    """Read, check and compile the sweep file at `path` (see :func:`compile_sweep`)."""
    text = read_text(path, "sweep")
    spec = sweep_from_text(text, str(path))
    return compile_sweep(spec, text=text, path=str(path), folder=Path(path).parent, max_cells=max_cells)


# ------------------------------------------------------------------------------------------------------ compiling


class _Compiler:
    """Checks a sweep file's axes against its base (one validation of the base per value given by hand)."""

    def __init__(self, spec: SweepFile, reader: _Reader, folder: Path):
        self.spec, self.reader, self.folder = spec, reader, folder
        self.kind: Kind = spec.base.kind
        self.model = MODELS[self.kind]
        self.validated = self._validated_base()
        self.user_dump: dict[str, Any] = self.validated.model_dump(by_alias=True, context=USER_INPUT)
        self.canonical: dict[str, Any] = self.validated.model_dump(by_alias=True)

    def _validated_base(self) -> BaseModel:
        """The base, validated: given in the sweep file (errors name the sweep file's line) or in a file of its
        own (errors name that file)."""
        given = getattr(self.spec.base, self.kind)
        location: tuple[str, ...]
        if isinstance(given, dict):
            text, where, location = self.reader.text, self.reader.path, ("base", self.kind)
            data = copy.deepcopy(given)
        else:
            file = Path(given) if Path(given).is_absolute() else self.folder / given
            text, where, location = read_text(file, f"base.{self.kind}"), str(file), ()
            data = load_yaml(text, where)
            if not isinstance(data, dict):
                raise FileFormatError(where, None, f"a {self.kind} base is a mapping of fields")
        prefix = ".".join(location)
        try:
            return self.model.model_validate(data, context=USER_INPUT)
        except ValidationError as exc:
            problem, message = _model_error(exc)
            raise FileFormatError(where, yaml_line_of(text, (*location, *problem)),
                                  f"{prefix}.{message}" if prefix else message) from None
        except LightdoseError as exc:
            raise FileFormatError(where, yaml_line_of(text, location), f"{prefix}: {exc}" if prefix else str(exc)) \
                from None

    def canonical_value(self, path: str, value: Any, location: tuple[PathPart, ...]) -> Any:
        """`value` (as the user wrote it) for the field at `path`, checked against the base and converted to the
        canonical value the validated request holds there."""
        if is_optics(path):
            try:
                return optics_value(path, value, "value")
            except InputError as exc:
                raise self.reader.error(location, exc.reason) from None
        parts = parse_path(path)
        data = copy.deepcopy(self.user_dump)
        try:
            set_path(data, parts, value, path)
        except InputError as exc:
            raise self.reader.error(location, exc.reason) from None
        try:
            checked = self.model.model_validate(data, context=USER_INPUT)
        except ValidationError as exc:
            where, message = _model_error(exc)
            shown = repr(value) if not isinstance(value, str) else value
            if any(e["type"] == "extra_forbidden" for e in exc.errors(include_url=False)):
                raise self.reader.error(location, f"{path} is not a field of the {self.kind} base ({message})") \
                    from None
            raise self.reader.error(location, f"{shown}: {message}") from None
        except LightdoseError as exc:
            raise self.reader.error(location, f"{value!r}: {exc}") from None
        return get_path(checked.model_dump(by_alias=True), parts)

    def check_canonical(self, path: str, value: Any, location: tuple[PathPart, ...]) -> None:
        """Check a canonical value (a drawn number, in the unit the validated request holds) for the field at
        `path`: the base's canonical dump with `value` set must validate."""
        if is_optics(path):
            self.canonical_value(path, value, location)
            return
        data = copy.deepcopy(self.canonical)
        set_path(data, parse_path(path), value, path)
        try:
            self.model.model_validate(data)
        except ValidationError as exc:
            raise self.reader.error(location, f"a drawn value {value!r}: {_model_error(exc)[1]}") from None
        except LightdoseError as exc:
            raise self.reader.error(location, f"a drawn value {value!r}: {exc}") from None

    def check_path(self, path: str, location: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
        try:
            parts = parse_path(path) if not is_optics(path) else (path,)
        except InputError as exc:
            raise self.reader.error(location, exc.reason) from None
        if is_optics(path) and path not in OPTICS_FIELDS:
            raise self.reader.error(location, f"{path} is not an optics field; allowed: {', '.join(OPTICS_FIELDS)}")
        if parts and parts[0] == "optics" and not is_optics(path):
            raise self.reader.error(location, "optics fields are written optics.NAME")
        return parts

    def unit(self, path: str) -> str | None:
        return None if is_optics(path) else field_unit(self.model, parse_path(path))


def _rng(seed: int, path: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(path.encode())])


def _sd_value(compiler: _Compiler, path: str, spec: DistributionSpec, location: tuple[PathPart, ...]) -> float:
    """The canonical standard deviation of a normal distribution: the canonical value of mean + sd minus that of
    mean (sd written in mean's unit, or both as plain numbers)."""
    mean, sd = _NUMBER_UNIT.match(str(spec.mean)), _NUMBER_UNIT.match(str(spec.sd))
    if mean is None or sd is None or mean[2] != sd[2]:
        raise compiler.reader.error(location + ("sd",), f"write sd in the unit of mean ({spec.mean!r}), e.g. "
                                                        f"{spec.mean!r} and sd: '2 {mean[2] if mean else ''}'")
    shifted = float(mean[1]) + float(sd[1])
    upper = compiler.canonical_value(path, f"{shifted!r} {mean[2]}".strip() if mean[2] else shifted, location)
    centre = compiler.canonical_value(path, spec.mean, location + ("mean",))
    return float(upper) - float(centre)


def _draw(compiler: _Compiler, path: str, spec: DistributionSpec, n: int, seed: int,
          location: tuple[PathPart, ...]) -> list[Any]:
    """`n` canonical values drawn from `spec` for the field at `path`; the drawn extremes are checked against the
    field's range."""
    rng = _rng(seed, path)
    if spec.distribution == "choice":
        assert spec.values is not None
        choices = [compiler.canonical_value(path, v, location + ("values", i)) for i, v in enumerate(spec.values)]
        weights = np.ones(len(choices)) if spec.weights is None else np.asarray(spec.weights, dtype=float)
        picks = rng.choice(len(choices), size=n, p=weights / weights.sum())
        return [choices[int(i)] for i in picks]

    def number(name: str) -> float:
        value = compiler.canonical_value(path, getattr(spec, name), location + (name,))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise compiler.reader.error(location + (name,), "a distribution needs a numeric field")
        return float(value)

    if spec.distribution == "normal":
        mean, sd = number("mean"), _sd_value(compiler, path, spec, location)
        if not sd > 0:
            raise compiler.reader.error(location + ("sd",), f"{spec.sd!r} must be > 0")
        values = mean + sd * rng.standard_normal(n)
        low = number("low") if spec.low is not None else -math.inf
        high = number("high") if spec.high is not None else math.inf
        values = np.clip(values, low, high)
    else:
        low, high = number("low"), number("high")
        if not low <= high:
            raise compiler.reader.error(location + ("high",), f"{spec.high!r} is below low ({spec.low!r})")
        if spec.distribution == "log-uniform":
            if not low > 0:
                raise compiler.reader.error(location + ("low",), f"{spec.low!r}: a log-uniform distribution needs "
                                                                 "low > 0")
            values = np.exp(rng.uniform(math.log(low), math.log(high), n))
        else:
            values = rng.uniform(low, high, n)
    first = compiler.canonical_value(path, spec.low if spec.distribution != "normal" else spec.mean, location)
    as_int = isinstance(first, int) and not isinstance(first, bool)
    drawn = [int(round(v)) if as_int else float(v) for v in values]
    for extreme in (min(drawn), max(drawn)):  # ranges are intervals: the extremes valid, every draw valid
        compiler.check_canonical(path, extreme, location)
    return drawn


def _range_values(compiler: _Compiler, path: str, spec: RangeSpec, location: tuple[PathPart, ...]) -> list[Any]:
    start = compiler.canonical_value(path, spec.start, location + ("from",))
    stop = compiler.canonical_value(path, spec.stop, location + ("to",))
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (start, stop)):
        raise compiler.reader.error(location, "a range needs a numeric field; give a list of values instead")
    if spec.scale == "log":
        if not (start > 0 and stop > 0):
            raise compiler.reader.error(location, "a log range needs from and to > 0")
        values = np.geomspace(start, stop, spec.steps)
    else:
        values = np.linspace(start, stop, spec.steps)
    values[0], values[-1] = start, stop
    return [float(v) for v in values]


def _coordinate(values: list[Any], unit: str | None, path: str) -> tuple[NDArray[Any], dict[str, str]]:
    attrs = {"field": path, **({"units": unit} if unit else {})}
    if path in OPTICS_FIELDS:
        attrs["long_name"] = OPTICS_FIELDS[path]
    kind = scalar_kind(values)
    if kind == "bool":
        return np.array(values, dtype=bool), attrs
    if kind in ("int", "float"):
        return np.array(values, dtype=np.int64 if kind == "int" else np.float64), attrs
    return np.array([label(v) for v in values], dtype=str), attrs


def _axis_dimension(compiler: _Compiler, path: str, spec: list[Any] | RangeSpec | DistributionSpec,
                    seed: int) -> Dimension:
    location: tuple[PathPart, ...] = ("axes", path)
    compiler.check_path(path, location)
    name = dimension_name(path)
    unit = compiler.unit(path)
    if isinstance(spec, list):
        values = [compiler.canonical_value(path, v, location + (i,)) for i, v in enumerate(spec)]
        seen: dict[str, int] = {}
        for i, v in enumerate(values):
            key = json.dumps(v, sort_keys=True, default=str)
            if key in seen:
                raise compiler.reader.error(location + (i,), f"{spec[i]!r} is the same value as item {seen[key]} "
                                                             f"({spec[seen[key]]!r}); each value once")
            seen[key] = i
        coord, attrs = _coordinate(values, unit, path)
        return Dimension(name, len(values), ((path, tuple(values)),), {name: (coord, attrs)})
    if isinstance(spec, RangeSpec):
        values = _range_values(compiler, path, spec, location)
        coord, attrs = _coordinate(values, unit, path)
        return Dimension(name, len(values), ((path, tuple(values)),), {name: (coord, attrs)})
    assert spec.count is not None
    values = _draw(compiler, path, spec, spec.count, seed, location)
    coord, attrs = _coordinate(values, unit, path)
    attrs["distribution"] = spec.distribution
    return Dimension(name, len(values), ((path, tuple(values)),),
                     {name: (np.arange(len(values)), {"long_name": f"draw of {path}"}),
                      f"{name}_value": (coord, attrs)})


def _samples_dimension(compiler: _Compiler, samples: SamplesSpec, seed: int, taken: set[str]) -> Dimension:
    fields, coords = [], {"sample": (np.arange(samples.count), {"long_name": "sample number"})}
    for path, spec in samples.fields.items():
        location: tuple[PathPart, ...] = ("samples", "fields", path)
        compiler.check_path(path, location)
        name = dimension_name(path)
        if name in taken or name == "sample":
            raise compiler.reader.error(location, f"{path} is also an axis; vary a field in one place only")
        taken.add(name)
        values = _draw(compiler, path, spec, samples.count, seed, location)
        coord, attrs = _coordinate(values, compiler.unit(path), path)
        attrs["distribution"] = spec.distribution
        fields.append((path, tuple(values)))
        coords[name] = (coord, attrs)
    return Dimension("sample", samples.count, tuple(fields), coords)


def _chunks(shape: tuple[int, ...], target: int) -> tuple[int, ...]:
    """Chunk sizes of about `target` cells, filled from the last (fastest-varying) dimension."""
    chunks = [1] * len(shape)
    left = max(target, 1)
    for i in range(len(shape) - 1, -1, -1):
        chunks[i] = max(1, min(shape[i], left))
        left = max(1, left // chunks[i])
    return tuple(chunks)


def _outputs(compiler: _Compiler, spec: SweepFile) -> tuple[str, ...]:
    kind = compiler.kind
    names = tuple(spec.outputs) if spec.outputs is not None else DEFAULT_OUTPUTS[kind]
    allowed = outputs_of(kind)
    for i, name in enumerate(names):
        if name not in OUTPUTS:
            raise compiler.reader.error(("outputs", i), f"{name!r} is not an output; allowed for a {kind} sweep: "
                                                         f"{', '.join(allowed)}")
        if name not in allowed:
            raise compiler.reader.error(("outputs", i), f"a {kind} sweep does not give {name}; allowed: "
                                                         f"{', '.join(allowed)}")
    if len(set(names)) != len(names):
        raise compiler.reader.error(("outputs",), "an output is named twice")
    if "coverage_in_window" in names and compiler.canonical["coverage"]["people"] == 0:
        raise compiler.reader.error(("outputs",), "coverage_in_window needs virtual people: set the scenario's "
                                                  "coverage.people above 0")
    return names


def _count_cells(spec: SweepFile, reader: _Reader, max_cells: int) -> int:
    """The number of cells; too many is an error (before anything is drawn or validated per value)."""
    sizes = [len(a) if isinstance(a, list) else (a.steps if isinstance(a, RangeSpec) else a.count or 0)
             for a in spec.axes.values()]
    cells = math.prod(sizes) * (spec.samples.count if spec.samples else 1)
    if cells > MAX_CELLS:
        raise reader.error(("axes",), f"{cells:.3g} cells: more than the {MAX_CELLS:.0e} a sweep may have")
    if cells > max_cells:
        raise reader.error(("axes",), f"{cells:.3g} cells: more than {max_cells:.0e}; this runs long and writes a "
                                      "large store: confirm with --yes (or cut the axes)")
    return cells


def _dimensions(compiler: _Compiler, spec: SweepFile) -> tuple[Dimension, ...]:
    dims = []
    taken: set[str] = set()
    for path, axis in spec.axes.items():
        dim = _axis_dimension(compiler, path, axis, spec.seed)
        if dim.name in taken:
            raise compiler.reader.error(("axes", path), f"{path} varies the same field as another axis")
        taken.add(dim.name)
        dims.append(dim)
    if spec.samples is not None:
        dims.append(_samples_dimension(compiler, spec.samples, spec.seed, taken))
    return tuple(dims)


def _target(compiler: _Compiler, spec: SweepFile, outputs: tuple[str, ...]) -> str | None:
    """The target a dose sweep records (the file's, else the site's first); None for other bases."""
    if compiler.kind != "dose":
        return spec.target
    stack = compiler.validated.stack()  # type: ignore[attr-defined]
    names = [t.name for t in stack.targets]
    if spec.target is not None and spec.target not in names:
        raise compiler.reader.error(("target",), f"{spec.target!r} is not a target of the base's site; targets: "
                                                 f"{', '.join(names) or '(none)'}")
    if spec.target is None and not names and "target_fluence" in outputs:
        raise compiler.reader.error(("target",), "the base's site has no target: give the site a target")
    return spec.target or (names[0] if names else None)


def _check_plot(reader: _Reader, spec: SweepFile, sites: tuple[str, ...]) -> None:
    for axis_name in (spec.plot.x, spec.plot.y):
        if axis_name is not None and axis_name not in spec.axes:
            raise reader.error(("plot",), f"{axis_name} is not one of the axes ({', '.join(spec.axes)})")
    if sites and spec.plot.site >= len(sites):
        raise reader.error(("plot", "site"), f"{spec.plot.site} is not a site index (0–{len(sites) - 1})")


def compile_sweep(spec: SweepFile, *, text: str = "", path: str = "<sweep>", folder: Path | None = None,
                  max_cells: int = MAX_CELLS_WITHOUT_YES) -> Sweep:
    """Check `spec` against its base and build the :class:`Sweep` (module docstring). More than `max_cells` cells
    (the CLI raises it with ``--yes``), or more than :data:`MAX_CELLS` in any case, is an error here."""
    reader = _Reader(text, path)
    _count_cells(spec, reader, max_cells)
    compiler = _Compiler(spec, reader, folder or Path("."))
    kind = compiler.kind
    if kind == "scenario" and not compiler.canonical["sites"]:
        raise reader.error(("base", "scenario"), "the scenario has no sites (a sauna course): a sweep records "
                                                 "outputs per site")
    dims = _dimensions(compiler, spec)
    outputs = _outputs(compiler, spec)
    scenario = compiler.validated if isinstance(compiler.validated, Scenario) else None
    sites = tuple(s.title for s in scenario.sites) if scenario is not None else ()
    target = _target(compiler, spec, outputs)
    window = spec.window or (scenario.goal.window if scenario is not None else DEFAULT_WINDOW_J_MM2)
    _check_plot(reader, spec, sites)
    shape = tuple(d.size for d in dims)
    chunk_cells = spec.chunk_cells or DEFAULT_CHUNK_CELLS[kind]
    return Sweep(name=spec.name, description=spec.description, kind=kind, base=compiler.canonical,
                 dims=dims, outputs=outputs, sites=sites, target=target, window=window,
                 chunks=_chunks(shape, chunk_cells), plot=spec.plot, seed=spec.seed, source=path)


def cell_request(sweep: Sweep, assignment: dict[str, Any]) -> BaseModel:
    """The validated request (or scenario) of one cell: the base with each path of `assignment` set to its canonical
    value (the optics fields applied last, as parameter overrides)."""
    data = copy.deepcopy(sweep.base)
    optics: dict[str, Any] = {}
    for path, value in assignment.items():
        if is_optics(path):
            optics[path] = value
        else:
            set_path(data, parse_path(path), copy.deepcopy(value), path)
    if optics:
        apply_optics(data, optics, "optics")
    if sweep.kind == "scenario" and "coverage_in_window" not in sweep.outputs:
        data["coverage"] = {**data["coverage"], "people": 0}
    return MODELS[sweep.kind].model_validate(data)


__all__ = ["DEFAULT_CHUNK_CELLS", "MAX_CELLS", "MAX_CELLS_WITHOUT_YES", "MODELS", "BaseSpec", "Dimension",
           "DistributionSpec", "PlotSpec", "RangeSpec", "SamplesSpec", "Sweep", "SweepFile", "cell_request",
           "compile_sweep", "load_sweep", "sweep_from_text"]
