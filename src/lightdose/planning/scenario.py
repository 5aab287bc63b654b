"""A treatment scenario: the devices and where they are placed, the body sites and their targets, the person, the
goal, the limits, the schedule and the population to check coverage on. Loaded from YAML or JSON.

>>> scenario = load_scenario("examples/knee-panel.yaml")  # doctest: +SKIP

YAML syntax errors name the file and line; invalid values name the field path (``sites[1].target.depth``) and,
where it can be found, its line.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from lightdose import devices
from lightdose.anatomy import LayerStack, Person, Target
from lightdose.anatomy import sites as site_library
from lightdose.anatomy.population import PopulationModel
from lightdose.anatomy.stack import TargetKind
from lightdose.devices import AnyDevice, HeatingPad, InfraredSauna, LightDevice
from lightdose.devices import placement as device_placement
from lightdose.errors import FileFormatError, InputError, LightdoseError
from lightdose.input_files import load_yaml, read_text, yaml_line_of
from lightdose.limits import MAX_DEPTH_MM, MAX_DISTANCE_MM, MAX_PAD_HEAT_W_MM2, MAX_SESSION_S
from lightdose.model_base import FrozenModel, describe_error, describe_validation_error
from lightdose.parameters import ParameterChoice, Parameters, ParameterSet
from lightdose.planning.evidence import Condition
from lightdose.planning.safety import Limits
from lightdose.planning.schedule import Schedule
from lightdose.thermal.sauna import SaunaPerson, max_relative_humidity
from lightdose.units import USER_INPUT, WITH_UNIT_PATTERN, Bounded, UnitFraction, from_j_cm2, j_cm2, parse_quantity

MAX_TARGET_DEPTH_MM = 100.0
DEFAULT_WINDOW = ("1 J/cm^2", "10 J/cm^2")
"""Heuristic photobiomodulation window at the target (Huang et al. 2009, Dose-Response 7:358)."""
MAX_WINDOW_J_CM2 = 100.0
"""Highest dose a window may name at the target [J/cm²]: above ~50 J/cm² the biphasic-response literature reports
inhibition (Huang et al. 2009), so a window beyond 100 J/cm² is outside what the heuristic covers."""
LOWER_EDGE_MARGIN = 1.5
"""Aim "lower-edge": the window's lower edge times this margin (capped at the geometric middle)."""
MAX_SITES = 50
"""Most body sites a scenario may list (each is planned and checked on the whole population)."""
HealthCondition = Literal["cardiovascular-disease", "autonomic-neuropathy", "insensate-skin"]


def _depth_range(value: Any) -> tuple[float, float]:
    """One depth ("8 mm") or a range ([5 mm, 15 mm]) → (shallow, deep) [mm]."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    if len(items) not in (1, 2):
        raise ValueError("give one depth ('8 mm') or a range ['5 mm', '15 mm']")
    depths = [parse_quantity(v, "length", "depth") for v in items]
    for d in depths:
        if not 0.0 < d <= MAX_TARGET_DEPTH_MM:
            raise ValueError(f"{d:g} mm is outside the allowed range greater than 0 mm and at most "
                             f"{MAX_TARGET_DEPTH_MM:g} mm below the skin")
    if depths[-1] < depths[0]:
        raise ValueError(f"the range {depths[0]:g}–{depths[-1]:g} mm runs from deep to shallow")
    return depths[0], depths[-1]


def _dose_window(value: Any) -> tuple[float, float]:
    """[low, high] doses with units ("1 J/cm^2") → (low, high) [J/mm², canonical]. Doses without a unit (1 or "1")
    are refused: J/cm² and the canonical J/mm² differ a hundredfold."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, float) for v in value):
        low, high = value  # already canonical (a validated window copied into another model)
    elif not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("give the window as [low, high], e.g. ['1 J/cm^2', '10 J/cm^2']")
    else:
        low, high = (parse_quantity(v, "fluence", "window", unit_required=True) for v in value)
    if not 0.0 < low < high <= from_j_cm2(MAX_WINDOW_J_CM2):
        raise ValueError(f"{j_cm2(low):g}–{j_cm2(high):g} J/cm² is outside the allowed range: need 0 < low < high ≤ "
                         f"{MAX_WINDOW_J_CM2:g} J/cm²")
    return low, high


