"""Issue 15, acceptance 4 (bounded; loopback only; stops by itself): 8 concurrent clients write sessions through the
API of a live server, on SQLite and on PostgreSQL; during a second burst the server is killed with SIGKILL and
restarted. Afterwards every acknowledged write is present exactly once, every write has exactly one audit entry,
and the database's own integrity check passes. Scaled down here (8 × 25 per burst); the full 8 × 500 is
benchmarks/bench_records.py (docs/benchmarks.md, "Records")."""

from __future__ import annotations

import pytest

from tests.records._load import load_and_fault

pytestmark = pytest.mark.slow  # two live servers per backend

CLIENTS, PER_CLIENT = 8, 25


@pytest.mark.parametrize("new_url", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_writes_survive_sigkill(new_url):
    url = new_url()
    report = load_and_fault(url, CLIENTS, PER_CLIENT, kill_after=CLIENTS * PER_CLIENT // 4)
    first, second, result = report.first, report.second, report.result
    assert first.errors == [] and len(first.acknowledged) == CLIENTS * PER_CLIENT
    assert second.errors, "the kill interrupted nothing"
    assert CLIENTS * PER_CLIENT // 4 <= len(second.acknowledged) < CLIENTS * PER_CLIENT
    acknowledged = first.acknowledged | second.acknowledged
    # every acknowledged write is there exactly once (the unique key makes "at most once" a database rule)
    assert all(result.keys.get(key) == 1 for key in acknowledged)
    # the writes in flight at the kill, resent with their keys after the restart, are there once too
    assert report.resent == (first.sent | second.sent) - acknowledged
    assert set(result.keys) == first.sent | second.sent and set(result.keys.values()) == {1}
    # one audit entry per write
    assert result.create_entries == result.sessions == len(result.keys)
    assert set(result.entries_per_session.values()) == {1}
    assert result.integrity == "ok"
