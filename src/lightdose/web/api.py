"""The JSON API, ``/api/v1/``: one endpoint per CLI verb, returning what the verb's ``--json`` prints for the same
inputs (the same request, stage and presenter). Explorer-style verbs are GET with query parameters named like the
CLI's options (``--skin-type`` → ``skin_type``), so that a URL states its inputs; plan, validate and compare take
the scenario or comparison file as the body (YAML or JSON). Bad input: 422 problem+json whose ``detail`` is the
CLI's message."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from lightdose.web.compute import compute
from lightdose.web.problems import Problem, invalid_input

router = APIRouter(prefix="/api/v1", tags=["api"])

YAML_OR_JSON = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json",
                "text/plain")
"""Content types of a scenario or comparison body (JSON is YAML)."""


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    from lightdose.web.problems import PROBLEM_JSON, PROBLEM_TYPES

    slugs = {413: "too-large", 415: "unsupported-media-type", 422: "invalid-input", 500: "internal-error",
             503: "busy", 504: "time-limit"}
    return {status: {"description": PROBLEM_TYPES[slugs[status]][1], "content": {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}} for status in statuses}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "content": {"application/json": {
        "schema": schema or {"type": "object"}}}}}


GET_RESPONSES = _problems(422, 500, 503, 504)
BODY_RESPONSES = _problems(413, 415, 422, 500, 503, 504)


def _body(component: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        "application/yaml": {"schema": {"type": "string", "description": f"the {component} file (YAML)"}},
        "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}}


def _component(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A JSON Schema document with ``$defs`` as OpenAPI components ``prefix`` and ``prefix.Name``."""
    document = copy.deepcopy(document)
    definitions = document.pop("$defs", {})
    document.pop("$schema", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (f"#/components/schemas/{prefix}.{v.rsplit('/', 1)[-1]}"
                        if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/") else rewrite(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    out = {f"{prefix}.{name}": rewrite(d) for name, d in definitions.items()}
    out[prefix] = rewrite(document)
    return out


@cache
def body_schemas() -> dict[str, Any]:
    """The scenario schema (as `lightdose schema` prints it) and the comparison schema, as OpenAPI components."""
    from lightdose.physiology.compare import Comparison
    from lightdose.planning import schema

    return {**_component(schema(), "scenario"), **_component(Comparison.model_json_schema(), "comparison")}


# ------------------------------------------------------------------------------------------------ query parameters


@dataclass
class Person:
    """The person options of every command that models a person."""

    skin_type: Annotated[str, Query(description="Fitzpatrick skin type I–VI (`--skin-type`).", examples=["III"])] = \
        "III"
    fat: Annotated[str | None, Query(description="Measured subcutaneous fat thickness, e.g. 4mm (not with bmi).")] = \
        None
    bmi: Annotated[float | None, Query(description="Body-mass index [kg/m²]: scales the fat (not with fat).")] = None
    neuropathy: Annotated[bool, Query(description="Diabetic neuropathy.")] = False
    dermal_blood: Annotated[str | None, Query(description="Dermal blood volume fraction, e.g. 1%.")] = None

    def fields(self) -> dict[str, Any]:
        """The request's `person` field, as the CLI builds it (options not given are left out)."""
        given = {"skin_type": self.skin_type, "fat_thickness": self.fat, "bmi": self.bmi,
                 "neuropathy": self.neuropathy, "dermal_blood": self.dermal_blood}
        return {key: value for key, value in given.items() if value is not None}


Device = Annotated[str, Query(description="Preset device name (GET /api/v1/devices).", examples=["pad-890"])]
Site = Annotated[str, Query(description="Body site (GET /api/v1/sites).", examples=["ankle-medial"])]
Time = Annotated[str, Query(description="Exposure (time the device is on), with its unit.", examples=["20 min"])]
Distance = Annotated[str, Query(description="Gap between device and skin, with its unit (0 = contact).",
                                examples=["0 cm"])]
ParameterSet = Annotated[str, Query(description="A shipped parameter set's name (the web reads no set files).",
                                    examples=["default"])]
FileName = Annotated[str, Query(max_length=200, description="The file name that messages name (as the CLI names "
                                                           "the file it read).")]


def _json(payload: Any) -> JSONResponse:
    return JSONResponse(payload)


async def _text(request: Request, what: str) -> str:
    """The body as text: YAML or JSON in UTF-8."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in YAML_OR_JSON:
        raise Problem(415, "unsupported-media-type", f"{content_type}: send the {what} as YAML or JSON "
                                                     "(Content-Type application/yaml or application/json)")
    raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = f"the {what} is not UTF-8 text"
        raise invalid_input(f"body: {message}", [{"field": "body", "message": message}]) from None


# --------------------------------------------------------------------------------------------------------- verbs


@router.get("/tissues", summary="The preset tissues (lightdose tissues --json)",
            responses={**_ok("the preset tissues and aliases"), **_problems(500)})
def tissues() -> JSONResponse:
    from lightdose.present.optics import tissues_json

    return _json(tissues_json())


@router.get("/optics", summary="Optical properties of a tissue (lightdose optics --json)",
            responses={**_ok("one object per wavelength (the object alone for one wavelength)",
                             {"type": ["object", "array"]}), **GET_RESPONSES})
async def optics(
    request: Request,
    tissue: Annotated[str, Query(description="Preset tissue name (GET /api/v1/tissues).", examples=["dermis"])],
    wavelength: Annotated[list[str], Query(description="Wavelength, e.g. 810nm; repeat for several.",
                                           examples=[["810 nm"]])],
    skin_type: Annotated[str | None, Query(description="Fitzpatrick type I–VI (epidermis only).")] = None,
    parameters: ParameterSet = "default",
) -> JSONResponse:
    return _json(await compute(request, "optics", {"tissue": tissue, "wavelengths": wavelength,
                                                   "skin_type": skin_type, "parameters": parameters}))


@router.get("/devices", summary="The preset devices (lightdose devices --json)",
            responses={**_ok("one row per preset device"), **_problems(500)})
def devices() -> JSONResponse:
    from lightdose.present.devices import catalog_json

    return _json(catalog_json())


@router.get("/irradiance", summary="Irradiance of a device on the skin (lightdose irradiance --json)",
            responses={**_ok("centre, mean and maximum irradiance, per band and in all, and the map"),
                       **GET_RESPONSES})
async def irradiance(
    request: Request,
    device: Device,
    distance: Distance,
    points: Annotated[int, Query(description="Map cells per axis (3–1001; the web app allows up to 301).")] = 201,
    measured: Annotated[str | None, Query(description="Your measured irradiance, e.g. '32 mW/cm^2'.")] = None,
    meter: Annotated[str | None, Query(description="What measured it: thermopile, photodiode, solar, unknown.")] = None,
) -> JSONResponse:
    return _json(await compute(request, "irradiance", {"placement": {"device": device, "distance": distance},
                                                       "points": points, "measured": measured, "meter": meter}))


@router.get("/sites", summary="The body-site presets (lightdose sites --json)",
            responses={**_ok("one row per site", {"type": "array"}), **_problems(500)})
def sites() -> JSONResponse:
    from lightdose.present.sites import sites_json

    return _json(sites_json())


def _placed_on_person(device: str, distance: str, site: str, person: Person, time: str,
                      parameters: str) -> dict[str, Any]:
    """The fields every request of a device on a person shares (as the command line's), from the query."""
    return {"placement": {"device": device, "distance": distance}, "site": site, "person": person.fields(),
            "exposure": time, "parameters": parameters}


@router.get("/depth-dose", summary="Light dose versus depth and at the targets (lightdose depth-dose --json)",
            responses={**_ok("the depth profile and the dose at each target"), **GET_RESPONSES})
async def depth_dose(
    request: Request,
    device: Device,
    site: Site,
    time: Time,
    person: Annotated[Person, Depends()],
    distance: Distance = "0 cm",
    solver: Annotated[str, Query(description="fast (δ-P1 diffusion) or mc (Monte Carlo).")] = "fast",
    photons: Annotated[int, Query(description="Photons per band for solver mc (1000–1e9; the web app allows up "
                                              "to 1e6).")] = 200_000,
    seed: Annotated[int, Query(description="Random seed for solver mc.")] = 1,
    max_depth: Annotated[str | None, Query(description="Deepest depth of the profile, e.g. 60mm.")] = None,
    parameters: ParameterSet = "default",
) -> JSONResponse:
    return _json(await compute(request, "depth_dose", _placed_on_person(device, distance, site, person, time,
                                                                         parameters)
                               | {"solver": solver, "photons": photons, "seed": seed, "max_depth": max_depth}))


@router.get("/penetration", summary="How deep the light goes (lightdose penetration --json)",
            responses={**_ok("per band, the depths where the fluence rate falls to 50, 10, 1 and 0.1 % and the "
                             "depth of the dose threshold"), **GET_RESPONSES})
async def penetration(
    request: Request,
    device: Device,
    site: Site,
    time: Time,
    person: Annotated[Person, Depends()],
    distance: Distance = "0 cm",
    dose_threshold: Annotated[str, Query(description="Fluence whose depth is reported, e.g. 1J/cm2.")] = "1 J/cm^2",
    solver: Annotated[str, Query(description="fast (δ-P1 diffusion) or mc (Monte Carlo).")] = "fast",
    photons: Annotated[int, Query(description="Photons per band for solver mc (1000–1e9; the web app allows up "
                                              "to 1e6).")] = 200_000,
    seed: Annotated[int, Query(description="Random seed for solver mc.")] = 1,
    max_depth: Annotated[str, Query(description="Deepest depth followed, e.g. 60mm (up to 100 mm).")] = "100 mm",
    parameters: ParameterSet = "default",
) -> JSONResponse:
    return _json(await compute(request, "penetration", _placed_on_person(device, distance, site, person, time,
                                                                          parameters)
                               | {"dose_threshold": dose_threshold, "solver": solver, "photons": photons,
                                  "seed": seed, "max_depth": max_depth}))


@router.get("/heat", summary="Skin and tissue temperature, burn dose (lightdose heat --json)",
            responses={**_ok("skin temperature over time, peak, time above 43 °C, burn dose"), **GET_RESPONSES})
async def heat(
    request: Request,
    device: Annotated[str, Query(description="Light device or heating pad (GET /api/v1/devices).",
                                 examples=["heating-pad-42"])],
    site: Site,
    time: Time,
    person: Annotated[Person, Depends()],
    distance: Distance = "0 cm",
    pad_heat: Annotated[str, Query(description="Waste heat of a contact LED pad into the skin, e.g. 5mW/cm^2.")] = \
        "0 mW/cm^2",
    after: Annotated[str, Query(description="Time followed after the device is removed (the web app allows up to "
                                            "4 h).")] = "0 min",
    parameters: ParameterSet = "default",
) -> JSONResponse:
    fields = _placed_on_person(device, distance, site, person, time, parameters)
    fields["placement"]["pad_heat"] = pad_heat
    return _json(await compute(request, "heat", fields | {"after": after}))


@router.get("/burn", summary="Burn dose of a constant skin temperature (lightdose burn --json)",
            responses={**_ok("Ω and CEM43 after the hold and the time to each limit"), **GET_RESPONSES})
async def burn(
    request: Request,
    temperature: Annotated[str, Query(description="Skin temperature held constant, e.g. 44C (37–100 °C).",
                                      examples=["44 C"])],
    time: Annotated[str, Query(description="How long it is held, with its unit (up to 24 h).", examples=["1 h"])],
    parameters: ParameterSet = "default",
) -> JSONResponse:
    return _json(await compute(request, "burn", {"temperature": temperature, "time": time,
                                                 "parameters": parameters}))


@router.get("/sauna", summary="Whole-body response to a sauna session (lightdose sauna --json)",
            responses={**_ok("core and skin temperature, sweat loss, warnings"), **GET_RESPONSES})
async def sauna(
    request: Request,
    air: Annotated[str, Query(description="Cabin air temperature, e.g. 60C (10–100 °C).", examples=["60 C"])],
    time: Annotated[str, Query(description="Time in the cabin, with its unit.", examples=["15 min"])],
    rest: Annotated[str, Query(description="Rest afterwards in a 24 °C, 50 % room.")] = "0 min",
    humidity: Annotated[str | None, Query(description="Cabin relative humidity, e.g. 10% (default 20 %).")] = None,
    radiant: Annotated[str | None, Query(description="Mean radiant temperature (default: the air's).")] = None,
    parameters: ParameterSet = "default",
) -> JSONResponse:
    fields = {"air_temperature": air, "mean_radiant_temperature": radiant, "exposure": time, "after": rest,
              "parameters": parameters}
    if humidity is not None:  # as the CLI: a humidity not given is the model's default, and says so
        fields["relative_humidity"] = humidity
    return _json(await compute(request, "sauna", fields))


@router.get("/perfusion", summary="Skin perfusion during and after a session (lightdose perfusion --json)",
            responses={**_ok("perfusion and skin temperature over time and the summary"), **GET_RESPONSES})
async def perfusion(
    request: Request,
    device: Annotated[str, Query(description="Light device or heating pad (GET /api/v1/devices).",
                                 examples=["pad-890"])],
    site: Site,
    time: Time,
    person: Annotated[Person, Depends()],
    after: Annotated[str, Query(description="Time followed after the device is removed (the web app allows up to "
                                            "4 h).")] = "60 min",
    distance: Distance = "0 cm",
    light_no: Annotated[bool, Query(description="Add the optional light-driven NO term (weak evidence).")] = False,
    parameters: ParameterSet = "default",
) -> JSONResponse:
    return _json(await compute(request, "perfusion", _placed_on_person(device, distance, site, person, time,
                                                                        parameters)
                               | {"after": after, "light_no": light_no}))


@router.post("/compare", summary="Compare devices on one site (lightdose compare --json)",
             openapi_extra=_body("comparison"),
             responses={**_ok("one case per treatment and person"), **BODY_RESPONSES})
async def compare(request: Request, name: FileName = "comparison.yaml") -> JSONResponse:
    text = await _text(request, "comparison")
    return _json(await compute(request, "compare", text=text, name=name, long=True))


@router.post("/plan", summary="A treatment plan (lightdose plan --json)", openapi_extra=_body("scenario"),
             responses={**_ok("the plan"), **BODY_RESPONSES})
async def plan(request: Request, name: FileName = "scenario.yaml") -> JSONResponse:
    text = await _text(request, "scenario")
    result = await compute(request, "plan", text=text, name=name, coverage=True, report=False, long=True)
    return _json(result["plan"])


@router.post("/validate", summary="Check a scenario without planning (lightdose validate --json)",
             openapi_extra=_body("scenario"), responses={**_ok("the scenario's summary"), **BODY_RESPONSES})
async def validate(request: Request, name: FileName = "scenario.yaml") -> JSONResponse:
    text = await _text(request, "scenario")
    return _json(await compute(request, "validate", text=text, name=name))


@router.get("/schema", summary="The JSON Schema of scenario files (lightdose schema)",
            responses={**_ok("the JSON Schema"), **_problems(500)})
def scenario_schema() -> JSONResponse:
    from lightdose.planning import schema

    return _json(schema())


__all__ = ["body_schemas", "router"]
