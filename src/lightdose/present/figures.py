"""What every plot shares: a matplotlib Figure without pyplot's global state, the not-a-medical-device footer, and
saving to a checked ``.png`` path or embedding as a data URI."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lightdose.errors import InputError
from lightdose.output_files import writable_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FOOTER = "lightdose — not a medical device; model estimate"


def png_path(path: str | Path, field: str = "--png") -> Path:
    """`path` once a PNG can be written there: a file name ending in .png in an existing, writable folder. Checked
    before the work that makes the plot; anything else is an :class:`InputError` naming `field`."""
    if Path(path).suffix.lower() != ".png":
        raise InputError(field, f"{str(path)!r} does not end in .png; allowed: a .png file name (the plot is a PNG)")
    return writable_path(path, field)


def new_figure(width: float = 8.0, height: float = 4.5, footer: str = FOOTER, dpi: int = 120) -> Figure:
    """An empty Figure (`width` × `height` inches) with the footer in its bottom-left corner."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    fig.text(0.01, 0.01, footer, fontsize=7, color="0.4")
    return fig


def save_png(fig: Figure, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """Write `fig` as PNG to a path or a binary file object; returns `target`."""
    fig.savefig(target, format="png")
    return target


def data_uri(fig: Figure) -> str:
    """`fig` as a ``data:image/png;base64,...`` URI (self-contained HTML reports)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
