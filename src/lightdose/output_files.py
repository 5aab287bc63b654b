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
    if "\x00" in str(path):
        raise InputError(field, f"{str(path)!r} contains a NUL character; allowed: a file name in an existing, "
                                "writable folder")
    out = Path(path)
    folder = out.parent
    try:
        is_folder, folder_exists = out.is_dir(), folder.is_dir()
    except OSError as exc:  # a name too long for the file system, a loop of links
        raise InputError(field, f"{str(path)[:80]!r}: {exc.strerror or exc}; allowed: a file name in an existing, "
                                "writable folder") from None
    if is_folder:
        raise InputError(field, f"{str(path)!r} is a folder; allowed: a file name in an existing, writable folder")
    if not folder_exists:
        raise InputError(field, f"{str(path)!r}: {str(folder)!r} is not an existing folder; allowed: a file name in an "
                                "existing, writable folder (create the folder first)")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InputError(field, f"{str(path)!r}: no permission to write there; allowed: a file name in an existing, "
                                "writable folder")
    return out


def write_output(path: str | Path, text: str, field: str) -> Path:
    """Write `text` (UTF-8) to `path` once :func:`writable_path` allows it; what the file system still refuses is
    an :class:`InputError` naming `field`."""
    out = writable_path(path, field)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(field, f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    return out


def output_folder(path: str | Path, field: str) -> Path:
    """Create the folder `path` (with its parents) to write into; a refusal is an :class:`InputError` naming
    `field`."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(field, f"cannot create the folder {str(path)!r}: {exc.strerror or exc}") from None
    return out
