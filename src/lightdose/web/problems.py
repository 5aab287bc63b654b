"""Problem details (RFC 9457) for every error the web app answers: ``application/problem+json`` from the API,
the same title and detail as an HTML fragment or page for the browser.

A problem has a `type` (a page of this app that explains it, ``/problems/<slug>``), a `title`, the HTTP `status`,
a `detail` (for bad input: exactly the CLI's one-line message) and, for bad input, an `errors` list with one
``{"field", "message"}`` per problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lightdose import __version__
from lightdose.provenance import git_revision
from lightdose.web.pool import BusyError, ComputeError, TimeLimitError, UserInputError
from lightdose.web.user_errors import FieldError

PROBLEM_JSON = "application/problem+json"

PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "invalid-input": ("Invalid input", "A value is missing, malformed or out of its allowed range. `detail` is the "
                      "message the command line prints for the same input; `errors` names each field."),
    "too-large": ("Request too large", "The request body or upload is larger than this server accepts (10 MB by "
                  "default); it was refused before it was read."),
    "time-limit": ("Time limit", "The computation ran longer than this server allows and was stopped. Ask for "
                   "less (a shorter time, fewer photons or people) or use the command line, which has no limit."),
    "busy": ("Busy", "Every worker was busy for longer than a request may wait. Try again in a few seconds."),
    "bad-request": ("Bad request", "The request could not be read (a malformed form or upload)."),
    "forbidden": ("Forbidden", "A form or request sent from a page of another site (its Origin is not this "
                  "server): refused, so that no other site can make this server compute."),
    "not-found": ("Not found", "There is nothing at this address (or a plan's results have expired)."),
    "method-not-allowed": ("Method not allowed", "This address does not take this HTTP method."),
    "unsupported-media-type": ("Unsupported media type", "The body's content type is not one this endpoint reads."),
    # the records (docs/records.md)
    "unauthenticated": ("Log in first", "The records need a login (a page) or an API token (Authorization: Bearer)."),
    "not-permitted": ("Not permitted", "Your role may not do this (admins manage users and devices, clinicians "
                      "patients and sessions, researchers see the de-identified cohort)."),
    "conflict": ("Conflict", "Someone else saved this record since you opened it; nothing was overwritten. Reload "
                 "it and make your change again."),
    "too-many-attempts": ("Too many attempts", "Too many logins failed; wait and try again."),
    "internal-error": ("Internal error", "A bug in lightdose, not your input. The server logged what happened; "
                       "please report it with the version the detail names."),
}
"""slug → (title, explanation) of every problem type; ``/problems/<slug>`` shows the explanation."""


@dataclass
class Problem(Exception):
    """An error answer: raise it from an endpoint, and the app renders it as problem+json or HTML."""

    status: int
    slug: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return PROBLEM_TYPES[self.slug][0]

    def body(self) -> dict[str, Any]:
        """The problem+json document."""
        out: dict[str, Any] = {"type": f"/problems/{self.slug}", "title": self.title, "status": self.status,
                               "detail": self.detail}
        if self.errors:
            out["errors"] = self.errors
        return out


def internal_error() -> Problem:
    """The answer to a bug: no traceback, the version to report."""
    return Problem(500, "internal-error", f"internal error, please report it with lightdose {__version__} "
                                          f"({git_revision()})")


def invalid_input(detail: str, errors: list[FieldError]) -> Problem:
    return Problem(422, "invalid-input", detail, errors)


def from_compute_error(exc: ComputeError) -> Problem:
    """The problem for a computation that gave no result."""
    if isinstance(exc, UserInputError):
        return invalid_input(exc.detail, exc.errors)
    if isinstance(exc, TimeLimitError):
        return Problem(504, "time-limit", f"{exc}: ask for less (a shorter time, fewer photons or people) or use "
                                          "the command line, which has no limit")
    if isinstance(exc, BusyError):
        return Problem(503, "busy", f"the server is busy ({exc.reason}); try again in a few seconds",
                       headers={"Retry-After": "5"})
    return internal_error()


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "a page of this app that explains the problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "for bad input: the CLI's one-line message"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string", "description": "the field's path, e.g. sites[0].site"},
                           "message": {"type": "string"}}}},
    },
}
"""JSON Schema of a problem+json body (in the OpenAPI document as ``#/components/schemas/Problem``)."""

__all__ = ["PROBLEM_JSON", "PROBLEM_SCHEMA", "PROBLEM_TYPES", "Problem", "from_compute_error", "internal_error",
           "invalid_input"]
