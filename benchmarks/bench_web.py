"""Load on the web app (issue 14, acceptance 4): a bounded load generator on loopback against a `lightdose serve`
that this script starts (and stops with Ctrl-C's SIGINT).

Measures, at 1, 8 and 32 concurrent clients, the latency (p50, p95) and throughput of
- the dose explorer's endpoint, ``GET /api/v1/depth-dose`` (pad-890 on the medial ankle; the time varies per
  request), and
- a plan without population coverage, ``POST /api/v1/plan`` (examples/knee-panel.yaml with ``coverage.people: 0``);
the explorer's latency while plans with 1000 virtual people run (the long work must not block it); and the server's
memory (RSS of the server and its workers) before and after 10 000 explorer requests.

Targets on the 2-core machine: explorer p95 < 300 ms at 8 clients, no failed request at 32, memory growth < 50 MB
over 10 000 requests. Every loop is bounded in count and time and talks to 127.0.0.1 only. Not a timed test: run it
by hand (``.venv/bin/python benchmarks/bench_web.py``); it prints a Markdown table and writes
benchmarks/results/web.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
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

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"
MAX_SECONDS = 1800.0
"""No load phase runs longer than this."""


@dataclass
class Phase:
    """The answers of one load phase."""

    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def row(self) -> dict[str, object]:
        ordered = sorted(self.latencies)

        def quantile(q: float) -> float | None:
            return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None

        return {"phase": self.name, "clients": self.clients, "requests": len(self.latencies) + sum(
            self.failures.values()), "failed": sum(self.failures.values()), "failures": self.failures,
            "p50_ms": quantile(0.5), "p95_ms": quantile(0.95), "mean_ms": 1000 * statistics.fmean(ordered)
            if ordered else None, "per_second": len(self.latencies) / self.seconds if self.seconds else None}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory [MB] of `pid` and its children (the workers)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024.0
    return total


async def _load(client: httpx.AsyncClient, phase: Phase, requests: int, make_request) -> Phase:
    """`requests` requests from `phase.clients` concurrent clients, each request made by `make_request(i)`."""
    counter = iter(range(requests))
    deadline = time.monotonic() + MAX_SECONDS

    async def one_client() -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                response = await make_request(client, i)
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            if status == 200:
                phase.latencies.append(time.perf_counter() - started)
            else:
                phase.failures[str(status)] = phase.failures.get(str(status), 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(phase.clients)))
    phase.seconds = time.perf_counter() - started
    return phase


def explorer(base: str):
    async def request(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.get(f"{base}/api/v1/depth-dose", params={
            "device": "pad-890", "site": "ankle-medial", "time": f"{10 + i % 40} min"})
    return request


def plan(base: str, people: int):
    text = (ROOT / "examples" / "knee-panel.yaml").read_text(encoding="utf-8").replace(
        "people: 1000", f"people: {people}")

    async def request(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(f"{base}/api/v1/plan", content=text.encode(),
                                 headers={"content-type": "application/yaml"})
    return request


async def run(base: str, server_pid: int, memory_requests: int, quick: bool) -> dict:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    out: dict = {"phases": []}
    async with httpx.AsyncClient(timeout=900, limits=limits) as client:
        await _load(client, Phase("warm-up", 2), 20, explorer(base))
        for clients, requests in ((1, 100), (8, 400), (32, 800)):
            phase = await _load(client, Phase("explorer GET /api/v1/depth-dose", clients),
                                requests // (4 if quick else 1), explorer(base))
            out["phases"].append(phase.row())
            print(phase.row(), flush=True)
        for clients, requests in ((1, 4), (8, 16), (32, 32)):
            phase = await _load(client, Phase("plan without coverage POST /api/v1/plan", clients),
                                requests // (2 if quick else 1), plan(base, 0))
            out["phases"].append(phase.row())
            print(phase.row(), flush=True)
        # the explorer while two plans with 1000 virtual people each run in the background
        background = asyncio.gather(*(_load(client, Phase("plan, 1000 people", 1), 1, plan(base, 1000))
                                      for _ in range(2)))
        await asyncio.sleep(2.0)
        phase = await _load(client, Phase("explorer while 2 plans with 1000 people run", 8), 200, explorer(base))
        out["phases"].append(phase.row())
        print(phase.row(), flush=True)
        for long in await background:
            out["phases"].append(long.row())
            print(long.row(), flush=True)
        before = _rss_mb(server_pid)
        phase = await _load(client, Phase("memory: explorer requests", 8), memory_requests, explorer(base))
        after = _rss_mb(server_pid)
        out["phases"].append(phase.row())
        out["memory"] = {"requests": memory_requests, "rss_before_mb": before, "rss_after_mb": after,
                         "growth_mb": after - before}
        print(out["memory"], flush=True)
    return out


def table(result: dict) -> str:
    def cell(value: float | None, digits: int = 0) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    lines = ["| load | clients | requests | failed | p50 [ms] | p95 [ms] | throughput [req/s] |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in result["phases"]:
        lines.append(f"| {r['phase']} | {r['clients']} | {r['requests']} | {r['failed']} | {cell(r['p50_ms'])} | "
                     f"{cell(r['p95_ms'])} | {cell(r['per_second'], 1)} |")
    memory = result["memory"]
    lines += ["", f"Memory (RSS of the server and its workers): {memory['rss_before_mb']:.0f} MB before, "
                  f"{memory['rss_after_mb']:.0f} MB after {memory['requests']} explorer requests (growth "
                  f"{memory['growth_mb']:+.1f} MB)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run of this script)")
    args = parser.parse_args()
    port = _free_port()
    script = Path(sys.executable).with_name("lightdose")
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen([str(script), "serve", "--host", HOST, "--port", str(port), "--workers",
                               str(args.workers)], stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://{HOST}:{port}"
    try:
        started = time.monotonic()
        while True:
            if server.poll() is not None or time.monotonic() - started > 900:
                log.seek(0)
                raise SystemExit(f"the server did not start:\n{log.read()}")
            try:
                if httpx.get(base + "/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        print(f"server ready after {time.monotonic() - started:.0f} s (workers warm)", flush=True)
        load_before = os.getloadavg()[0]
        result = asyncio.run(run(base, server.pid, args.memory_requests, args.quick))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    result.update({"workers": args.workers, "cpus": os.cpu_count(), "machine": platform.processor()
                   or platform.machine(), "python": platform.python_version(), "load_average_at_start": load_before,
                   "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
    print(table(result))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
