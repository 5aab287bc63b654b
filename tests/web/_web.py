"""Helpers of the web app's tests: the CLI in-process (its ``--json`` and its one-line errors for the same inputs as
a web request) and `lightdose serve` as a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from lightdose.cli import app as cli_app

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 600.0
"""Longest wait for a live server's workers to start and warm up (a busy 2-core CI machine)."""


_runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    """Run `lightdose ARGS` in-process: exit code, stdout, stderr."""
    result = _runner.invoke(cli_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def cli_json(*args: str):
    """The CLI's ``--json`` output for `args`, parsed."""
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def cli_error(*args: str) -> str:
    """The CLI's one-line message for `args` (which must be a user error: exit status 2), without "error: "."""
    code, out, err = cli(*args)
    assert code == 2, (code, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0].removeprefix("error: ")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lightdose_command() -> list[str]:
    """How to run the CLI of this environment as a subprocess."""
    script = Path(sys.executable).with_name("lightdose")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lightdose.cli"]


class LiveServer:
    """`lightdose serve` as a subprocess on a free loopback port."""

    def __init__(self, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        # output into files, not pipes: a pipe nobody reads while the server runs could fill and block it
        self.stdout = tempfile.TemporaryFile(mode="w+")
        self.stderr = tempfile.NamedTemporaryFile(mode="w+", prefix="lightdose-serve-", suffix=".log", delete=False)
        """The server's log (a bug's traceback goes there): kept after the tests, named by :attr:`log`."""
        self.process = subprocess.Popen([*lightdose_command(), "serve", "--port", str(self.port), "--workers",
                                         str(workers)], stdout=self.stdout, stderr=self.stderr, text=True, env=env,
                                        cwd=ROOT)

    @property
    def log(self) -> str:
        return self.stderr.name

    def discard_log_if_clean(self) -> None:
        """Delete the server's log unless it holds an error (then its path is worth reading)."""
        _, err = self.output()
        if self.process.returncode in (0, 130) and "error" not in err.lower().replace("interrupted", ""):
            Path(self.log).unlink(missing_ok=True)

    def output(self) -> tuple[str, str]:
        """What the server printed so far: stdout, stderr."""
        texts = []
        for stream in (self.stdout, self.stderr):
            stream.seek(0)
            texts.append(stream.read())
        return texts[0], texts[1]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out, err = self.output()
                raise RuntimeError(f"lightdose serve exited with {self.process.returncode}:\n{out}\n{err}")
            try:
                if httpx.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"lightdose serve did not answer within {STARTUP_S:g} s")

    def interrupt(self, timeout: float = 60.0) -> tuple[int, str, str]:
        """Ctrl-C: SIGINT, then its exit status and output."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return (self.process.returncode, *self.output())


def screenshot_folder(docs: Path, scratch: Path) -> Path:
    """Where the browser tests save their screenshots: the docs folder `docs` when LIGHTDOSE_SCREENSHOTS=1 (to
    refresh the docs' pictures), else `scratch`, so that `make test` leaves the working tree as it was."""
    folder = docs if os.environ.get("LIGHTDOSE_SCREENSHOTS") == "1" else scratch
    folder.mkdir(parents=True, exist_ok=True)
    return folder
