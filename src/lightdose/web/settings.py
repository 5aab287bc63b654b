"""The web app's limits and sizes: one frozen object, built by `lightdose serve` from its options (or by the tests).

Every limit that protects the server from a request is here, with the reason for its value; docs/web.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Sizes and limits of one web app."""

    workers: int = 2
    """Worker processes that run the stages (`lightdose serve --workers`)."""
    compute_limit_s: float = 60.0
    """Time limit of one interactive computation (the explorer, the API's GET verbs, the device designer) [s]."""
    long_limit_s: float = 600.0
    """Time limit of a plan (with its population coverage) or a device comparison [s]."""
    queue_limit_s: float = 30.0
    """How long an interactive request waits for a free worker before it is refused as busy (503) [s]; a plan or a
    comparison waits up to `long_limit_s`."""
    max_queue: int = 256
    """Requests waiting for a worker at once; more are refused as busy (503) at once."""
    max_body_bytes: int = 10 * MIB
    """Largest request body or upload [bytes]; a larger one is refused (413) before it is read."""
    max_photons: int = 1_000_000
    """Most Monte Carlo photons per band from the web (the CLI allows 1e9)."""
    max_people: int = 2000
    """Most virtual people for a plan's population coverage from the web (scenario files allow 1 000 000)."""
    max_comparison_cases: int = 12
    """Most treatment × person cases of a device comparison from the web (files allow 200)."""
    max_map_points: int = 301
    """Most irradiance-map cells per axis from the web (the CLI allows 1001)."""
    max_after_s: float = 4 * 3600.0
    """Longest time followed after a heat or perfusion session from the web [s] (the CLI allows 24 h, whose
    bioheat takes about a minute on a busy 2-core machine)."""
    max_sites: int = 10
    """Most body sites of a plan from the web (scenario files allow 50)."""
    max_jobs: int = 32
    """Plans (with their reports) kept for the plan builder's downloads; the oldest goes first."""
    job_ttl_s: float = 3600.0
    """How long a plan's results are kept for download [s]."""
    startup_limit_s: float = 600.0
    """Time for the workers to start and warm the numba kernels [s]."""
    allowed_hosts: tuple[str, ...] | None = None
    """Host names the app answers to (None: any). `lightdose serve` on a loopback address allows only the loopback
    names, so that a web page whose domain is pointed at 127.0.0.1 (DNS rebinding) cannot use the app."""
    database_url: str | None = None
    """The records' database (None: ``LIGHTDOSE_DATABASE_URL``, else the SQLite file in the data folder); opened
    at the first records request (docs/records.md)."""
    warm: bool = True
    """Run every stage once in each worker before the first request is answered (numba kernels compiled or loaded
    from the cache)."""


def web_limits(settings: Settings) -> dict[str, float | int]:
    """The bounds the worker tasks check (:mod:`lightdose.web.tasks`), from `settings`."""
    return {"max_photons": settings.max_photons, "max_people": settings.max_people,
            "max_cases": settings.max_comparison_cases, "max_points": settings.max_map_points,
            "max_after_s": settings.max_after_s, "max_sites": settings.max_sites}


__all__ = ["MIB", "Settings", "web_limits"]
