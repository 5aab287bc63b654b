"""What the worker processes run: one function per computation, each taking plain data (the request's fields, as
the CLI builds them) and returning JSON-ready data made by the same presenter the CLI's ``--json`` prints.

Every function here has the signature ``task(payload, progress) -> JSON-ready data``; :data:`TASKS` names them for
:mod:`lightdose.web.pool`, which sends the name and the payload to a worker. Inputs are validated here, in the
worker, so that even a pathological input (a YAML alias bomb, a huge map) costs a worker's time, which the pool
bounds, and never the server's. The web's own bounds (photons, people, map cells, comparison cases) are checked
after the stage's request has validated the input, so that an input the CLI refuses gets the CLI's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lightdose.errors import InputError, LightdoseError
from lightdose.input_files import load_yaml
from lightdose.present.text import duration
from lightdose.units import USER_INPUT
from lightdose.web.user_errors import WebLimitError

if TYPE_CHECKING:
    from lightdose.thermal.session import HeatRequest

Progress = Callable[[str, float], None]
"""Called with (what is being computed, the share done, 0–1)."""
Task = Callable[[dict[str, Any], Progress], Any]
RequestT = TypeVar("RequestT", bound="HeatRequest")

MAX_FORM_DATA_CHARS = 1_000_000
"""Largest scenario (as JSON) that the plan builder's form shows."""
SPECTRUM_NM = (450.0, 1100.0, 10.0)
"""Wavelengths of the tissue library's spectra: from, to, step [nm] (clipped to each tissue's data range)."""


def check_parameter_set(value: Any, field: str = "parameters") -> None:
    """The web app reads no files from the server: a parameter set must be a shipped one (a set file works with
    the command line). `value` is what the input gives for `parameters` (a name or {set, overrides})."""
    from lightdose.parameters import shipped_sets

    name = value.get("set") if isinstance(value, dict) else value
    if isinstance(name, str) and name not in shipped_sets():
        raise InputError(field, f"{name!r}: the web app uses the shipped parameter sets only "
                                f"({', '.join(shipped_sets())}); a set file works with the command line")


def _check_file_parameters(text: str, name: str) -> None:
    """The parameter set named in a scenario or comparison text, checked before the text is validated (which would
    read a set file)."""
    try:
        data = load_yaml(text, name)
    except LightdoseError:
        return  # the stage reports the syntax error with its line
    if isinstance(data, dict) and "parameters" in data:
        check_parameter_set(data["parameters"], "parameters")


def _fields(payload: dict[str, Any]) -> dict[str, Any]:
    """The request's fields of a stage task's payload (``{"request": fields, "limits": the web's bounds}``), its
    parameter set checked."""
    fields: dict[str, Any] = payload["request"]
    check_parameter_set(fields.get("parameters"))
    return fields


def _followed(request: RequestT, payload: dict[str, Any]) -> RequestT:
    """`request` (a heat or perfusion request) once its time followed after the session is within the web's
    bound (a day of bioheat takes about a minute)."""
    limit = payload["limits"]["max_after_s"]
    if request.after > limit:
        raise WebLimitError("after", duration(request.after), duration(limit), "followed after the session")
    return request


