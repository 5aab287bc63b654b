"""The load and fault harness (issue 15, acceptance 4), shared by tests/records/test_load.py (scaled down) and
benchmarks/bench_records.py (the full 8 × 500): a live server on loopback, concurrent clients writing sessions
through the API, the server killed with SIGKILL during a burst and restarted, and the checks afterwards — every
acknowledged write present exactly once, one audit entry per write, the database's own integrity check."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from lightdose.records import auth
from lightdose.records.db import make_engine, session_factory, transaction, upgrade
from lightdose.records.models import User
from lightdose.records.setup import add_user

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/records"
READY_S = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """The app as a subprocess (its own process group: SIGKILL takes the server and its worker down at once)."""

    def __init__(self, url: str, port: int | None = None):
        self.url = url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(mode="w+", prefix="lightdose-records-server-", suffix=".log",
                                               delete=False)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        script = str(Path(__file__).with_name("_server.py"))
        self.process = subprocess.Popen([sys.executable, script, url, str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
                                        start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if httpx.get(self.base + API + "/me", timeout=5).status_code == 401:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def log_text(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the server's process group: no shutdown, no flush, no goodbye."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        os.unlink(self.log.name)


@dataclass
class Setup:
    token: str
    clinic_id: int
    courses: list[int]


def prepare(url: str, base: str, clients: int) -> Setup:
    """A clinic with a clinician (token made directly in the database), a patient and one course per client."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as db:
        user = add_user(db, f"load clinic {os.getpid()} {time.time_ns()}", f"load-{time.time_ns()}",
                        "load test password", "clinician")
        _, token = auth.create_token(db, db.get(User, user.id), "load")
        clinic_id = user.clinic_id
    engine.dispose()
    headers = {"authorization": f"Bearer {token}"}
    patient = httpx.post(base + API + "/patients", headers=headers, json={"code": "LOAD-1"}, timeout=60).json()
    courses = []
    for _ in range(clients):
        answer = httpx.post(base + API + f"/patients/{patient['id']}/courses", headers=headers, timeout=120, json={
            "condition": "diabetic-neuropathy", "start_date": "2026-03-02", "planned_sessions": 1000,
            "sites": [{"site": "ankle-medial", "device": "pad-890", "exposure_s": 1200}]})
        answer.raise_for_status()
        courses.append(answer.json()["id"])
    return Setup(token, clinic_id, courses)


@dataclass
class Burst:
    acknowledged: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def writes_per_s(self) -> float:
        return len(self.acknowledged) / self.wall_s if self.wall_s else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.latencies_s) < 2:
            return 0.0
        return 1000 * statistics.quantiles(self.latencies_s, n=20)[-1]


def _body(key: str, n: int) -> dict[str, object]:
    """Session `n` of a client: one every 10 minutes from the course's start."""
    started = dt.datetime(2026, 3, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=10 * n)
    return {"started_at": started.isoformat(), "sites": ["ankle-medial"], "delivered_s": 1200, "client_key": key,
            "notes": f"load test session {n}"}


async def _client(base: str, setup: Setup, index: int, count: int, prefix: str, burst: Burst,
                  on_ack: asyncio.Event | None, ack_target: int) -> None:
    headers = {"authorization": f"Bearer {setup.token}"}
    course = setup.courses[index]
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for n in range(count):
            key = f"{prefix}-{index}-{n}"
            burst.sent.add(key)
            started = time.perf_counter()
            try:
                answer = await client.post(f"{API}/courses/{course}/sessions", json=_body(key, n))
            except httpx.HTTPError as exc:
                burst.errors.append(type(exc).__name__)
                return  # the server is gone: this client stops, its last key unacknowledged
            if answer.status_code in (200, 201):
                burst.acknowledged.add(key)
                burst.latencies_s.append(time.perf_counter() - started)
                if on_ack is not None and len(burst.acknowledged) >= ack_target:
                    on_ack.set()
            else:
                burst.errors.append(f"{answer.status_code}: {answer.text[:200]}")


async def _burst(base: str, setup: Setup, per_client: int, prefix: str, on_ack: asyncio.Event | None = None,
                 ack_target: int = 0) -> Burst:
    burst = Burst()
    started = time.perf_counter()
    await asyncio.gather(*(_client(base, setup, i, per_client, prefix, burst, on_ack, ack_target)
                           for i in range(len(setup.courses))))
    burst.wall_s = time.perf_counter() - started
    return burst


def burst(base: str, setup: Setup, per_client: int, prefix: str) -> Burst:
    """Every client writes `per_client` sessions, one after the other, all clients at once."""
    return asyncio.run(_burst(base, setup, per_client, prefix))


