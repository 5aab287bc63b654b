"""A pool of worker processes that run the stages (:mod:`lightdose.web.tasks`) for the web app, so that CPU-bound
work never blocks the server's event loop.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: a computation that overruns its time limit has to be
stopped, and an executor cannot stop one running call without breaking the whole pool; and the plan builder shows
the progress of the population coverage, which an executor's future cannot report. Here each worker is one process
with one pipe: the server sends ``(task name, payload)``; the worker answers with any number of
``("progress", what, share)`` messages and one final ``("ok", result)``, ``("user", detail, errors)`` (bad input:
the CLI's message) or ``("internal", error type, traceback)`` (a bug). A worker that overruns its limit, or whose
request was abandoned, is killed and replaced by a fresh, warmed one.

Workers are fresh interpreters (the server's threads are not forked, and unlike multiprocessing's ``spawn`` they do
not re-import the server's ``__main__``), in their own session and ignoring SIGINT (Ctrl-C in the terminal stops the
server, which stops them), and warm the numba kernels before they take work. A worker whose server has gone away
reads the end of its pipe and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from lightdose.web.user_errors import FieldError

log = logging.getLogger("lightdose.web")

PROGRESS_EVERY_S = 0.25
"""A worker reports progress at most this often [s]."""


class ComputeError(Exception):
    """A computation did not give a result."""


class UserInputError(ComputeError):
    """The input was wrong: `detail` is the CLI's one-line message, `errors` one entry per field."""

    def __init__(self, detail: str, errors: list[FieldError]):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class TimeLimitError(ComputeError):
    """The computation ran past its time limit and was stopped."""

    def __init__(self, limit_s: float):
        super().__init__(f"the computation ran past this server's {limit_s:g}-s limit and was stopped")
        self.limit_s = limit_s


