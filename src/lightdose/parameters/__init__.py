"""Parameter sets: every scalar physical and physiological parameter in one place, with its unit, source and a
`verify` flag for estimates (after PyBaMM's named parameter sets).

A set is a YAML file (``lightdose/data/parameters/default.yaml`` is the default): keys name the parameter and its
unit in brackets (``thermal.skin.density [kg/m^3]``), and each entry has a ``value`` (a number, or a list for a
table), a ``source`` and optionally ``verify: true``. The code reads values with ``params["key [unit]"]`` and
converts them to its canonical units where it reads them.

A set file can start from another (``base: default``) and replace some entries; a request or a scenario chooses a
set and may override single values (:class:`ParameterChoice`). Overrides carry no publication, so they count as
[verify] values. While :func:`recording` is active, every key read is recorded, so a plan can list the [verify]
values it relied on.

>>> params = default_set()
>>> params["thermal.skin.density [kg/m^3]"]
1109.0
"""

from __future__ import annotations

import contextvars
import difflib
import hashlib
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, field_validator

from lightdose.errors import FileFormatError, InputError
from lightdose.input_files import load_yaml, read_text
from lightdose.model_base import FrozenModel, describe_validation_error
from lightdose.units import parse_unit

KEY_PATTERN = re.compile(r"^(?P<name>[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*) \[(?P<unit>[^\[\]]+)\]$")
"""A parameter key: a dotted lower-case name and its unit in brackets, e.g. ``thermal.skin.density [kg/m^3]``."""

_RECORDING: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("lightdose_parameters_read",
                                                                            default=None)


def _check_key(key: str) -> str:
    match = KEY_PATTERN.match(key)
    if match is None:
        raise ValueError(f"{key!r} is not a parameter key; write 'group.name [unit]', e.g. "
                         "'thermal.skin.density [kg/m^3]'")
    try:
        if match["unit"] != "1":  # "1": a plain number
            parse_unit(match["unit"])
    except InputError:
        raise ValueError(f"{key!r}: '{match['unit']}' is not a unit") from None
    return key


class Parameter(FrozenModel):
    """One parameter: its value in the unit of its key (a number, or a tuple for a table), where it comes from, and
    whether it is an estimate to verify."""

    value: float | tuple[float, ...]
    source: str = Field(min_length=1, description="publication, or 'lightdose estimate' with the reasoning")
    verify: bool = Field(default=False, description="an estimate or a second-hand value: plans list it")