DepthRange = Annotated[tuple[float, float], BeforeValidator(_depth_range,
                                                            json_schema_input_type=float | str | list[float | str])]
DoseWindow = Annotated[tuple[float, float], BeforeValidator(_dose_window),
                       WithJsonSchema({"type": "array", "minItems": 2, "maxItems": 2, "items": {
                           "type": "string", "pattern": WITH_UNIT_PATTERN, "description": "a dose with its unit"}}),
                       PlainSerializer(lambda w: [f"{j_cm2(w[0]):g} J/cm^2", f"{j_cm2(w[1]):g} J/cm^2"],
                                       return_type=list[str])]


class TargetSpec(FrozenModel):
    """The structure to treat at a site: a preset target by `name`, or your own at `depth` (one depth or a range)."""

    name: str | None = None
    depth: DepthRange | None = Field(default=None, description="depth below the skin [mm]: one value or a range")
    kind: TargetKind = "nerve"


def _target_name(value: Any) -> Any:
    """A preset target's name is shorthand for {name: ...}."""
    return {"name": value} if isinstance(value, str) else value


class SiteSpec(FrozenModel):
    """One body site to treat, with its target, the device placed on it and how many points (placements) a session
    treats there (2 for both feet, 3 points over a carpal tunnel)."""

    site: str = Field(description="body-site preset (see `lightdose sites`)")
    target: Annotated[TargetSpec, BeforeValidator(_target_name, json_schema_input_type=str | TargetSpec)] = Field(
        default_factory=TargetSpec, description="a preset target's name, or {name, depth}")
    device: str | None = Field(default=None, description="id of the device placement (default: the only one)")
    label: str = ""
    points: int = Field(default=1, ge=1, le=50, description="treated points (placements) per session")
    exposure: Annotated[float, Bounded("time", gt=0.0, le=MAX_SESSION_S)] | None = Field(default=None, description=(
        "fixed exposure per point [s] instead of the one the dose asks for"))
    window: DoseWindow | None = Field(default=None, description="dose window at the target, default the goal's")
    max_depth: Annotated[float, Bounded("length", ge=1.0, le=MAX_DEPTH_MM)] | None = Field(default=None, description=(
        "deepest depth of the report's depth-dose profile (at most 100 mm; default 10 mm below the target, at least "
        "30 mm)"))

    @field_validator("site")
    @classmethod
    def _known_site(cls, value: str) -> str:
        site_library.get(value)  # an unknown name is an InputError listing the sites
        return value

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: TargetSpec, info: ValidationInfo) -> TargetSpec:
        if "site" not in info.data or value.depth is not None:
            return value
        stack = site_library.get(info.data["site"])
        names = [t.name for t in stack.targets]
        if value.name is not None and value.name not in names:
            raise ValueError(f"unknown target {value.name!r} at {stack.name}; targets there: {', '.join(names)}; "
                             "or give a depth for your own target")
        if value.name is None and not names:
            raise ValueError(f"{stack.name} has no preset target: give one with a depth")
        return value

    def stack(self) -> LayerStack:
        """The site's layer stack with the chosen target as its only target."""
        base = site_library.get(self.site)
        if self.target.depth is None:
            chosen = base.target(self.target.name) if self.target.name else base.targets[0]
        else:
            low, high = self.target.depth
            chosen = Target(name=self.target.name or "target", kind=self.target.kind, depth_min=low, depth_max=high)
        return base.model_copy(update={"targets": [chosen]})

    @property
    def title(self) -> str:
        """The label, or the site and target names."""
        return self.label or f"{self.site} / {self.stack().targets[0].name}"


