"""Fixtures of the records' tests: real databases — a SQLite file and a throwaway PostgreSQL cluster (skipped with
the reason when PostgreSQL is not installed) — the web app in-process on each, and clinics with their users."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from lightdose.records import auth
from lightdose.records.db import make_engine, session_factory, transaction, upgrade
from lightdose.records.models import User
from lightdose.records.setup import add_user
from lightdose.web.app import create_app
from lightdose.web.records_web import RecordsStore
from lightdose.web.settings import Settings
from tests.records import _postgres

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster, reason = _postgres.start()
    if cluster is None:
        yield reason
        return
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def new_url(request, tmp_path, postgres_cluster):
    """A function giving the URL of a new, empty database of the test's backend (its `backend` parameter)."""
    backend = request.param if hasattr(request, "param") else "sqlite"

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'records-{next(_names)}.sqlite3'}"
        if isinstance(postgres_cluster, str):
            pytest.skip(postgres_cluster)
        return postgres_cluster.create_database(f"records_{next(_names)}_{secrets.token_hex(4)}")

    return make


@dataclass
class Clinic:
    """A clinic with one user per role and an API token for each; `headers[role]` authorises as that user."""

    name: str
    clinic_id: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[role]}"}


def make_clinic(factory, name: str | None = None) -> Clinic:
    name = name or f"clinic {next(_names)} {secrets.token_hex(3)}"
    with transaction(factory) as db:
        clinic = None
        for role in ("admin", "clinician", "researcher"):
            user = add_user(db, name, f"{role}-{secrets.token_hex(4)}", PASSWORD, role)
            clinic = clinic or Clinic(name, user.clinic_id)
            row, token = auth.create_token(db, db.get(User, user.id), "tests")
            clinic.users[role], clinic.tokens[role] = user.id, token
    assert clinic is not None
    return clinic


class Backend:
    """One backend's database, the app on it (TestClient) and its session factory."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        upgrade(self.engine)
        self.factory = session_factory(self.engine)
        self.client = TestClient(create_app(Settings(workers=1, warm=False, database_url=url)),
                                 raise_server_exceptions=False)
        # the tests log in often from one address: the per-address limit is tested on an app of its own
        self.client.app.state.records = RecordsStore(self.engine, self.factory,
                                                     auth.AttemptLimiter(attempts=100_000))
        self.client.__enter__()

    def clinic(self) -> Clinic:
        return make_clinic(self.factory)

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.engine.dispose()


@pytest.fixture(scope="session")
def backends(tmp_path_factory, postgres_cluster):
    """One app per backend for the whole session (starting an app starts its worker); None where skipped."""
    made: dict[str, Backend | str] = {}
    yield made
    for backend in made.values():
        if isinstance(backend, Backend):
            backend.close()


@pytest.fixture(params=BACKENDS)
def backend(request, backends, tmp_path_factory, postgres_cluster) -> Backend:
    """The app on a SQLite file and on PostgreSQL (the same app for every test of a backend; each test makes its
    own clinics)."""
    name = request.param
    if name not in backends:
        if name == "sqlite":
            backends[name] = Backend(f"sqlite:///{tmp_path_factory.mktemp('records') / 'records.sqlite3'}")
        elif isinstance(postgres_cluster, str):
            backends[name] = postgres_cluster
        else:
            backends[name] = Backend(postgres_cluster.create_database(f"records_app_{secrets.token_hex(4)}"))
    found = backends[name]
    if isinstance(found, str):
        pytest.skip(found)
    return found
