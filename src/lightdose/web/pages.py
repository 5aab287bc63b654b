"""The pages: server-rendered HTML (templates/*.html) with HTMX for the partial updates. Every page's URL states
its inputs (a query string), so that a result can be bookmarked and shared; the partial endpoints answer HTMX with
the results and tell it the page's URL (``HX-Push-Url``). The pages run the same worker tasks as the API, so they
show the numbers the CLI's ``--json`` gives for the same inputs."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from lightdose.web import charts
from lightdose.web.compute import compute, settings_of
from lightdose.web.designer import BEAMS, FACES, KINDS, Design, definition, device_yaml, starter_scenario
from lightdose.web.forms import build_form, parse_form, scenario_yaml
from lightdose.web.jobs import PlanJob
from lightdose.web.problems import PROBLEM_TYPES, Problem
from lightdose.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

SKIN_TYPES = ("I", "II", "III", "IV", "V", "VI")
REPORT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
              "base-uri 'none'; form-action 'none'")
"""A plan report is one self-contained file (inline style, images as data URIs, no script): shown in a frame of the
plan builder and downloaded as it is."""


# ------------------------------------------------------------------------------------------------ shared lookups


@cache
def catalog() -> list[dict[str, Any]]:
    from lightdose.present.devices import catalog_json

    rows: list[dict[str, Any]] = catalog_json()["devices"]
    return rows


@cache
def site_rows() -> list[dict[str, Any]]:
    from lightdose.present.sites import sites_json

    return sites_json()


@cache
def tissue_library() -> dict[str, Any]:
    from lightdose.present.optics import tissues_json

    return tissues_json()


@cache
def scenario_schema() -> dict[str, Any]:
    from lightdose.planning import schema

    return schema()


@cache
def scenario_examples() -> dict[str, str]:
    from lightdose.present.demo import example_files

    return example_files()


@cache
def comparison_examples() -> dict[str, str]:
    folder = resources.files("lightdose.data").joinpath("examples/comparisons")
    return {e.name: e.read_text(encoding="utf-8") for e in sorted(folder.iterdir(), key=lambda e: e.name)
            if e.name.endswith(".yaml")}


def prepare() -> None:
    """Load what the pages read (the libraries, the schema, the examples) before the first request."""
    catalog()
    site_rows()
    tissue_library()
    scenario_schema()
    scenario_examples()
    comparison_examples()


def _site(name: str) -> dict[str, Any] | None:
    return next((s for s in site_rows() if s["name"] == name), None)


def _page_url(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode({k: v for k, v in query.items() if v != ''})}"


async def _problem_or(request: Request, coroutine: Any) -> tuple[Any, Problem | None]:
    """The computation's result, or the problem that stopped it (to show in the page)."""
    try:
        return await coroutine, None
    except Problem as problem:
        return None, problem


# ---------------------------------------------------------------------------------------------------------- home


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", title="lightdose")


@router.get("/problems/{slug}", response_class=HTMLResponse)
async def problem_type(request: Request, slug: str) -> HTMLResponse:
    if slug not in PROBLEM_TYPES:
        raise Problem(404, "not-found", f"no problem type {slug!r}")
    title, explanation = PROBLEM_TYPES[slug]
    return render(request, "problem_type.html", title=title, slug=slug, explanation=explanation)


# ------------------------------------------------------------------------------------------------ dose explorer

EXPLORER_DEFAULTS = {"device": "pad-890", "own": "", "distance": "0 cm", "site": "ankle-medial", "time": "30 min",
                     "skin_type": "III", "bmi": "", "fat": "", "neuropathy": "", "dermal_blood": "",
                     "after": "60 min"}


def _explorer_inputs(request: Request) -> dict[str, str]:
    query = request.query_params
    return {k: query.get(k, default)[:4000] for k, default in EXPLORER_DEFAULTS.items()}


