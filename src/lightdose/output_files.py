"""Files the command line writes (plots, reports): checked before the work that produces them, so that a path that
cannot be written is a one-line user error (:class:`~lightdose.errors.InputError`), not a traceback at the end."""

from __future__ import annotations

import os
from pathlib import Path

from lightdose.errors import InputError


def writable_path(path: str | Path, field: str) -> Path:
    """`path` as a :class:`Path` once a file can be written there: its folder exists and is writable, and it is not
    itself a folder (an existing file is overwritten). Creates nothing. `field` names the option in the error
    (e.g. ``"--png"``)."""
    out = Path(path)
    folder = out.parent
    if out.is_dir():
        raise InputError(field, f"{str(path)!r} is a folder; allowed: a file name in an existing, writable folder")
    if not folder.is_dir():
        raise InputError(field, f"{str(path)!r}: {str(folder)!r} is not an existing folder; allowed: a file name in an "
                                "existing, writable folder (create the folder first)")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InputError(field, f"{str(path)!r}: no permission to write there; allowed: a file name in an existing, "
                                "writable folder")
    return out
