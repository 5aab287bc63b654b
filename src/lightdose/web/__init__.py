"""The web app (`lightdose serve`): server-rendered pages (Jinja2 + HTMX, vendored assets, no external origins) and
a JSON API under ``/api/v1/`` with one endpoint per CLI verb.

It sits on the top floor with the CLI (docs/architecture.md): it builds the same stage requests, calls the same
stage functions and the same presenters (:mod:`lightdose.present`) as the CLI, and never the CLI itself. Stages run
in a pool of worker processes (:mod:`lightdose.web.pool`) so that the server stays responsive; user errors become
HTTP 422 problem+json bodies (RFC 9457) whose ``detail`` is the CLI's one-line message. Not a medical device.

``create_app`` (from :mod:`lightdose.web.app`) is loaded lazily, so that the worker processes, which import
:mod:`lightdose.web.tasks`, do not import FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lightdose.web.app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from lightdose.web.app import create_app

        return create_app
    raise AttributeError(f"module 'lightdose.web' has no attribute {name!r}")


__all__ = ["create_app"]