class ParameterSet(FrozenModel):
    """A named set of parameters (see the module docstring)."""

    name: str
    description: str = ""
    parameters: dict[str, Parameter]

    @field_validator("parameters")
    @classmethod
    def _keys(cls, value: dict[str, Parameter]) -> dict[str, Parameter]:
        for key in value:
            _check_key(key)
        return value

    def entry(self, key: str) -> Parameter:
        """The :class:`Parameter` called `key` (recorded while :func:`recording` is active)."""
        try:
            entry = self.parameters[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self.parameters), n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise KeyError(f"no parameter {key!r} in the set {self.name!r}{hint}") from None
        used = _RECORDING.get()
        if used is not None:
            used.add(key)
        return entry

    def __getitem__(self, key: str) -> float:
        """The value of a scalar parameter, in the unit of its key."""
        value = self.entry(key).value
        if isinstance(value, tuple):
            raise TypeError(f"{key!r} is a table; read it with .table()")
        return float(value)

    def table(self, key: str) -> tuple[float, ...]:
        """The values of a table parameter, in the unit of its key."""
        value = self.entry(key).value
        if not isinstance(value, tuple):
            raise TypeError(f"{key!r} is a single value; read it with [key]")
        return value

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "override given by the user",
                       name: str | None = None) -> ParameterSet:
        """A copy with some values replaced: each key must exist, and a table stays a table of the same length.
        The replaced entries carry `source` and count as [verify] values. Errors name the key."""
        replaced = dict(self.parameters)
        for key, value in overrides.items():
            if key not in self.parameters:
                close = difflib.get_close_matches(key, list(self.parameters), n=3)
                hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise InputError("parameters", f"{key!r}: no such parameter in the set {self.name!r}.{hint}")
            replaced[key] = Parameter(value=_override_value(key, value, self.parameters[key].value),
                                      source=source, verify=True)
        return self.model_copy(update={"parameters": replaced, "name": name or self.name})

    def unverified(self, keys: set[str] | None = None) -> list[tuple[str, Parameter]]:
        """The [verify] entries among `keys` (default: all), sorted by key."""
        return sorted((k, p) for k, p in self.parameters.items() if p.verify and (keys is None or k in keys))

    @property
    def digest(self) -> str:
        """A short hash of the set's content (results record it)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def _override_value(key: str, value: Any, current: float | tuple[float, ...]) -> float | tuple[float, ...]:
    """A user's value for `key`, checked against the current one's shape: a finite number, or a list of them."""
    if isinstance(current, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(current):
            raise InputError("parameters", f"{key!r} is a table of {len(current)} values; give a list of "
                                           f"{len(current)}")
        return tuple(_finite(key, v) for v in value)
    return _finite(key, value)


def _finite(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError("parameters", f"{key!r}: {value!r} is not a finite number (give it in the unit named in "
                                       "the key)")
    return float(value)


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    data = load_yaml(text, where)
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise FileFormatError(where, None, "a parameter set is a mapping with `name` and `parameters`")
    return data


def shipped_sets() -> list[str]:
    """Names of the parameter sets shipped with lightdose."""
    folder = resources.files("lightdose.data").joinpath("parameters")
    return sorted(e.name.removesuffix(".yaml") for e in folder.iterdir() if e.name.endswith(".yaml"))


@cache
def _load(name_or_path: str) -> ParameterSet:
    if name_or_path in shipped_sets():
        where = f"parameter set {name_or_path!r}"
        text = resources.files("lightdose.data").joinpath(f"parameters/{name_or_path}.yaml").read_text("utf-8")
    else:
        path = Path(name_or_path)
        where = str(path)
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise InputError("parameters.set", f"{name_or_path!r} is neither a shipped parameter set "
                                               f"({', '.join(shipped_sets())}) nor a .yaml file")
        text = read_text(path, "parameters.set")
    data = _read_yaml(text, where)
    base_name = data.pop("base", None)
    try:
        own = {key: Parameter.model_validate(entry) for key, entry in data["parameters"].items()}
        if base_name is None:
            return ParameterSet(name=data.get("name", name_or_path), description=data.get("description", ""),
                                parameters=own)
    except ValidationError as exc:
        raise FileFormatError(where, None, describe_validation_error(exc)) from None
    base = _load(str(base_name))
    unknown = sorted(set(own) - set(base.parameters))
    if unknown:
        raise FileFormatError(where, None, f"{unknown[0]!r} is not a parameter of the base set {base.name!r}")
    return ParameterSet(name=data.get("name", name_or_path), description=data.get("description", ""),
                        parameters={**base.parameters, **own})


def load_set(name_or_path: str | Path) -> ParameterSet:
    """A shipped set by name (``"default"``) or a set file (.yaml); errors name the file."""
    return _load(str(name_or_path))


def default_set() -> ParameterSet:
    """lightdose's default parameter set."""
    return _load("default")


@contextmanager
def recording() -> Iterator[set[str]]:
    """Within the block, record the key of every parameter read (from any set): ``with recording() as used:``."""
    used: set[str] = set()
    token = _RECORDING.set(used)
    try:
        yield used
    finally:
        _RECORDING.reset(token)


def _choice(value: Any) -> Any:
    """A set's name or file on its own is shorthand for ``{set: ...}``."""
    return {"set": value} if isinstance(value, str) else value


class ParameterChoice(FrozenModel):
    """Which parameter set a request or scenario uses, and single values to override in it."""

    set: str = Field(default="default", description="a shipped set's name (e.g. 'default') or a .yaml set file")
    overrides: dict[str, float | list[float]] = Field(default_factory=dict, description=(
        "values to replace, by key ('thermal.skin.perfusion [1/s]': 0.003), in the unit named in the key"))

    @field_validator("overrides")
    @classmethod
    def _known(cls, value: dict[str, Any], info: Any) -> dict[str, Any]:
        base = load_set(info.data["set"]) if "set" in info.data else default_set()
        try:
            base.with_overrides(value)
        except InputError as exc:  # pydantic names the field's path
            raise ValueError(exc.reason) from None
        return value

    def resolve(self) -> ParameterSet:
        """The chosen set with the overrides applied."""
        return _resolved(self.set, tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                                for k, v in self.overrides.items())))


@cache
def _resolved(name: str, overrides: tuple[tuple[str, Any], ...]) -> ParameterSet:
    base = load_set(name)
    return base.with_overrides(dict(overrides)) if overrides else base


Parameters = Annotated[ParameterChoice, BeforeValidator(_choice, json_schema_input_type=str | ParameterChoice)]
"""Pydantic field type of a request's `parameters`: a set's name, or {set, overrides}."""

__all__ = ["KEY_PATTERN", "Parameter", "ParameterChoice", "ParameterSet", "Parameters", "default_set", "load_set",
           "recording", "shipped_sets"]