def _hottest_cabin(relative_humidity: float) -> float:
    """The hottest cabin air [°C, whole degrees] in which sweat still evaporates at `relative_humidity`."""
    return max((t for t in range(10, 101) if relative_humidity <= max_relative_humidity(t)), default=10)


class Placement(FrozenModel):
    """A device and how it is placed: a preset (`device`) or your own (`definition`), its distance from the skin,
    a contact pad's waste heat, whether a panel faces the head, and a sauna cabin's air temperatures."""

    id: str | None = Field(default=None, description="name the sites use for this placement (default: device name)")
    device: str | None = Field(default=None, description="preset device (see `lightdose devices`)")
    definition: AnyDevice | None = Field(default=None, description="your own device, as in the preset YAML files")
    distance: Annotated[float, Bounded("length", ge=0.0, le=MAX_DISTANCE_MM)] = Field(
        default=0.0, description="gap between the emitting face and the skin [mm]")
    pad_heat: Annotated[float, Bounded("irradiance", ge=0.0, le=MAX_PAD_HEAT_W_MM2)] = Field(
        default=0.0, description="waste heat of a contact pad into the skin [W/mm²] (measured; 0 = unknown)")
    faces_head: bool = Field(default=False, description="a panel facing the head: check the eye exposure limit")
    air_temperature: list[Annotated[float, Bounded("temperature", ge=10.0, le=100.0)]] | None = Field(
        default=None, min_length=1, max_length=4, description=(
        "sauna only: cabin air temperatures to plan for [°C] (default: the preset's)"))
    emitter_view_factor: UnitFraction | None = Field(default=None, description=(
        "sauna only: share of the body's view taken by the emitters (sets the mean radiant temperature)"))

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str | None) -> str | None:
        if value is not None:
            devices.get(value)  # an unknown name is an InputError listing the devices
        return value

    @field_validator("air_temperature")
    @classmethod
    def _cabin_can_run(cls, value: list[float] | None, info: ValidationInfo) -> list[float] | None:
        """Each cabin temperature must let sweat evaporate at the cabin's humidity (the whole-body model's range)."""
        name, definition = info.data.get("device"), info.data.get("definition")
        cabin = devices.get(name) if name is not None else definition
        if value and isinstance(cabin, InfraredSauna):
            for air in value:
                if cabin.relative_humidity > max_relative_humidity(air):
                    raise ValueError(f"{air:g} °C: at the cabin's {100 * cabin.relative_humidity:g} % humidity sweat "
                                     "cannot evaporate (the whole-body model's range); allowed at this humidity: up "
                                     f"to {_hottest_cabin(cabin.relative_humidity):g} °C")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Placement:
        if (self.device is None) == (self.definition is None):
            raise ValueError("give either a preset `device` or your own `definition`, not both or neither")
        model = self.model()
        if not isinstance(model, InfraredSauna):
            self.stage_placement()  # the device's own placement rules: distance, pad heat
        if not isinstance(model, InfraredSauna) and (self.air_temperature or self.emitter_view_factor is not None):
            raise ValueError("air_temperature and emitter_view_factor apply to sauna cabins only")
        return self

    def model(self) -> LightDevice | HeatingPad | InfraredSauna:
        """The device."""
        return devices.get(self.device) if self.device is not None else self.definition  # type: ignore[return-value]

    def stage_placement(self) -> device_placement.Placement:
        """The device and its placement as the stages take it (a distance left out stays left out: a panel needs
        one)."""
        given = {"distance": self.distance} if "distance" in self.model_fields_set else {}
        return device_placement.Placement(device=self.model(), pad_heat=self.pad_heat, **given)

    @property
    def key(self) -> str:
        """The id sites use for this placement."""
        return self.id or self.model().name


