"""Where sweeps run: a Dask cluster, started here or reached at an address.

- ``workers=N`` starts a :class:`distributed.LocalCluster` of N worker *processes* (one thread each) bound to
  loopback, and closes it afterwards;
- ``scheduler="tcp://host:port"`` (or the environment variable :data:`SCHEDULER_ENV`) connects to an existing
  scheduler (a cluster started with ``dask scheduler`` / ``dask worker``, dask-jobqueue, dask-kubernetes, ...) and
  leaves it running.

An address that cannot be reached is one :class:`~lightdose.errors.InputError` line, found before any work starts:
the address is parsed, the host resolved and a TCP connection tried (refused at once, or within
:data:`CONNECT_TIMEOUT_S`) before Dask's own client connects.

Workers run one task at a time per thread. The Monte Carlo kernel uses numba threads inside a task
(:func:`lightdose.transport.mc.runner.run_chunks`, one thread by default), so a worker is best started with
``--nthreads 1`` per process on machines that run Monte Carlo (docs/sweeps.md).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lightdose.errors import InputError

if TYPE_CHECKING:
    from distributed import Client, Future

SCHEDULER_ENV = "LIGHTDOSE_SCHEDULER"
"""Environment variable with the address of a Dask scheduler to use when neither workers nor a scheduler is given
on the command line."""
CONNECT_TIMEOUT_S = 10.0
"""How long to wait for a scheduler to answer [s]."""
MAX_LOCAL_WORKERS = 256
"""Most worker processes a local cluster may start."""
_TRIM = "MALLOC_TRIM_THRESHOLD_"
LOCAL_CLUSTER_CONFIG = {
    f"distributed.nanny.pre-spawn-environ.{_TRIM}": None,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask settings of a local cluster started here, measured on the 2-core benchmark machine (docs/benchmarks.md):

- glibc's own memory settings in the workers. Dask sets ``MALLOC_TRIM_THRESHOLD_`` in every worker so that freed
  memory goes back to the system at once; setting it also turns off glibc's adaptive threshold, so every array over
  128 kB is a fresh ``mmap`` whose pages fault in again: a dose cell took 15 ms on a worker (a quarter of it in the
  kernel) against 11 ms in one process. Unset, a worker is as fast as one process.
- no statistical profiler in the workers (it samples every task's stack every 10 ms), and each process's event-loop
  watchdog, system monitor and memory monitor polled every second or so instead of every 20–500 ms: idle, two
  workers and their client take about 0.02 of a core instead of 0.11.

The dashboard still works; its profile page stays empty and its CPU and memory plots update every 5 s. A worker
whose tasks leave much memory behind holds on to it longer (the memory limit still applies)."""
_ADDRESS = re.compile(r"^(?:(?P<protocol>tcp|tls)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class ClusterInfo:
    """What a sweep ran on: the scheduler's address, the workers and their threads, the dashboard (None when the
    scheduler serves none), and whether the cluster was started here."""

    address: str
    workers: int
    threads: int
    dashboard: str | None
    local: bool


def check_address(address: str, field: str = "--scheduler") -> tuple[str, str, int]:
    """(protocol, host, port) of a scheduler address ``tcp://host:port`` (the protocol may be left out; tls too).
    Anything else is an :class:`InputError` naming `field`."""
    text = address.strip()
    match = _ADDRESS.match(text)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise InputError(field, f"{address!r} is not a scheduler address; write it as tcp://HOST:PORT, e.g. "
                                "tcp://10.0.0.5:8786")
    return match["protocol"] or "tcp", match["host"].strip("[]"), int(match["port"])


def check_reachable(address: str, field: str = "--scheduler", timeout: float = CONNECT_TIMEOUT_S) -> str:
    """The address as Dask takes it (``tcp://host:port``), once a TCP connection to it has been opened and closed;
    an address that cannot be resolved or reached is an :class:`InputError` naming `field`."""
    protocol, host, port = check_address(address, field)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as exc:
        raise InputError(field, f"cannot reach the Dask scheduler at {address}: unknown host {host!r} "
                                f"({exc.strerror or exc})") from None
    except TimeoutError:
        raise InputError(field, f"cannot reach the Dask scheduler at {address}: no answer within {timeout:g} s") \
            from None
    except OSError as exc:
        raise InputError(field, f"cannot reach the Dask scheduler at {address}: {exc.strerror or exc}; is a "
                                "scheduler running there (`dask scheduler`)?") from None
    shown = f"[{host}]" if ":" in host else host
    return f"{protocol}://{shown}:{port}"


def resolve_target(workers: int | None, scheduler: str | None) -> tuple[int | None, str | None]:
    """The cluster to use: `workers` local processes, or a `scheduler` address (the command line's, else
    :data:`SCHEDULER_ENV`'s). Both given is an error; neither: (None, None), which callers read as "run here, in
    this process". Checks the values only (nothing is started or contacted)."""
    if workers is not None and scheduler:
        raise InputError("--workers", "give --workers (a local cluster) or --scheduler (an existing one), not both")
    if workers is not None and not 1 <= workers <= MAX_LOCAL_WORKERS:
        raise InputError("--workers", f"{workers} is outside the allowed range 1–{MAX_LOCAL_WORKERS} worker "
                                      "processes")
    if workers is None and not scheduler:
        scheduler = os.environ.get(SCHEDULER_ENV) or None
        if scheduler:
            check_address(scheduler, SCHEDULER_ENV)
            return None, scheduler
    if scheduler:
        check_address(scheduler)
    return workers, scheduler


def dashboard_available() -> bool:
    """Whether a local cluster can serve Dask's dashboard (it needs bokeh, which lightdose does not require)."""
    return importlib.util.find_spec("bokeh") is not None


def cluster_info(client: Client, local: bool) -> ClusterInfo:
    """The scheduler, workers and dashboard `client` is connected to."""
    info = client.scheduler_info()
    workers = info.get("workers", {})
    services = info.get("services", {})
    dashboard = client.dashboard_link if "dashboard" in services and (dashboard_available() or not local) else None
    address = str(info.get("address") or getattr(client.scheduler, "address", ""))
    return ClusterInfo(address=address, workers=len(workers),
                       threads=sum(int(w.get("nthreads", 1)) for w in workers.values()), dashboard=dashboard,
                       local=local)


def _same(value: object) -> object:
    return value


def shared(client: Client, value: object) -> Future[object]:
    """`value` held on the cluster for many tasks to use, sent once: as the result of a task rather than scattered
    data, so that if the worker holding it is lost the scheduler recomputes it instead of failing the tasks that
    need it."""
    return client.submit(_same, value, pure=False)


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """While local worker processes are started, SIGINT is ignored (main thread only): they inherit that, so Ctrl-C
    at a terminal, which reaches the whole process group, stops the client alone — it then closes the cluster
    cleanly — instead of printing a traceback from every worker."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None, *,
                timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Client]:
    """A :class:`distributed.Client` on `workers` new local worker processes, or on the scheduler at `scheduler`;
    the local cluster is closed (its processes ended) when the block ends, an existing one is left running. Exactly
    one of the two must be given (see :func:`resolve_target`)."""
    from distributed import Client, LocalCluster

    if (workers is None) == (scheduler is None):
        raise InputError("--workers", "give the number of local workers or a scheduler address")
    if scheduler is not None:
        address = check_reachable(scheduler, timeout=timeout)
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", f"cannot connect to the Dask scheduler at {scheduler}: "
                                            f"{' '.join(str(exc).split())[:200]}") from None
        try:
            yield client
        finally:
            client.close()
        return
    assert workers is not None
    import dask

    # a Dask cluster started earlier in this process leaves MALLOC_TRIM_THRESHOLD_ in os.environ (its nannies put
    # it there before spawning), which the workers would inherit: kept out while these start
    inherited = os.environ.pop(_TRIM, None)
    try:
        with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read when the scheduler, nannies and workers start
            with _workers_ignore_ctrl_c():
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            try:
                client = Client(cluster)
            except BaseException:
                cluster.close()
                raise
    finally:
        if inherited is not None:
            os.environ[_TRIM] = inherited
    try:
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


__all__ = ["CONNECT_TIMEOUT_S", "LOCAL_CLUSTER_CONFIG", "MAX_LOCAL_WORKERS", "SCHEDULER_ENV", "ClusterInfo",
           "check_address", "check_reachable", "cluster_info", "dask_client", "dashboard_available", "resolve_target",
           "shared"]
