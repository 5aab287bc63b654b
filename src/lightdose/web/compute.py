"""Running a computation for a request: in the app's worker pool, within the settings' time limit, with the web's
bounds; a computation that gives no result raises the matching :class:`~lightdose.web.problems.Problem`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from lightdose.web.pool import ComputeError, WorkerPool
from lightdose.web.problems import from_compute_error
from lightdose.web.settings import Settings, web_limits


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def compute(request: Request, task: str, fields: dict[str, Any] | None = None, *, long: bool = False,
                  progress: Callable[[str, float], None] | None = None, **payload: Any) -> Any:
    """Run `task` (:data:`lightdose.web.tasks.TASKS`) with the request's `fields` (a stage task) or `payload` (a
    file task) and the web's limits; `long` for plans and comparisons (their longer limit, and they leave one
    worker to the explorer)."""
    settings = settings_of(request)
    pool: WorkerPool = request.app.state.pool
    body = {**payload, "limits": web_limits(settings)}
    if fields is not None:
        body["request"] = fields
    try:
        return await pool.run(task, body, limit_s=settings.long_limit_s if long else settings.compute_limit_s,
                              long=long, progress=progress)
    except ComputeError as exc:
        raise from_compute_error(exc) from None


__all__ = ["compute", "settings_of"]