def optics(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose optics --json`."""
    from lightdose.optics import OpticsRequest, optical_properties
    from lightdose.present.optics import optics_json

    return optics_json(optical_properties(OpticsRequest.model_validate(_fields(payload), context=USER_INPUT)))


def tissue_spectrum(payload: dict[str, Any], progress: Progress) -> Any:
    """The optical properties of one preset tissue from :data:`SPECTRUM_NM`'s first to last wavelength (within the
    tissue's data range), as `lightdose optics --json` gives them for those wavelengths."""
    from lightdose import tissues as library

    start, stop, step = SPECTRUM_NM
    fields = payload["request"]
    low, high = library.get(str(fields["tissue"])).wavelength_range_nm
    wavelengths = [f"{wl:g} nm" for wl in (start + step * i for i in range(int((stop - start) / step) + 1))
                   if low <= wl <= high]
    return optics({**payload, "request": {**fields, "wavelengths": wavelengths}}, progress)


def irradiance(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose irradiance --json`; payload: the IrradianceRequest's fields (`request`) and the web's `limits`."""
    from lightdose.devices import IrradianceRequest
    from lightdose.devices import irradiance as irradiance_stage
    from lightdose.present.devices import irradiance_json

    request = IrradianceRequest.model_validate(payload["request"], context=USER_INPUT)
    if request.points > payload["limits"]["max_points"]:
        raise WebLimitError("points", request.points, payload["limits"]["max_points"], "cells per axis")
    return irradiance_json(irradiance_stage(request))


def design(payload: dict[str, Any], progress: Progress) -> Any:
    """The device designer: the irradiance of your own device (`device`: a definition as in the preset YAML files)
    at `distance`, as `lightdose irradiance --json` gives it, with the device's total power and emitter count and
    the uniformity over its footprint."""
    import numpy as np

    from lightdose.devices import LightDevice

    result = irradiance({"request": {"placement": {"device": payload["device"], "distance": payload["distance"]},
                                     "points": payload["points"]}, "limits": payload["limits"]}, progress)
    device = LightDevice.model_validate(payload["device"], context=USER_INPUT)
    x, y = np.asarray(result["x_mm"]), np.asarray(result["y_mm"])
    cells = np.asarray(result["irradiance_mw_cm2"])
    inside = (np.abs(x)[None, :] <= device.width / 2.0) & (np.abs(y)[:, None] <= device.height / 2.0)
    footprint = cells[inside] if inside.any() else cells.ravel()
    peak = float(footprint.max())
    return {**result, "total_power_w": device.total_power, "emitters": device.emitter_count,
            "width_mm": device.width, "height_mm": device.height,
            "uniformity_min_over_max": float(footprint.min()) / peak if peak > 0 else None,
            "uniformity_mean_over_max": float(footprint.mean()) / peak if peak > 0 else None}


def depth_dose(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose depth-dose --json`; payload: the DoseRequest's fields (`request`) and the web's `limits`."""
    from lightdose.present.dose import dose_json
    from lightdose.transport.dose import DoseRequest
    from lightdose.transport.dose import depth_dose as dose_stage

    request = DoseRequest.model_validate(_fields(payload), context=USER_INPUT)
    if request.solver == "mc" and request.photons > payload["limits"]["max_photons"]:
        raise WebLimitError("photons", request.photons, payload["limits"]["max_photons"], "photons per band")
    return dose_json(dose_stage(request))


def penetration(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose penetration --json`; payload: the PenetrationRequest's fields (`request`) and the web's `limits`."""
    from lightdose.present.penetration import penetration_json
    from lightdose.transport.penetration import PenetrationRequest
    from lightdose.transport.penetration import penetration as penetration_stage

    request = PenetrationRequest.model_validate(_fields(payload), context=USER_INPUT)
    if request.solver == "mc" and request.photons > payload["limits"]["max_photons"]:
        raise WebLimitError("photons", request.photons, payload["limits"]["max_photons"], "photons per band")
    return penetration_json(penetration_stage(request, progress=lambda share: progress("Monte Carlo", share)))


def heat(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose heat --json`."""
    from lightdose.present.thermal import heat_json
    from lightdose.thermal.session import HeatRequest, heat_session

    return heat_json(heat_session(_followed(HeatRequest.model_validate(_fields(payload), context=USER_INPUT),
                                            payload)))


def burn(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose burn --json`."""
    from lightdose.present.burn import burn_json
    from lightdose.thermal.burn import BurnRequest, burn_dose

    return burn_json(burn_dose(BurnRequest.model_validate(_fields(payload), context=USER_INPUT)))


def sauna(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose sauna --json`."""
    from lightdose.present.sauna import sauna_json
    from lightdose.thermal.sauna import SaunaRequest, simulate_sauna

    return sauna_json(simulate_sauna(SaunaRequest.model_validate(_fields(payload), context=USER_INPUT)))


def perfusion(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose perfusion --json`."""
    from lightdose.physiology.session import PerfusionRequest, perfusion_session
    from lightdose.present.physiology import perfusion_json

    request = PerfusionRequest.model_validate(_fields(payload), context=USER_INPUT)
    return perfusion_json(perfusion_session(_followed(request, payload)))


def session(payload: dict[str, Any], progress: Progress) -> Any:
    """The explorer's session panel: one perfusion session (bioheat coupled with perfusion) as `lightdose
    perfusion --json` and its bioheat run as `lightdose heat --json` give them."""
    from lightdose.physiology.session import PerfusionRequest, perfusion_session
    from lightdose.present.physiology import perfusion_json
    from lightdose.present.thermal import heat_json

    request = PerfusionRequest.model_validate(_fields(payload), context=USER_INPUT)
    result = perfusion_session(_followed(request, payload))
    return {"perfusion": perfusion_json(result), "heat": heat_json(result.heat)}


def compare(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose compare --json` on a comparison's text; payload: `text`, `name` (the file name that messages
    name) and `max_cases`."""
    from lightdose.physiology.compare import comparison_from_text, run_comparison
    from lightdose.present.physiology import comparison_json

    text, name, limits = str(payload["text"]), str(payload["name"]), payload["limits"]
    _check_file_parameters(text, name)
    comparison = comparison_from_text(text, name)
    cases = len(comparison.treatments) * len(comparison.people)
    if cases > limits["max_cases"]:
        raise WebLimitError("treatments", f"{len(comparison.treatments)} treatments × {len(comparison.people)} people "
                            f"= {cases} cases", limits["max_cases"], "cases")
    if comparison.after > limits["max_after_s"]:
        raise WebLimitError("after", duration(comparison.after), duration(limits["max_after_s"]),
                            "followed after the session")
    return comparison_json(run_comparison(comparison))


def _scenario(payload: dict[str, Any]) -> Any:
    from lightdose.planning import scenario_from_text

    text, name = str(payload["text"]), str(payload["name"])
    _check_file_parameters(text, name)
    return scenario_from_text(text, name)


def read_yaml(payload: dict[str, Any], progress: Progress) -> Any:
    """The data of a scenario's text (YAML or JSON), for the plan builder's form: a mapping, plain JSON data (an
    alias bomb grows enormous here, in the worker, and meets the time limit), at most :data:`MAX_FORM_DATA_CHARS`
    as JSON. Payload: `text` and `name`."""
    import json

    from lightdose.errors import FileFormatError

    name = str(payload["name"])
    data = load_yaml(str(payload["text"]), name)
    if not isinstance(data, dict):
        raise FileFormatError(name, None, "a scenario is a mapping of fields (name, devices, sites, ...)")
    text = json.dumps(data, default=str)
    if len(text) > MAX_FORM_DATA_CHARS:
        raise FileFormatError(name, None, f"too large for the form ({len(text)} characters as JSON; at most "
                                          f"{MAX_FORM_DATA_CHARS})")
    return json.loads(text)


def validate(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose validate --json` on a scenario's text; payload: `text` and `name` (the file name)."""
    from lightdose.present.plan import validation_json

    return validation_json(str(payload["name"]), _scenario(payload))


def plan(payload: dict[str, Any], progress: Progress) -> Any:
    """`lightdose plan --json` on a scenario's text: {"plan": the JSON, "people": the scenario's virtual people};
    with `report`, also {"report": the HTML of `lightdose plan -o`}. Without `coverage`, the plan is made for the
    scenario's person only (0 virtual people), which takes a second instead of many. Payload: `text`, `name`,
    `coverage`, `report` and the web's `limits`."""
    from lightdose.planning import plan as make_plan
    from lightdose.present.plan import plan_json
    from lightdose.present.report import render_html

    scenario, limits = _scenario(payload), payload["limits"]
    if scenario.coverage.people > limits["max_people"]:
        raise WebLimitError("coverage.people", scenario.coverage.people, limits["max_people"], "virtual people")
    if len(scenario.sites) > limits["max_sites"]:
        raise WebLimitError("sites", f"{len(scenario.sites)} sites", limits["max_sites"], "sites")
    people = scenario.coverage.people
    if not payload.get("coverage", True):
        scenario = scenario.model_copy(update={"coverage": scenario.coverage.model_copy(update={"people": 0})})
    result = make_plan(scenario, progress=progress)
    out: dict[str, Any] = {"plan": plan_json(result), "people": people}
    if payload.get("report"):
        out["report"] = render_html(result)
    return out


def warm_up(payload: dict[str, Any], progress: Progress) -> Any:
    """Run the stages once on small inputs, so that their numba kernels are compiled (or loaded from numba's
    cache) before the first request: the dose at depth (diffusion and a small Monte Carlo), a perfusion session
    (bioheat and the perfusion model) and an irradiance map."""
    placement = {"device": "pad-890", "distance": "0 cm"}
    limits = {"max_photons": 1000, "max_points": 21, "max_after_s": 60.0}
    fields = {"placement": placement, "site": "ankle-medial", "exposure": "1 min"}
    depth_dose({"request": fields, "limits": limits}, progress)
    depth_dose({"request": {**fields, "solver": "mc", "photons": 1000}, "limits": limits}, progress)
    session({"request": {**fields, "after": "1 min"}, "limits": limits}, progress)
    irradiance({"request": {"placement": placement, "points": 21}, "limits": limits}, progress)
    return "warm"


TASKS: dict[str, Task] = {task.__name__: task for task in (
    optics, tissue_spectrum, irradiance, design, depth_dose, penetration, heat, burn, sauna, perfusion, session,
    compare, read_yaml, validate, plan, warm_up)}
"""Every computation a worker runs, by name."""

__all__ = ["TASKS", "Progress", "Task", "check_parameter_set"]
