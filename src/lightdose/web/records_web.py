"""What the records' API and pages share: the records store (engine, sessions, login limiter; opened at the first
records request, its schema migrated to the newest), who a request acts as (an API token, or a login cookie with
its CSRF token for writes), and the translation of the records' errors into problems."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from lightdose.errors import InputError, LightdoseError
from lightdose.records import auth
from lightdose.records.db import make_engine, session_factory, transaction, upgrade
from lightdose.records.errors import RecordsError, TooManyAttempts, Unauthenticated
from lightdose.web.problems import Problem, invalid_input

COOKIE = "lightdose_login"
"""The login cookie: a random token (the database keeps its SHA-256), HttpOnly, SameSite=Strict, Secure over
HTTPS."""
CSRF_HEADER = "x-csrf-token"
"""A write through the API with the login cookie (not a token) sends the login's CSRF token in this header."""
T = TypeVar("T")


@dataclass
class RecordsStore:
    engine: Engine
    factory: sessionmaker[Session]
    limiter: auth.AttemptLimiter = field(default_factory=auth.AttemptLimiter)


_opening = threading.Lock()


def store_of(request: Request) -> RecordsStore:
    """The app's records store, opened (and migrated) at the first records request."""
    state = request.app.state
    store: RecordsStore | None = getattr(state, "records", None)
    if store is None:
        with _opening:
            store = getattr(state, "records", None)
            if store is None:
                engine = make_engine(state.settings.database_url)
                upgrade(engine)
                store = RecordsStore(engine, session_factory(engine))
                state.records = store
    return store


def problem_of(exc: Exception) -> Problem:
    """A records error or a user-input error as the problem the app answers with."""
    if isinstance(exc, RecordsError):
        slug = "not-permitted" if exc.status == 403 else exc.slug
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Problem(exc.status, slug, exc.message, headers=headers)
    if isinstance(exc, InputError):
        return invalid_input(str(exc), [{"field": exc.field, "message": exc.reason}])
    assert isinstance(exc, LightdoseError)
    return invalid_input(str(exc), [])


@contextmanager
def problems() -> Iterator[None]:
    """Turns records and input errors raised inside into problems."""
    try:
        yield
    except (RecordsError, LightdoseError) as exc:
        raise problem_of(exc) from None


def actor_of(request: Request, db: Session, write: bool) -> auth.Actor | None:
    """Who the request acts as: a bearer token, else the login cookie (a write with the cookie must carry the CSRF
    token, in the form or the X-CSRF-Token header: the caller checks forms); None for nobody."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.actor_of_token(db, header[7:].strip())
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    actor = auth.actor_of_session(db, cookie)
    if actor is not None and write and request.url.path.startswith("/api/"):
        auth.check_csrf(actor, request.headers.get(CSRF_HEADER))
    return actor


def credentials_sent(request: Request) -> None:
    """A router dependency: a request without a token or login cookie is answered 401 before its body is read or
    validated (a request with credentials is checked against the database by :func:`run`)."""
    if not request.headers.get("authorization", "").lower().startswith("bearer ") and not request.cookies.get(COOKIE):
        raise problem_of(Unauthenticated("log in first (or send an API token: Authorization: Bearer ld_…)"))


def run(request: Request, action: Callable[[Session, auth.Actor | None], T], write: bool = False) -> T:
    """`action(db, actor)` in one transaction (committed before the answer is sent), errors as problems."""
    store = store_of(request)
    with problems(), transaction(store.factory) as db:
        return action(db, actor_of(request, db, write))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login(request: Request, username: str, password: str) -> Any:
    """Check a username and password (rate-limited per address; a failure is audited and counts towards the
    account's lockout even though the request fails); the user."""
    store = store_of(request)
    with problems():
        store.limiter.check(client_address(request))
    failure: RecordsError | None = None
    with transaction(store.factory) as db:
        try:
            user = auth.authenticate(db, username, password)
        except RecordsError as exc:
            failure = exc  # the transaction commits the failed-login count and its audit entry
    if failure is not None:
        raise problem_of(failure)
    return user


def secure_cookie(request: Request) -> bool:
    """Whether the login cookie is marked Secure: when the app is served over HTTPS (directly or behind a proxy
    that says so)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


__all__ = ["COOKIE", "CSRF_HEADER", "RecordsStore", "actor_of", "client_address", "credentials_sent", "login",
           "problem_of", "problems", "run", "secure_cookie", "store_of"]