def _explorer_request(inputs: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The stage request's fields of the explorer's inputs, and the own device's name (None for a preset)."""
    device: Any = inputs["device"]
    own_name = None
    if device == "own":
        try:
            device = json.loads(inputs["own"])
        except json.JSONDecodeError:
            raise Problem(422, "invalid-input", "own: not a device definition (JSON); make one in the device "
                                                "designer", [{"field": "own", "message": "not JSON"}]) from None
        own_name = str(device.get("name", "custom")) if isinstance(device, dict) else "custom"
    person: dict[str, Any] = {"skin_type": inputs["skin_type"], "neuropathy": inputs["neuropathy"] in ("on", "true")}
    for key, field in (("bmi", "bmi"), ("fat", "fat_thickness"), ("dermal_blood", "dermal_blood")):
        if inputs[key].strip():
            person[field] = inputs[key].strip()
    return ({"placement": {"device": device, "distance": inputs["distance"]}, "site": inputs["site"],
             "person": person, "exposure": inputs["time"]}, own_name)


async def _explorer_dose(request: Request, inputs: dict[str, str]) -> dict[str, Any]:
    fields, own_name = _explorer_request(inputs)
    dose, problem = await _problem_or(request, compute(request, "depth_dose", fields))
    chart = None if dose is None else charts.depth_dose(dose, _site(inputs["site"]))
    query = urlencode(inputs)
    return {"dose": dose, "problem": problem, "chart": chart, "inputs": inputs, "own_name": own_name,
            "session_url": f"/explore/session?{query}"}


@router.get("/explore", response_class=HTMLResponse)
async def explorer(request: Request) -> HTMLResponse:
    inputs = _explorer_inputs(request)
    return render(request, "explore.html", title="Dose explorer", devices=catalog(), sites=site_rows(),
                  skin_types=SKIN_TYPES, **await _explorer_dose(request, inputs))


@router.get("/explore/results", response_class=HTMLResponse)
async def explorer_results(request: Request) -> HTMLResponse:
    inputs = _explorer_inputs(request)
    return render(request, "explore_results.html", headers={"HX-Push-Url": _page_url("/explore", inputs)},
                  **await _explorer_dose(request, inputs))


@router.get("/explore/session", response_class=HTMLResponse)
async def explorer_session(request: Request) -> HTMLResponse:
    inputs = _explorer_inputs(request)
    fields, _ = _explorer_request(inputs)
    result, problem = await _problem_or(request, compute(request, "session", {**fields, "after": inputs["after"]}))
    chart = None if result is None else charts.session(result["perfusion"])
    return render(request, "explore_session.html", result=result, problem=problem, chart=chart)


# ------------------------------------------------------------------------------------------------- plan builder


def _plan_page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    template = "plan_builder.html" if is_htmx(request) else "plan.html"
    return render(request, template, status_code=status_code, title="Plan builder",
                  examples=list(scenario_examples()), **context)


def _builder(data: dict[str, Any], yaml_text: str, errors: list[dict[str, str]] | None = None,
             **extra: Any) -> dict[str, Any]:
    form, unplaced = build_form(scenario_schema(), data, errors or [])
    return {"form": form, "unplaced": unplaced, "yaml_text": yaml_text, "job": None, "note": None,
            "problem": None, **extra}


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, example: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    import yaml

    text = scenario_examples().get(example, "")
    if example and not text:
        raise Problem(404, "not-found", f"no example {example!r}; the examples: {', '.join(scenario_examples())}")
    data = yaml.safe_load(text) if text else {}  # a bundled example: trusted, small
    return _plan_page(request, _builder(data, text, example=example))


async def _upload_text(upload: Any, limit: int) -> tuple[str, str] | None:
    """An uploaded file's text and name (None without a file)."""
    if not isinstance(upload, StarletteUpload | UploadFile) or not upload.filename:
        return None
    raw = await upload.read(limit + 1)
    try:
        return raw.decode("utf-8-sig"), re.sub(r"[^\w.\-]", "_", upload.filename)[:100]
    except UnicodeDecodeError:
        raise Problem(422, "invalid-input", f"{upload.filename}: not UTF-8 text",
                      [{"field": "file", "message": "not UTF-8 text"}]) from None


@router.post("/plan", response_class=HTMLResponse)
async def plan_submit(request: Request) -> HTMLResponse:
    """The plan builder's forms: load a YAML (pasted, uploaded or an example) into the form, check it, or run it.
    Every answer shows the form again (with the errors next to their fields) and the result, if any."""
    form = await request.form(max_files=1, max_fields=5000)
    action = str(form.get("action", "run"))
    source = str(form.get("source", "form"))
    upload = await _upload_text(form.get("file"), settings_of(request).max_body_bytes)
    if source == "yaml":
        example = str(form.get("example", ""))
        text, name = upload or (str(form.get("yaml", "")), "scenario.yaml")
        if example and example in scenario_examples() and action == "load" and upload is None:
            text, name = scenario_examples()[example], example
        data, problem = await _problem_or(request, compute(request, "read_yaml", text=text, name=name))
        if problem is not None:
            return _plan_page(request, _builder({}, text, problem.errors or [], problem=problem),
                              status_code=problem.status)
        if action == "load":
            return _plan_page(request, _builder(data, text, note="Loaded into the form."))
    else:
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        data, field_problems = parse_form(items)
        text, name = scenario_yaml(data), "scenario.yaml"
        if field_problems:
            return _plan_page(request, _builder(data, text, field_problems), status_code=422)
    return await _check_or_run(request, action, data, text, name)


async def _check_or_run(request: Request, action: str, data: dict[str, Any], text: str, name: str) -> HTMLResponse:
    if action == "check":
        checked, problem = await _problem_or(request, compute(request, "validate", text=text, name=name))
        if problem is not None:
            return _plan_page(request, _builder(data, text, problem.errors, problem=problem),
                              status_code=problem.status)
        note = (f"Valid scenario '{checked['name']}' with {checked['devices']} device placement(s) and "
                f"{checked['sites']} site(s).")
        return _plan_page(request, _builder(data, text, note=note))
    first, problem = await _problem_or(request, compute(request, "plan", text=text, name=name, coverage=False,
                                                        report=True, long=True))
    if problem is not None:
        return _plan_page(request, _builder(data, text, problem.errors, problem=problem), status_code=problem.status)
    job = PlanJob(scenario_yaml=text, first=first, coverage_wanted=first["people"] > 0)

    async def coverage(job: PlanJob) -> dict[str, Any]:
        def progress(what: str, share: float) -> None:
            job.progress = (what, share)

        result: dict[str, Any] = await compute(request, "plan", text=text, name=name, coverage=True, report=True,
                                               long=True, progress=progress)
        return result

    request.app.state.jobs.add(job, coverage)
    return _plan_page(request, _builder(data, text, job=job))


def _job(request: Request, job_id: str) -> PlanJob:
    job: PlanJob = request.app.state.jobs.get(job_id)
    return job


@router.get("/plan/jobs/{job_id}/coverage", response_class=HTMLResponse)
async def plan_coverage(request: Request, job_id: str) -> HTMLResponse:
    return render(request, "plan_coverage.html", job=_job(request, job_id))


def _slug(job: PlanJob) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(job.first["plan"]["name"]).lower()).strip("-")[:60] or "plan"


