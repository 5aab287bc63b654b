"""The plan builder's plans: the answer for the plan's person first (a second), then the population coverage in
the background (many seconds), whose progress the page polls. Kept in memory for their downloads (scenario YAML,
plan JSON, report HTML), at most `max_jobs` of them for at most `ttl_s`; ids are random and unguessable."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from lightdose.web.pool import ComputeError
from lightdose.web.problems import Problem, from_compute_error


@dataclass
class PlanJob:
    """One run of the plan builder."""

    scenario_yaml: str
    first: dict[str, Any]
    """{"plan": the plan JSON without population coverage, "report": its HTML report}."""
    coverage_wanted: bool
    full: dict[str, Any] | None = None
    """The same with the population coverage, once it is ready."""
    progress: tuple[str, float] = ("waiting for a free worker", 0.0)
    problem: Problem | None = None
    id: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    created: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None

    @property
    def latest(self) -> dict[str, Any]:
        """The most complete answer so far."""
        return self.full if self.full is not None else self.first

    @property
    def coverage_done(self) -> bool:
        return not self.coverage_wanted or self.full is not None or self.problem is not None


Coverage = Callable[[PlanJob], Awaitable[dict[str, Any]]]


class Jobs:
    """The plans kept for the plan builder."""

    def __init__(self, max_jobs: int, ttl_s: float):
        self.max_jobs = max_jobs
        self.ttl_s = ttl_s
        self._jobs: dict[str, PlanJob] = {}

    def add(self, job: PlanJob, coverage: Coverage | None) -> PlanJob:
        """Keep `job` (dropping expired and, past `max_jobs`, the oldest) and start its coverage with `coverage`."""
        now = time.monotonic()
        for old in [j for j in self._jobs.values() if now - j.created > self.ttl_s]:
            self._drop(old)
        while len(self._jobs) >= self.max_jobs:
            self._drop(next(iter(self._jobs.values())))
        self._jobs[job.id] = job
        if coverage is not None and job.coverage_wanted:
            job.task = asyncio.get_running_loop().create_task(self._run(job, coverage))
        return job

    async def _run(self, job: PlanJob, coverage: Coverage) -> None:
        try:
            job.full = await coverage(job)
        except ComputeError as exc:
            job.problem = from_compute_error(exc)
        except Problem as problem:
            job.problem = problem

    def get(self, job_id: str) -> PlanJob:
        """The job `job_id`; a 404 problem once it has expired or never was."""
        job = self._jobs.get(job_id)
        if job is None or time.monotonic() - job.created > self.ttl_s:
            raise Problem(404, "not-found", "no such plan: plans are kept for an hour (and the last "
                                            f"{self.max_jobs}); run it again")
        return job

    def _drop(self, job: PlanJob) -> None:
        self._jobs.pop(job.id, None)
        if job.task is not None:
            job.task.cancel()

    async def close(self) -> None:
        """Cancel the coverage still running."""
        tasks = [j.task for j in self._jobs.values() if j.task is not None and not j.task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


__all__ = ["Coverage", "Jobs", "PlanJob"]