class Goal(FrozenModel):
    """The dose goal at the target, and where in the window to aim (see docs/planning.md, "the aiming rule")."""

    window: DoseWindow = Field(default=DEFAULT_WINDOW, validate_default=True, description=(
        "dose window at the target, with units"))
    aim: Literal["geometric-middle", "lower-edge"] = Field(default="geometric-middle", description=(
        "geometric-middle: √(low·high), the same factor of margin to both edges; lower-edge: 1.5 × low"))
    max_target_irradiance: Annotated[float, Bounded("irradiance", gt=0.0)] = Field(default=50e-5, description=(
        "target irradiance above which the plan warns [W/mm²] (≲ 10–50 mW/cm², Huang et al. 2009; heuristic)"))

    def aimed_dose(self, window: tuple[float, float]) -> float:
        """The dose aimed at for a window (low, high), in the window's unit."""
        middle = math.sqrt(window[0] * window[1])
        return middle if self.aim == "geometric-middle" else min(LOWER_EDGE_MARGIN * window[0], middle)


class CoverageSpec(FrozenModel):
    """How many virtual people to check the plan on (0: none), and how they differ. Unset population fields follow
    the scenario's person: the BMI median is theirs (or 25 kg/m²), and all or none have neuropathy as they do."""

    people: int = Field(default=1000, ge=0, le=1_000_000)
    population: PopulationModel | None = None

    def model_for(self, person: Person) -> PopulationModel:
        """The population model, with unset fields taken from `person` (and the rest from the parameter set)."""
        given = self.population or PopulationModel()
        update: dict[str, Any] = {}
        if "bmi_median" not in given.model_fields_set and person.bmi is not None:
            update["bmi_median"] = person.bmi
        if "neuropathy_fraction" not in given.model_fields_set:
            update["neuropathy_fraction"] = 1.0 if person.neuropathy else 0.0
        return given.model_copy(update=update)


def _median_person(data: dict[str, Any]) -> Person:
    """The population's median person, from the fields validated so far (a scenario without a `person`)."""
    if "coverage" not in data or "parameters" not in data:
        return Person()  # those fields failed: their own errors say why
    coverage: CoverageSpec = data["coverage"]
    return coverage.model_for(Person()).median_person(data["parameters"].resolve())


def _schedule(value: Any) -> Any:
    return Schedule.parse(value) if isinstance(value, str) else value


