"""Records under load (issue 15, acceptance 4, in full): 8 concurrent clients write 500 sessions each through the
JSON API of a live server on loopback, on SQLite and on PostgreSQL (a throwaway cluster); then a second burst during
which the server is killed with SIGKILL, a restart, the unacknowledged writes resent with their keys, and the checks
(every acknowledged write once, one audit entry per write, the database's integrity check).

    .venv/bin/python benchmarks/bench_records.py [--clients 8] [--per-client 500] [--backend sqlite postgresql]

Prints a Markdown table (docs/benchmarks.md, "Records") and writes benchmarks/results/records.json. Each write is a
full session save: authentication, the course's plan, the dose at the target (the stages' results are cached for
repeated inputs, as in a clinic), the cumulative dose per site, the audit entry, a durable commit."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "records"))  # the harness the test shares (a `tests` package of a dependency
# shadows the repository's tests/ as a package name)

import _postgres  # noqa: E402
from _load import load_and_fault  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=500)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = []
    cluster = None
    folders: list[str] = []
    try:
        for backend in args.backend:
            if backend == "sqlite":
                folder = tempfile.mkdtemp(prefix="lightdose-bench-")
                folders.append(folder)
                url = f"sqlite:///{folder}/records.sqlite3"
            else:
                cluster, reason = _postgres.start()
                if cluster is None:
                    print(f"postgresql skipped: {reason}")
                    continue
                url = cluster.create_database("bench")
            report = load_and_fault(url, args.clients, args.per_client)
            acknowledged = report.first.acknowledged | report.second.acknowledged
            ok = (all(report.result.keys.get(k) == 1 for k in acknowledged)
                  and set(report.result.entries_per_session.values()) == {1}
                  and report.result.create_entries == report.result.sessions
                  and report.result.integrity == "ok")
            results.append({"backend": backend, "clients": args.clients, "per_client": args.per_client,
                            "writes": len(report.first.acknowledged), "wall_s": report.first.wall_s,
                            "writes_per_s": report.first.writes_per_s, "p95_ms": report.first.p95_ms,
                            "killed_burst_acknowledged": len(report.second.acknowledged),
                            "resent_after_restart": len(report.resent), "sessions_in_db": report.result.sessions,
                            "audit_entries": report.result.create_entries, "integrity": report.result.integrity,
                            "checks_pass": ok})
    finally:
        if cluster is not None:
            cluster.stop()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print("| database | clients × writes | writes/s | p95 latency | acknowledged before SIGKILL | resent after "
          "restart | rows = audit entries | integrity | all checks |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        verdict = "pass" if r["checks_pass"] else "FAIL"
        print(f"| {r['backend']} | {r['clients']} × {r['per_client']} | {r['writes_per_s']:.0f} | "
              f"{r['p95_ms']:.0f} ms | {r['killed_burst_acknowledged']} | {r['resent_after_restart']} | "
              f"{r['sessions_in_db']} = {r['audit_entries']} | {r['integrity']} | {verdict} |")
    out = ROOT / "benchmarks" / "results" / "records.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                               "results": results}, indent=2))


if __name__ == "__main__":
    main()