def _download(content: str, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/plan/jobs/{job_id}/report.html")
async def plan_report(request: Request, job_id: str, download: bool = False) -> Response:
    job = _job(request, job_id)
    headers = {"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{_slug(job)}-report.html"'
    return HTMLResponse(job.latest["report"], headers=headers)


@router.get("/plan/jobs/{job_id}/plan.json")
async def plan_json_download(request: Request, job_id: str) -> Response:
    job = _job(request, job_id)
    text = json.dumps(job.latest["plan"], indent=2, ensure_ascii=False) + "\n"
    suffix = "" if job.coverage_done and job.full is not None or not job.coverage_wanted else "-without-coverage"
    return _download(text, "application/json", f"{_slug(job)}-plan{suffix}.json")


@router.get("/plan/jobs/{job_id}/scenario.yaml")
async def plan_scenario_download(request: Request, job_id: str) -> Response:
    job = _job(request, job_id)
    return _download(job.scenario_yaml, "application/yaml", f"{_slug(job)}-scenario.yaml")


# ------------------------------------------------------------------------------------------------------ compare


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request,
                       example: Annotated[str, Query(max_length=200)] = "microcirculation-comparison.yaml"
                       ) -> HTMLResponse:
    text = comparison_examples().get(example, "")
    return render(request, "compare.html", title="Compare", examples=list(comparison_examples()), example=example,
                  yaml_text=text, result=None, problem=None)


@router.post("/compare", response_class=HTMLResponse)
async def compare_run(request: Request, yaml: Annotated[str, Form(max_length=1_000_000)] = "",
                      file: UploadFile | None = None) -> HTMLResponse:
    upload = await _upload_text(file, settings_of(request).max_body_bytes)
    text, name = upload or (yaml, "comparison.yaml")
    result, problem = await _problem_or(request, compute(request, "compare", text=text, name=name, long=True))
    context = {"result": result, "problem": problem, "people": [], "charts": {}}
    if result is not None:
        people = list(dict.fromkeys(c["person"] for c in result["cases"]))
        treatments = list(dict.fromkeys(c["treatment"] for c in result["cases"]))
        cases = {(c["treatment"], c["person"]): c for c in result["cases"]}
        context.update(people=people, treatments=treatments, cases=cases,
                       charts={p: charts.comparison(result["cases"], p) for p in people})
    template = "compare_result.html" if is_htmx(request) else "compare.html"
    return render(request, template, status_code=200 if problem is None else problem.status, title="Compare",
                  examples=list(comparison_examples()), example="", yaml_text=text, **context)


# ---------------------------------------------------------------------------------------------------- libraries


@router.get("/library/devices", response_class=HTMLResponse)
async def library_devices(request: Request) -> HTMLResponse:
    return render(request, "library_devices.html", title="Devices", devices=catalog())


@router.get("/library/devices/{name}", response_class=HTMLResponse)
async def library_device(request: Request, name: str,
                         distance: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    row = next((d for d in catalog() if d["name"] == name), None)
    if row is None:
        raise Problem(404, "not-found", f"no preset device {name!r}")
    result, problem, chart = None, None, None
    if row["bands"]:
        distance = distance or ("0 cm" if row.get("contact") else "15 cm")
        result, problem = await _problem_or(request, compute(request, "irradiance", {
            "placement": {"device": name, "distance": distance}, "points": 81}))
        chart = None if result is None else charts.irradiance_map(result)
    return render(request, "library_device.html", title=name, device=row, distance=distance, result=result,
                  problem=problem, map_chart=chart, spectrum_chart=charts.spectrum(row["bands"]))


@router.get("/library/sites", response_class=HTMLResponse)
async def library_sites(request: Request) -> HTMLResponse:
    return render(request, "library_sites.html", title="Body sites", sites=[(s, _layer_diagram(s))
                                                                             for s in site_rows()])


LAYER_PX_PER_MM = 8.0
MIN_LAYER_PX = 14.0
DEEP_LAYER_MM = 8.0


def _layer_diagram(site: dict[str, Any]) -> dict[str, Any]:
    """Rectangles of an SVG layer diagram (depth downwards, :data:`LAYER_PX_PER_MM`; a thin layer drawn at least
    :data:`MIN_LAYER_PX` high so that its label fits, the last, deep layer :data:`DEEP_LAYER_MM` thick) and the
    targets' depth bands."""
    spans = []  # (top [mm], thickness [mm], top [px], height [px])
    depth = y = 0.0
    for layer in site["layers"]:
        thickness = layer["thickness_mm"] or DEEP_LAYER_MM
        height = max(thickness * LAYER_PX_PER_MM, MIN_LAYER_PX)
        spans.append((depth, thickness, y, height))
        depth, y = depth + thickness, y + height

    def to_y(at: float) -> float:
        for top, thickness, top_px, height in spans:
            if at <= top + thickness:
                return top_px + (at - top) / thickness * height
        return y

    layers = [{"y": top_px, "height": height, "tissue": layer["tissue"].split("-")[0],
               "label": f"{layer['tissue']} " + (f"{layer['thickness_mm']:g} mm" if layer["thickness_mm"]
                                                 else "(deep)")}
              for layer, (_, _, top_px, height) in zip(site["layers"], spans, strict=True)]
    targets = [{"y": to_y(t["depth_mm"][0]), "height": max(to_y(t["depth_mm"][1]) - to_y(t["depth_mm"][0]), 2.0),
                "label": t["name"]} for t in site["targets"]]
    return {"layers": layers, "targets": targets, "height": y}


@router.get("/library/tissues", response_class=HTMLResponse)
async def library_tissues(request: Request) -> HTMLResponse:
    return render(request, "library_tissues.html", title="Tissues", library=tissue_library())


@router.get("/library/tissues/{name}", response_class=HTMLResponse)
async def library_tissue(request: Request, name: str) -> HTMLResponse:
    row = next((t for t in tissue_library()["tissues"] if t["name"] == name), None)
    if row is None:
        raise Problem(404, "not-found", f"no preset tissue {name!r}")
    records, problem = await _problem_or(request, compute(request, "tissue_spectrum", {"tissue": name}))
    records = [records] if isinstance(records, dict) else records
    chart = charts.tissue(records) if records else None
    return render(request, "library_tissue.html", title=name, tissue=row, records=records, problem=problem,
                  chart=chart)


# ----------------------------------------------------------------------------------------------- device designer


async def _design(request: Request, design: Design) -> dict[str, Any]:
    device, errors = definition(design)
    result, problem = None, None
    if device is None:
        problem = Problem(422, "invalid-input", "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    else:
        result, problem = await _problem_or(request, compute(request, "design", device=device,
                                                             distance=design.distance, points=81))
    own = "" if device is None else json.dumps(device, separators=(",", ":"))
    query = urlencode(design.query())
    return {"design": design, "device": device, "result": result, "problem": problem,
            "chart": None if result is None else charts.irradiance_map(result, (result["width_mm"],
                                                                                result["height_mm"])),
            "explorer_url": _page_url("/explore", {**EXPLORER_DEFAULTS, "own": own, "device": "own",
                                                   "distance": design.distance, "time": "20 min"}),
            "query": query, "field_errors": {e["field"]: e["message"] for e in (problem.errors if problem else [])}}


@router.get("/designer", response_class=HTMLResponse)
async def designer(request: Request) -> HTMLResponse:
    design = Design.from_query(dict(request.query_params))
    return render(request, "designer.html", title="Device designer", kinds=KINDS, beams=BEAMS, faces=FACES,
                  **await _design(request, design))


@router.get("/designer/result", response_class=HTMLResponse)
async def designer_result(request: Request) -> HTMLResponse:
    design = Design.from_query(dict(request.query_params))
    return render(request, "designer_result.html", headers={"HX-Push-Url": _page_url("/designer", design.query())},
                  **await _design(request, design))


@router.get("/designer/device.yaml")
async def designer_device(request: Request) -> Response:
    device, errors = definition(Design.from_query(dict(request.query_params)))
    if device is None:
        raise Problem(422, "invalid-input", "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    return _download(device_yaml(device), "application/yaml", f"{_slug_text(device['name'])}.yaml")


@router.get("/designer/scenario.yaml")
async def designer_scenario(request: Request, site: Annotated[str, Query(max_length=64)] = "ankle-medial") -> Response:
    design = Design.from_query(dict(request.query_params))
    device, errors = definition(design)
    row = _site(site)
    if device is None or row is None:
        problems = errors or [{"field": "site", "message": f"unknown body site {site!r}"}]
        raise Problem(422, "invalid-input", "; ".join(f"{e['field']}: {e['message']}" for e in problems), problems)
    placement = scenario_schema()["$defs"]["Placement"]["properties"]
    own_key = "definition" if "definition" in placement else "device"
    text = starter_scenario(device, design.distance, site, row["targets"][0]["name"], own_key)
    return _download(text, "application/yaml", f"{_slug_text(device['name'])}-scenario.yaml")


def _slug_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "device"


# ------------------------------------------------------------------------------------------------ API reference


@router.get("/api", response_class=HTMLResponse)
async def api_reference(request: Request) -> HTMLResponse:
    document = request.app.openapi()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            params = [{"name": p["name"], "required": p.get("required", False),
                       "description": p.get("description", ""),
                       "default": p.get("schema", {}).get("default"),
                       "example": (p.get("schema", {}).get("examples") or [None])[0]}
                      for p in operation.get("parameters", [])]
            operations.append({"method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                               "params": params, "curl": _curl(method.upper(), path, params)})
    return render(request, "api.html", title="API", operations=operations, limits=settings_of(request))


def _curl(method: str, path: str, params: list[dict[str, Any]]) -> str:
    base = "http://127.0.0.1:8000"
    if method == "POST":
        example = "examples/microcirculation-comparison.yaml" if path.endswith("compare") \
            else "examples/knee-panel.yaml"
        return f"curl -X POST -H 'Content-Type: application/yaml' --data-binary @{example} {base}{path}"
    query = {p["name"]: (p["example"][0] if isinstance(p["example"], list) else p["example"])
             for p in params if p["required"] and p["example"] is not None}
    return f"curl '{base}{path}{'?' + urlencode(query) if query else ''}'"


__all__ = ["prepare", "router"]
