"""Body-site presets: ``lightdose.anatomy.sites.get("ankle-medial")`` → a :class:`LayerStack` with its targets.

The presets live in ``lightdose/data/sites.yaml`` with their sources.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources

import yaml

from lightdose.anatomy.stack import LayerStack
from lightdose.errors import InputError


@cache
def _library() -> dict[str, LayerStack]:
    text = resources.files("lightdose.data").joinpath("sites.yaml").read_text(encoding="utf-8")
    return {name: LayerStack(name=name, **fields) for name, fields in yaml.safe_load(text).items()}


def names() -> list[str]:
    """Names of the body-site presets."""
    return list(_library())


def get(name: str) -> LayerStack:
    """The body-site preset called `name`; an unknown name lists the valid ones."""
    library = _library()
    if name not in library:
        close = difflib.get_close_matches(name, list(library), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError("site", f"unknown body site {name!r}.{hint} Known sites: {', '.join(library)}")
    return library[name]