class BusyError(ComputeError):
    """Every worker was busy for longer than the wait allowed, or too many requests were waiting."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class InternalError(ComputeError):
    """The computation failed through a bug (or its worker died): the traceback is logged, never sent."""


def worker_main(fd: int, warm: bool) -> None:
    """A worker's life (in its own process, on the pipe end `fd`): warm up, say ready, then run one task after
    another until told to stop or until the server goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from lightdose.web.tasks import TASKS

    conn = Connection(fd)

    last = [0.0]

    def progress(what: str, share: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            conn.send(("progress", str(what), float(share)))

    if warm:
        try:
            TASKS["warm_up"]({}, progress)
        except Exception:  # a failed warm-up is logged by the server; the worker still serves
            conn.send(("warm-up failed", traceback.format_exc()))
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        conn.send(_answer(TASKS[message[0]], message[1], progress))


def _answer(task: Callable[[dict[str, Any], Callable[[str, float], None]], Any], payload: dict[str, Any],
            progress: Callable[[str, float], None]) -> tuple[Any, ...]:
    """The final message for one task: its result, the user's error, or a bug's traceback."""
    from lightdose.web.user_errors import describe, is_user_error

    try:
        return ("ok", task(payload, progress))
    except Exception as exc:
        if is_user_error(exc):
            return ("user", *describe(exc))
        return ("internal", type(exc).__name__, traceback.format_exc())


def _set_once(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    number: int


@dataclass
class WorkerPool:
    """`size` worker processes; :meth:`run` sends a task to a free one and awaits its result."""

    size: int
    warm: bool = True
    queue_limit_s: float = 30.0
    long_queue_limit_s: float = 600.0
    max_queue: int = 256
    startup_limit_s: float = 600.0
    _idle: asyncio.Queue[_Worker] = field(init=False)
    _long: asyncio.Semaphore = field(init=False)
    _waiting: int = field(default=0, init=False)
    _spawned: int = field(default=0, init=False)
    _closing: bool = field(default=False, init=False)
    _live: dict[int, _Worker] = field(default_factory=dict, init=False)
    _replacing: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    async def start(self) -> None:
        """Start the workers and wait until every one is warm."""
        self._idle = asyncio.Queue()
        self._long = asyncio.Semaphore(max(1, self.size - 1))  # long work leaves one worker to the explorer
        workers = await asyncio.wait_for(asyncio.gather(*(self._start_worker() for _ in range(self.size))),
                                         self.startup_limit_s)
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _start_worker(self) -> _Worker:
        parent, child = multiprocessing.Pipe()
        self._spawned += 1
        # a fresh interpreter that imports only lightdose (not the server's __main__, as multiprocessing's spawn
        # would), in its own session so that Ctrl-C in the terminal reaches the server alone, which stops it
        code = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); from lightdose.web.pool import "
                f"worker_main; worker_main({child.fileno()}, {self.warm!r})")
        source = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)}
        process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(child.fileno(),), env=env,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        child.close()
        worker = _Worker(process, parent, self._spawned)
        self._live[worker.number] = worker
        while True:
            message = await self._receive(worker, self.startup_limit_s)
            if message[0] == "ready":
                return worker
            if message[0] == "progress":
                continue
            log.error("worker %d: the warm-up failed (it still serves):\n%s", worker.number, message[1])

    async def _receive(self, worker: _Worker, timeout: float | None) -> tuple[Any, ...]:
        """The worker's next message, waiting at most `timeout` [s] (TimeoutError) without blocking the loop."""
        if not worker.conn.poll():
            loop = asyncio.get_running_loop()
            readable = loop.create_future()
            fd = worker.conn.fileno()
            loop.add_reader(fd, _set_once, readable)
            try:
                await asyncio.wait_for(readable, timeout)
            finally:
                loop.remove_reader(fd)
        message: tuple[Any, ...] = worker.conn.recv()
        return message

    async def run(self, task: str, payload: dict[str, Any], *, limit_s: float, long: bool = False,
                  progress: Callable[[str, float], None] | None = None) -> Any:
        """Run `task` on `payload` in a worker and return its result; `long` work (plans, comparisons) takes at
        most all workers but one, and may wait longer for one (`long_queue_limit_s`). Raises
        :class:`UserInputError`, :class:`TimeLimitError`, :class:`BusyError` or :class:`InternalError`."""
        if self._closing:
            raise BusyError("the server is shutting down")
        if self._waiting >= self.max_queue:
            raise BusyError(f"{self._waiting} requests are already waiting for a worker")
        self._waiting += 1
        wait_s = self.long_queue_limit_s if long else self.queue_limit_s
        acquired = False
        try:
            async with asyncio.timeout(wait_s):
                if long:
                    await self._long.acquire()
                    acquired = True
                worker = await self._idle.get()
        except TimeoutError:
            if acquired:
                self._long.release()
            raise BusyError(f"all {self.size} workers stayed busy for {wait_s:g} s") from None
        finally:
            self._waiting -= 1
        try:
            if worker.process.poll() is not None:  # it died while idle (killed from outside): take a fresh one
                log.error("worker %d had died (exit status %s); replacing it", worker.number, worker.process.returncode)
                self._replace(worker)
                try:
                    worker = await asyncio.wait_for(self._idle.get(), wait_s)
                except TimeoutError:
                    raise BusyError(f"all {self.size} workers stayed busy for {wait_s:g} s") from None
            return await self._run_on(worker, task, payload, limit_s, progress)
        finally:
            if long:
                self._long.release()

    async def _run_on(self, worker: _Worker, task: str, payload: dict[str, Any], limit_s: float,
                      progress: Callable[[str, float], None] | None) -> Any:
        finished = False
        try:
            try:
                worker.conn.send((task, payload))
            except (OSError, ValueError, pickle.PicklingError) as exc:
                log.error("sending %s to worker %d failed: %s", task, worker.number, type(exc).__name__)
                raise InternalError(f"worker {worker.number} could not take {task}") from None
            deadline = time.monotonic() + limit_s
            while True:
                try:
                    message = await self._receive(worker, max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    raise TimeLimitError(limit_s) from None
                except (EOFError, OSError, pickle.UnpicklingError) as exc:
                    log.error("worker %d died while running %s (%s; exit status %s)", worker.number, task,
                              type(exc).__name__, worker.process.poll())
                    raise InternalError(f"worker {worker.number} died while running {task}") from None
                if message[0] == "progress":
                    if progress is not None:
                        progress(message[1], message[2])
                    continue
                finished = True
                break
        finally:
            if finished:
                self._idle.put_nowait(worker)
            else:  # overran, died or abandoned (the request was cancelled): its state is unknown
                self._replace(worker)
        kind = message[0]
        if kind == "ok":
            return message[1]
        if kind == "user":
            raise UserInputError(message[1], message[2])
        log.error("internal error in %s (%s):\n%s", task, message[1], message[2])
        raise InternalError(f"{message[1]} in {task}")

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` and start a fresh one in its place (in the background)."""
        self._stop(worker)
        if self._closing:
            return
        task = asyncio.get_running_loop().create_task(self._replacement())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replacement(self) -> None:
        try:
            worker = await self._start_worker()
        except Exception:  # logged; the pool goes on with one worker fewer
            log.exception("a replacement worker failed to start")
            return
        if self._closing:
            self._stop(worker)
        else:
            self._idle.put_nowait(worker)

    def _stop(self, worker: _Worker) -> None:
        self._live.pop(worker.number, None)
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.process.poll() is None:
            worker.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)

    async def close(self) -> None:
        """Stop every worker (running work is abandoned)."""
        self._closing = True
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._live.values()):
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + 2.0
        for worker in list(self._live.values()):
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(worker.process.wait, max(0.0, deadline - time.monotonic()))
            self._stop(worker)


__all__ = ["BusyError", "ComputeError", "InternalError", "TimeLimitError", "UserInputError", "WorkerPool"]
