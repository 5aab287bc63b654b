"""`lightdose serve`: the web app (pages and the JSON API) on this computer."""

from __future__ import annotations

import ipaddress
import socket

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, err_console, user_errors_exit_cleanly

MAX_WORKERS = 32


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_free(host: str, port: int) -> None:
    """Refuse a port that is taken (before the workers are started), naming the option."""
    from lightdose.errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError("--port", f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another "
                                       "port with --port") from None


@app.command()
@user_errors_exit_cleanly
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Another than this computer's "
                                                         "loopback makes the app reachable by others: it has no "
                                                         "login yet."),
    port: int = typer.Option(8000, "--port", help="TCP port (1–65535)."),
    workers: int = typer.Option(2, "--workers", help=f"Worker processes that compute (1–{MAX_WORKERS}); one stays "
                                                     "free for the explorer while plans run."),
    demo: bool = typer.Option(False, "--demo", help="Records: a demo clinic of synthetic patients in the default "
                                                    "SQLite database, with a demo login printed (`make run`); "
                                                    "ignored when LIGHTDOSE_DATABASE_URL is set."),
) -> None:
    """Serve the web app: dose explorer, plan builder, comparison, libraries, device designer and the JSON API.

    Ctrl-C stops it. Not a medical device."""
    import uvicorn

    from lightdose.errors import InputError
    from lightdose.web.app import create_app
    from lightdose.web.settings import Settings

    if not 1 <= port <= 65535:
        raise InputError("--port", f"{port} is outside the allowed range 1–65535")
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError("--workers", f"{workers} is outside the allowed range 1–{MAX_WORKERS}")
    if not _loopback(host):
        err_console.print(f"[yellow]warning:[/] --host {escape(host)}: the web app is reachable from other "
                          "computers and has no login yet for its calculators and their API (the records ask for "
                          "one); anyone who reaches it can use them", highlight=False)
    _check_free(host, port)
    demo_password = None
    if demo:
        from lightdose.cli.records import prepare_demo

        demo_password = prepare_demo()
        if demo_password is None:
            err_console.print("--demo: LIGHTDOSE_DATABASE_URL names a real database; no demo data is created there",
                              highlight=False)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"lightdose web app: starting {workers} worker(s) and warming them up …", highlight=False)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                console.print(f"lightdose is ready: open http://{shown}:{port}/ (Ctrl-C stops it). Not a medical "
                              "device.", highlight=False)
                if demo_password is not None:
                    console.print(f"records demo (synthetic patients): http://{shown}:{port}/records — log in as "
                                  f"demo-clinician, demo-researcher or demo-admin with the password {demo_password}",
                                  highlight=False)

    names = (host, "127.0.0.1", "localhost", "[::1]", "::1") if _loopback(host) else None
    config = uvicorn.Config(create_app(Settings(workers=workers, allowed_hosts=names)), host=host, port=port,
                            access_log=False, log_level="warning", timeout_graceful_shutdown=5,
                            server_header=False)
    Server(config).run()
