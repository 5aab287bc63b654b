"""The web app: :func:`create_app` builds the FastAPI application (pages, API, static files), its worker pool and
its guards — the security headers, the request-size cap, and one error path that turns every error into a
problem (RFC 9457) and every bug into a 500 without a traceback (which goes to the server's log, without the
request's body or query)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lightdose import __version__
from lightdose.model_base import describe_error, field_path
from lightdose.web.jobs import Jobs
from lightdose.web.pool import WorkerPool
from lightdose.web.problems import PROBLEM_SCHEMA, Problem, internal_error, invalid_input
from lightdose.web.render import problem_response
from lightdose.web.settings import Settings

log = logging.getLogger("lightdose.web")

STATIC = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
                           "form-action 'self'; object-src 'none'")
"""Every page: nothing from another origin, no inline script or style (the charts draw with the vendored uPlot
and lightdose's app.js, both served from /static)."""
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
"""Headers added to every response that does not set its own (a plan report sets a CSP of its own)."""

HTTP_PROBLEMS = {404: "not-found", 405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type"}


class _TooLarge(Exception):
    """A streamed body grew past the cap."""


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return headers + [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
                      if name.encode() not in present]


def _cross_origin(method: str, headers: dict[bytes, bytes]) -> bool:
    """Whether a state-changing request comes from a page of another origin (a browser names it in ``Origin``;
    curl and programs send none)."""
    origin = headers.get(b"origin")
    if method in ("GET", "HEAD", "OPTIONS") or origin is None:
        return False
    return origin.split(b"://", 1)[-1] != headers.get(b"host", b"")


class _CountedReceive:
    """The app's `receive`, raising :class:`_TooLarge` once the body has grown past `limit` bytes."""

    def __init__(self, receive: Receive, limit: int):
        self.receive = receive
        self.limit = limit
        self.received = 0

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise _TooLarge
        return message


class Guard:
    """Pure ASGI middleware: security headers on every response; a body over the cap refused with 413 before it
    is read (by its Content-Length, or as soon as a streamed body passes the cap); any exception that escaped the
    app answered with a 500 problem (its traceback logged with the method and path only)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _with_security_headers(list(message.get("headers", [])))
            await send(message)

        headers = dict(scope.get("headers", []))
        if _cross_origin(scope.get("method", ""), headers):
            await self._answer(scope, send_with_headers, Problem(403, "forbidden", "a request from a page of another "
                                                                               "site is refused"))
            return
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await self._answer(scope, send_with_headers, self._too_large())
            return
        try:
            await self.app(scope, _CountedReceive(receive, self.max_body_bytes), send_with_headers)
        except _TooLarge:
            if not started:
                await self._answer(scope, send_with_headers, self._too_large())
        except Exception:
            log.exception("internal error answering %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._answer(scope, send_with_headers, internal_error())

    def _too_large(self) -> Problem:
        return Problem(413, "too-large", f"the request body is larger than this server's limit of "
                                         f"{self.max_body_bytes / 2**20:g} MB; it was not read")

    @staticmethod
    async def _answer(scope: Scope, send: Send, problem: Problem) -> None:
        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        response = problem_response(Request(scope, no_body), problem)
        await response(scope, no_body, send)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    slug = HTTP_PROBLEMS.get(exc.status_code, "bad-request" if exc.status_code < 500 else "internal-error")
    detail = {"not-found": f"nothing at {request.url.path}",
              "method-not-allowed": f"{request.method} is not allowed at {request.url.path}"}.get(slug, str(exc.detail))
    problem = internal_error() if slug == "internal-error" else Problem(exc.status_code, slug, detail)
    problem.headers.update(exc.headers or {})
    return problem_response(request, problem)


async def _request_invalid(request: Request, exc: Exception) -> Response:
    """FastAPI's own check of the query parameters (a number that is not one, a missing parameter), in the shape
    of lightdose's messages: ``field: message`` joined with '; '."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        location, message = describe_error(error)
        where = field_path(tuple(location[1:]) if location and location[0] in ("query", "body", "path")
                           else location)
        if error.get("type") == "missing":
            message = "missing; give it as a query parameter" if location[:1] == ("query",) else "missing"
        errors.append({"field": where, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return problem_response(request, invalid_input(detail, errors))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document, with the Problem schema and the scenario and comparison schemas (the bodies of
    plan, validate and compare) as components."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        from lightdose.web.api import body_schemas

        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        components.update(body_schemas())
        app.openapi_schema = document
    return app.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app with `settings` (defaults: :class:`Settings`)."""
    from lightdose.web import api, pages, records_api, records_pages

    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(size=settings.workers, warm=settings.warm, queue_limit_s=settings.queue_limit_s,
                          long_queue_limit_s=settings.long_limit_s, max_queue=settings.max_queue,
                          startup_limit_s=settings.startup_limit_s)
        await pool.start()
        pages.prepare()  # the libraries and the scenario schema that the pages read, loaded once
        app.state.pool = pool
        app.state.jobs = Jobs(max_jobs=settings.max_jobs, ttl_s=settings.job_ttl_s)
        try:
            yield
        finally:
            await app.state.jobs.close()
            await pool.close()

    app = FastAPI(
        title="lightdose",
        version=__version__,
        description="Light dose, heat and perfusion for red/near-infrared light therapy and heat therapy: the JSON "
                    "API returns what the command line's `--json` prints for the same inputs. Not a medical device.",
        docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json", lifespan=lifespan)
    app.state.settings = settings
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    if settings.allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(Guard, max_body_bytes=settings.max_body_bytes)  # outermost: its headers go on every answer
    app.include_router(api.router)
    app.include_router(pages.router)
    for router in (records_api.public, records_api.router, records_pages.router):  # docs/records.md
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "create_app"]
