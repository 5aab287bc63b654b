"""Provenance that every stage's result records: the lightdose version and git revision, the parameter set, and a
hash of the request, so that two results can be told apart and reproduced."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from lightdose import __version__


@cache
def git_revision() -> str:
    """The git commit of the source tree lightdose runs from (``abc1234``, ``abc1234+dirty`` with uncommitted
    changes), or ``"unknown"`` for an installed copy outside a repository."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "."], cwd=here,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head or "unknown"


def request_hash(request: BaseModel) -> str:
    """A short hash of a request's JSON (the same request gives the same hash)."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Provenance:
    """Where a result comes from."""

    lightdose_version: str
    git_revision: str
    request_hash: str
    parameter_set: str = ""
    """The parameter set's name and content hash (``default@1a2b…``); empty for stages that use none."""

    @classmethod
    def of(cls, request: BaseModel, parameter_set: str = "") -> Provenance:
        """The provenance of a result computed now from `request`."""
        return cls(__version__, git_revision(), request_hash(request), parameter_set)

    def attrs(self) -> dict[str, str]:
        """As Dataset attributes (strings only: NetCDF-safe)."""
        return {key: value for key, value in asdict(self).items() if value}
