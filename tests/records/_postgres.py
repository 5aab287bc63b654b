"""A throwaway PostgreSQL cluster for the records' tests: initdb in a temporary folder, owned by an unprivileged
user when the tests run as root (initdb refuses root), listening on loopback only on a free port, with password
(SCRAM) authentication; stopped and removed at the end. No binaries → None, with the reason."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

UNPRIVILEGED = "nobody"
START_S = 120


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, /usr/local/bin, or Debian's /usr/lib/postgresql/*/bin
    (newest version first)."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates.append(Path("/usr/local/bin"))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                                           else 0, reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A running cluster: :attr:`url` is the superuser's URL of its `postgres` database."""

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.root = Path(tempfile.mkdtemp(prefix="lightdose-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.user = "lightdose"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", UNPRIVILEGED, "--"]
        os.chmod(self.root, 0o700)
        password_file = self.root / "pw"
        password_file.write_text(self.password + "\n")
        if self.as_user:
            os.chown(password_file, pwd.getpwnam(UNPRIVILEGED).pw_uid, -1)
        self._run("initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={password_file}",
                  "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync")
        password_file.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='{self.root}' "
                   "-c fsync=on -c max_connections=100 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "-t",
                  str(START_S), "start")
        self.url = f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.binaries / program), *args], check=True, capture_output=True,
                       timeout=START_S, cwd=self.root)

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> tuple[Cluster | None, str | None]:
    """A started cluster, or None and why not."""
    binaries = find_binaries()
    if binaries is None:
        return None, ("no PostgreSQL binaries (initdb, pg_ctl) on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin "
                      "(apt-get install postgresql): PostgreSQL parametrisations skipped")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return None, "running as root without runuser: initdb cannot run as an unprivileged user; skipped"
    try:
        return Cluster(binaries), None
    except subprocess.CalledProcessError as exc:
        return None, f"PostgreSQL did not start: {exc.stderr.decode(errors='replace')[-500:]}"


def wait_for(predicate, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