class Scenario(FrozenModel):
    """Everything a plan is made from (see docs/planning.md for the format)."""

    name: str
    description: str = ""
    condition: Condition = Field(default="other", description="what is treated: selects the trial evidence shown")
    seed: int = Field(default=1, ge=0, description="seed of the virtual population")
    parameters: Parameters = Field(default_factory=ParameterChoice, description=(
        "the parameter set: a shipped set's name or a .yaml file, and values to override"))
    coverage: CoverageSpec = Field(default_factory=CoverageSpec)
    person: Person = Field(default_factory=lambda data: _median_person(data), description=(
        "the person the plan is made for (default: the population's median person)"))
    body: SaunaPerson = Field(default_factory=SaunaPerson, description="whole-body data for sauna plans")
    health: list[HealthCondition] = Field(default_factory=list, description="conditions that change the warnings")
    devices: list[Placement] = Field(min_length=1)
    sites: list[SiteSpec] = Field(default_factory=list, max_length=MAX_SITES)
    goal: Goal = Field(default_factory=Goal)
    limits: Limits = Field(default_factory=Limits)
    schedule: Annotated[Schedule, BeforeValidator(_schedule, json_schema_input_type=str | dict)] = Field(
        default_factory=lambda: Schedule.parse("3 times a week for 4 weeks"))

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        keys = [p.key for p in self.devices]
        if len(set(keys)) != len(keys):
            raise InputError("devices", f"two placements share an id ({', '.join(keys)}); give each an `id`")
        site_devices = [p.key for p in self.devices if not isinstance(p.model(), InfraredSauna)]
        for i, site in enumerate(self.sites):
            if site.device is not None and site.device not in site_devices:
                raise InputError(f"sites[{i}].device", f"{site.device!r} is not one of the placements "
                                                        f"{', '.join(site_devices) or '(none but saunas)'}")
            if site.device is None and len(site_devices) != 1:
                raise InputError(f"sites[{i}].device", f"name the placement to use ({', '.join(site_devices)})")
            placement = self.placement(site)
            if (isinstance(placement.model(), HeatingPad) and site.exposure is None
                    and self.schedule.longest_session_s is None):
                raise InputError(f"sites[{i}].exposure", "a heating pad has no light dose to set its time; give "
                                                          "an exposure or a session length in the schedule")
        if site_devices and not self.sites:
            raise InputError("sites", "a pad, panel, probe or heating pad needs at least one body site")
        if any(isinstance(p.model(), InfraredSauna) for p in self.devices) and self.schedule.longest_session_s is None:
            raise InputError("schedule", "a sauna course needs session lengths, e.g. "
                                         "'start 10–15 min, build to 30–40 min, 2–4 times a week'")
        return self

    def placement(self, site: SiteSpec) -> Placement:
        """The placement a site uses."""
        candidates = [p for p in self.devices if not isinstance(p.model(), InfraredSauna)]
        return next(p for p in candidates if site.device is None or p.key == site.device)

    def placement_for(self, site: SiteSpec) -> tuple[str, device_placement.Placement]:
        """The id and the stage placement (device, distance, pad heat) a site uses."""
        placement = self.placement(site)
        return placement.key, placement.stage_placement()

    def devices_by_key(self) -> dict[str, Placement]:
        """The placements by their id."""
        return {p.key: p for p in self.devices}

    @property
    def saunas(self) -> list[Placement]:
        """The sauna cabin placements."""
        return [p for p in self.devices if isinstance(p.model(), InfraredSauna)]

    @property
    def person_is_median(self) -> bool:
        """Whether the plan's person is the population's median person (the default when the scenario gives none)."""
        return self.person == self.coverage.model_for(self.person).median_person(self.parameter_set())

    def parameter_set(self) -> ParameterSet:
        """The scenario's parameter set with its overrides."""
        return self.parameters.resolve()

    def digest(self) -> str:
        """A short hash of the validated scenario (same scenario → same hash)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML 1.2 requires unique keys; the safe loader
    would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # the safe loader reports an unhashable key itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice (first on line {seen[key]})", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def scenario_from_text(text: str, path: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario from YAML (or JSON, which is YAML) text; errors name `path` and the line."""
    data = load_yaml(text, path, _UniqueKeyLoader)
    if not isinstance(data, dict):
        raise FileFormatError(path, None, "a scenario is a mapping of fields (name, devices, sites, ...)")
    if "treatments" in data and "devices" not in data:
        raise FileFormatError(path, None, "this is a device comparison (treatments and people), not a scenario: run "
                                          "`lightdose compare` on it")
    try:
        return Scenario.model_validate(data, context=USER_INPUT)
    except ValidationError as exc:
        location, _ = describe_error(exc.errors(include_url=False)[0])
        raise FileFormatError(path, yaml_line_of(text, location), describe_validation_error(exc)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (.yaml, .yml or .json) in any common text encoding."""
    return scenario_from_text(read_text(path, "scenario"), str(path))


def as_scenario(scenario: Scenario | dict[str, Any] | str | Path) -> Scenario:
    """A Scenario from a Scenario, a plain dict, or a file path."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        try:
            return Scenario.model_validate(scenario)
        except ValidationError as exc:
            raise LightdoseError(describe_validation_error(exc)) from None
    return load_scenario(scenario)


def schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file."""
    document = Scenario.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "lightdose scenario"
    return document


__all__ = ["CoverageSpec", "Goal", "Placement", "Scenario", "SiteSpec", "TargetSpec", "as_scenario",
           "load_scenario", "scenario_from_text", "schema"]
