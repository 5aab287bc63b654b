"""Rendering: the Jinja2 environment of the pages (autoescape on for every template: whatever a user typed is
escaped wherever it is echoed), page and fragment responses, and problems as HTML or problem+json."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from lightdose import __version__
from lightdose.present.text import minutes, number
from lightdose.web.problems import PROBLEM_JSON, Problem

NOT_A_MEDICAL_DEVICE = ("lightdose is not a medical device: its numbers are physical model estimates, not medical "
                        "advice.")
NAVIGATION = (("/explore", "Dose explorer"), ("/plan", "Plan builder"), ("/compare", "Compare"),
              ("/library/devices", "Devices"), ("/library/sites", "Body sites"), ("/library/tissues", "Tissues"),
              ("/designer", "Device designer"), ("/records", "Records"), ("/api", "API"))


def _json_attribute(value: Any) -> str:
    """`value` as compact JSON for a ``data-`` attribute (autoescape makes it safe there)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


@cache
def environment() -> jinja2.Environment:
    """The templates of lightdose/web/templates, autoescaped."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("lightdose.web", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda value, digits=3: number(value, digits)
    env.filters["minutes"] = minutes
    env.filters["pct"] = lambda value: "–" if value is None else f"{100 * value:.0f} %"
    env.filters["jsonattr"] = _json_attribute
    env.globals.update(version=__version__, navigation=NAVIGATION, not_a_medical_device=NOT_A_MEDICAL_DEVICE)
    return env


def is_htmx(request: Request) -> bool:
    """Whether HTMX asked (a partial update), not a full page load."""
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, status_code: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """`template` rendered with `context` (and the request's path, for the navigation)."""
    html = environment().get_template(template).render(path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def wants_html(path: str, accept: str, htmx: bool) -> bool:
    """Whether an error at `path` is shown as HTML (the pages) rather than problem+json (the API)."""
    if path.startswith("/api/"):
        return False
    return htmx or "text/html" in accept


def problem_response(request: Request, problem: Problem) -> Response:
    """`problem` as problem+json for the API and programs, as an HTML fragment for HTMX, as a page otherwise."""
    if wants_html(request.url.path, request.headers.get("accept", ""), is_htmx(request)):
        return render(request, "problem_fragment.html" if is_htmx(request) else "problem_page.html",
                      status_code=problem.status, headers=problem.headers, problem=problem)
    return problem_json(problem)


def problem_json(problem: Problem) -> JSONResponse:
    """`problem` as an ``application/problem+json`` response."""
    return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers, media_type=PROBLEM_JSON)


__all__ = ["NOT_A_MEDICAL_DEVICE", "environment", "is_htmx", "problem_json", "problem_response", "render",
           "wants_html"]