def burst_with_kill(server: Server, setup: Setup, per_client: int, prefix: str, kill_after: int) -> Burst:
    """A burst during which the server is killed with SIGKILL once `kill_after` writes were acknowledged."""

    async def run() -> Burst:
        acked = asyncio.Event()
        task = asyncio.create_task(_burst(server.base, setup, per_client, prefix, acked, kill_after))
        await asyncio.wait_for(acked.wait(), timeout=600)
        server.kill()
        return await task

    return asyncio.run(run())


def resend(base: str, setup: Setup, keys: set[str]) -> set[str]:
    """Send the unacknowledged writes again with their keys (as a client would after a failure); the keys
    acknowledged now."""

    async def run() -> set[str]:
        acked: set[str] = set()
        async with httpx.AsyncClient(base_url=base, headers={"authorization": f"Bearer {setup.token}"},
                                     timeout=60) as client:
            for key in sorted(keys):
                _, index, n = key.rsplit("-", 2)
                answer = await client.post(f"{API}/courses/{setup.courses[int(index)]}/sessions",
                                           json=_body(key, int(n)))
                if answer.status_code in (200, 201):
                    acked.add(key)
        return acked

    return asyncio.run(run())


@dataclass
class Check:
    keys: dict[str, int]
    """client_key → rows with it."""
    sessions: int
    create_entries: int
    entries_per_session: dict[int, int]
    integrity: str


def check(url: str, clinic_id: int) -> Check:
    """Read the database directly: the sessions' keys, the audit entries of their creation, the integrity check."""
    engine = make_engine(url)
    with engine.connect() as connection:
        keys = dict(connection.execute(text(
            "SELECT client_key, count(*) FROM treatment_sessions WHERE clinic_id = :c GROUP BY client_key"),
            {"c": clinic_id}).all())
        sessions = connection.execute(text("SELECT count(*) FROM treatment_sessions WHERE clinic_id = :c"),
                                      {"c": clinic_id}).scalar_one()
        per = dict(connection.execute(text(
            "SELECT s.id, count(a.id) FROM treatment_sessions s LEFT JOIN audit_log a ON a.entity = 'session' "
            "AND a.action = 'create' AND a.entity_id = s.id WHERE s.clinic_id = :c GROUP BY s.id"),
            {"c": clinic_id}).all())
        creates = connection.execute(text(
            "SELECT count(*) FROM audit_log WHERE clinic_id = :c AND entity = 'session' AND action = 'create'"),
            {"c": clinic_id}).scalar_one()
        integrity = _integrity(connection)
    engine.dispose()
    return Check(keys, sessions, creates, per, integrity)


def _integrity(connection) -> str:  # type: ignore[no-untyped-def]
    """SQLite: PRAGMA integrity_check and foreign_key_check; PostgreSQL: amcheck's B-tree check of every index
    (with the heap) and the foreign keys by query. 'ok' or what failed."""
    if connection.dialect.name == "sqlite":
        result = connection.execute(text("PRAGMA integrity_check")).scalar_one()
        orphans = connection.execute(text("PRAGMA foreign_key_check")).all()
        return result if not orphans else f"foreign_key_check: {orphans[:5]}"
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    indexes = connection.execute(text(
        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = 'public'")).scalars().all()
    for index in indexes:
        connection.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
    orphans = connection.execute(text(
        "SELECT count(*) FROM session_sites x LEFT JOIN treatment_sessions s ON s.id = x.session_id "
        "WHERE s.id IS NULL")).scalar_one()
    connection.commit()
    return "ok" if orphans == 0 else f"{orphans} orphaned session sites"


@dataclass
class Report:
    first: Burst
    second: Burst
    resent: set[str]
    result: Check


def load_and_fault(url: str, clients: int = 8, per_client: int = 500, kill_after: int | None = None) -> Report:
    """The whole scenario on the database `url`: a burst, a second burst killed with SIGKILL after `kill_after`
    acknowledged writes (default: a quarter of it), a restart, the unacknowledged writes resent, the checks."""
    server = Server(url)
    try:
        setup = prepare(url, server.base, clients)
        first = burst(server.base, setup, per_client, "first")
        second = burst_with_kill(server, setup, per_client, "second",
                                 kill_after if kill_after is not None else clients * per_client // 4)
    finally:
        server.stop()
    server = Server(url, server.port)
    try:
        unacked = (first.sent | second.sent) - (first.acknowledged | second.acknowledged)
        resent = resend(server.base, setup, unacked)
    finally:
        server.stop()
    return Report(first, second, resent, check(url, setup.clinic_id))
