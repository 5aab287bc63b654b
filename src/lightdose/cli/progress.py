"""Progress of long work on the terminal: one status line on stderr, shown once the work has run for
:data:`SHOW_AFTER_S` and updated at most every :data:`UPDATE_EVERY_S`; nothing at all with --json or when stderr is
not a terminal (piped, in CI), so output stays machine-readable."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.status import Status

SHOW_AFTER_S = 2.0
"""Work that ends sooner than this [s] shows no progress."""
UPDATE_EVERY_S = 0.1
"""How often the status line is updated [s]."""


class StatusLine:
    """A status line on `terminal`: call it with the text to show (it adds the time elapsed, and an estimate of the
    time left when given the share done)."""

    def __init__(self, terminal: Console):
        self.terminal = terminal
        self.started = self.shown = time.monotonic()
        self.status: Status | None = None

    def __call__(self, text: str, done: float | None = None) -> None:
        now = time.monotonic()
        if now - self.started < SHOW_AFTER_S or now - self.shown < UPDATE_EVERY_S:
            return
        self.shown = now
        elapsed = now - self.started
        left = f", about {elapsed * (1 - done) / done:.0f} s left" if done is not None and 0 < done < 1 else ""
        line = f"{escape(text)} ({elapsed:.0f} s{left})"
        if self.status is None:
            self.status = self.terminal.status(line)
            self.status.start()
        else:
            self.status.update(line)

    def stop(self) -> None:
        """Remove the line."""
        if self.status is not None:
            self.status.stop()


@contextmanager
def status_line(show: bool, terminal: Console) -> Iterator[StatusLine | None]:
    """A :class:`StatusLine` on `terminal` when `show` and it is a terminal, else None (quiet)."""
    if not (show and terminal.is_terminal):
        yield None
        return
    line = StatusLine(terminal)
    try:
        yield line
    finally:
        line.stop()
