"""What the records accept: one pydantic model per kind of input (the JSON API's bodies and the pages' forms).
Text is bounded and may not hold NUL characters (PostgreSQL cannot store them; refused on both databases alike);
numbers carry their unit in their name and have the ranges the planner accepts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lightdose.records.models import NAME_MAX, TEXT_MAX


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character, which cannot be stored")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware times are converted to UTC; a time without an offset is taken as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcTime = Annotated[dt.datetime, AfterValidator(_utc)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NAME_MAX), AfterValidator(_no_nul)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
                 AfterValidator(_no_nul)]
LongText = Annotated[str, StringConstraints(max_length=TEXT_MAX), AfterValidator(_no_nul)]
Role = Literal["admin", "clinician", "researcher"]
SkinType = Literal["I", "II", "III", "IV", "V", "VI"]
Sex = Literal["female", "male", "other"]
HealthFlag = Literal["cardiovascular-disease", "autonomic-neuropathy", "insensate-skin"]
"""The planner's health conditions (:data:`lightdose.planning.scenario.HealthCondition`)."""


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatientIn(Input):
    """A new patient: a pseudonymous code (no names) and what the planner needs."""

    code: Code
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    sex: Sex | None = None
    skin_type: SkinType = "III"
    bmi_kg_m2: float | None = Field(default=None, ge=15.0, le=60.0)
    fat_thickness_mm: dict[ShortText, Annotated[float, Field(gt=0.0, le=100.0)]] = Field(default_factory=dict)
    diabetes: bool = False
    neuropathy: bool = False
    health: list[HealthFlag] = Field(default_factory=list, max_length=20)
    contraindications: LongText = ""
    notes: LongText = ""


class PatientPatch(Input):
    """Changes to a patient; `version` is the one read (a stale one is refused)."""

    version: int
    code: Code | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    sex: Sex | None = None
    skin_type: SkinType | None = None
    bmi_kg_m2: float | None = Field(default=None, ge=15.0, le=60.0)
    fat_thickness_mm: dict[ShortText, Annotated[float, Field(gt=0.0, le=100.0)]] | None = None
    diabetes: bool | None = None
    neuropathy: bool | None = None
    health: list[HealthFlag] | None = Field(default=None, max_length=20)
    contraindications: LongText | None = None
    notes: LongText | None = None


class Measurement(Input):
    """An irradiance the clinic measured at a distance from the device's face, and what measured it."""

    distance_mm: float = Field(ge=0.0, le=2000.0)
    irradiance_w_mm2: float = Field(gt=0.0, le=0.1)
    meter: Literal["thermopile", "photodiode", "solar", "unknown"] = "unknown"
    """As the irradiance stage names meters (:data:`lightdose.devices.irradiance.MeterType`)."""


class DeviceIn(Input):
    """A device of the clinic: a preset (`lightdose devices`) or its own definition (as in the preset YAML files),
    with the irradiance measured at stated distances."""

    name: Code
    preset: ShortText | None = None
    definition: dict[str, Any] | None = None
    measurements: list[Measurement] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _one_device(self) -> DeviceIn:
        if (self.preset is None) == (self.definition is None):
            raise ValueError("give a preset or a definition (one of them)")
        return self


class PlannedSite(Input):
    """One site of a course's plan: the device on it, for how long per session."""

    site: ShortText
    target: ShortText | None = None
    device: ShortText
    distance_mm: float = Field(default=0.0, ge=0.0, le=2000.0)
    exposure_s: float = Field(gt=0.0, le=14400.0)
    points: int = Field(default=1, ge=1, le=50)


class CourseIn(Input):
    """A course: its plan per site (the dose per session is computed from it), or a scenario to plan with."""

    condition: Code
    schedule: ShortText = ""
    planned_sessions: int = Field(default=12, ge=1, le=1000)
    skin_limit_c: float = Field(default=43.0, ge=35.0, le=48.0)
    start_date: dt.date
    sites: list[PlannedSite] = Field(default_factory=list, max_length=20)
    scenario: dict[str, object] | None = None
    notes: LongText = ""


class CoursePatch(Input):
    version: int
    schedule: ShortText | None = None
    planned_sessions: int | None = Field(default=None, ge=1, le=1000)
    skin_limit_c: float | None = Field(default=None, ge=35.0, le=48.0)
    notes: LongText | None = None


class SessionIn(Input):
    """A delivered session; `client_key` makes a retried save idempotent."""

    started_at: UtcTime
    device: ShortText | None = None
    """A device preset; default: the plan's device for the first site."""
    device_id: int | None = None
    distance_mm: float | None = Field(default=None, ge=0.0, le=2000.0)
    sites: list[ShortText] = Field(min_length=1, max_length=20)
    planned_s: float | None = Field(default=None, gt=0.0, le=14400.0)
    delivered_s: float = Field(gt=0.0, le=14400.0)
    skin_before: LongText = ""
    skin_after: LongText = ""
    adverse_events: LongText = ""
    notes: LongText = ""
    client_key: Annotated[str, StringConstraints(max_length=64), AfterValidator(_no_nul)] | None = None


class SessionPatch(Input):
    version: int
    delivered_s: float | None = Field(default=None, gt=0.0, le=14400.0)
    skin_before: LongText | None = None
    skin_after: LongText | None = None
    adverse_events: LongText | None = None
    notes: LongText | None = None


class OutcomeIn(Input):
    measured_at: UtcTime
    course_id: int | None = None
    pain_nrs: float | None = Field(default=None, ge=0.0, le=10.0)
    monofilament_left_felt: int | None = Field(default=None, ge=0, le=20)
    monofilament_left_tested: int | None = Field(default=None, ge=1, le=20)
    monofilament_right_felt: int | None = Field(default=None, ge=0, le=20)
    monofilament_right_tested: int | None = Field(default=None, ge=1, le=20)
    vpt_v: float | None = Field(default=None, ge=0.0, le=100.0)
    mnsi_score: float | None = Field(default=None, ge=0.0, le=10.0)
    single_leg_stance_s: float | None = Field(default=None, ge=0.0, le=600.0)
    timed_up_and_go_s: float | None = Field(default=None, ge=0.0, le=600.0)
    skin_temp_c: float | None = Field(default=None, ge=10.0, le=45.0)
    notes: LongText = ""


class OutcomePatch(Input):
    version: int
    pain_nrs: float | None = Field(default=None, ge=0.0, le=10.0)
    vpt_v: float | None = Field(default=None, ge=0.0, le=100.0)
    mnsi_score: float | None = Field(default=None, ge=0.0, le=10.0)
    single_leg_stance_s: float | None = Field(default=None, ge=0.0, le=600.0)
    timed_up_and_go_s: float | None = Field(default=None, ge=0.0, le=600.0)
    skin_temp_c: float | None = Field(default=None, ge=10.0, le=45.0)
    notes: LongText | None = None


class UserIn(Input):
    username: Code
    password: Annotated[str, StringConstraints(min_length=10, max_length=200), AfterValidator(_no_nul)]
    role: Role


class UserPatch(Input):
    role: Role | None = None
    active: bool | None = None


class TokenIn(Input):
    """An API token for the user whose password is given (login by password; rate-limited like the page)."""

    username: ShortText
    password: Annotated[str, StringConstraints(max_length=200)]
    name: ShortText = "api"


__all__ = ["CourseIn", "CoursePatch", "DeviceIn", "OutcomeIn", "OutcomePatch", "PatientIn", "PatientPatch",
           "PlannedSite", "SessionIn", "SessionPatch", "TokenIn", "UserIn", "UserPatch"]
