"""Every ```python block in the user documentation runs as written (the docs stay true)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "optics.md", ROOT / "docs" / "dose.md", ROOT / "docs" / "thermal.md",
             ROOT / "docs" / "planning.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks():
    for document in DOCUMENTS:
        for i, code in enumerate(BLOCK.findall(document.read_text(encoding="utf-8"))):
            yield pytest.param(code, id=f"{document.name}-{i}")


@pytest.mark.parametrize("code", list(_blocks()))
def test_documented_example_runs(code, capsys):
    exec(compile(code, "<docs>", "exec"), {})
    assert capsys.readouterr().out  # every example prints something a reader can compare with
