"""Every ```python block in docs/devices.md runs as written and prints something."""

import re
from pathlib import Path

import pytest

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "devices.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOCUMENT.read_text(encoding="utf-8"), re.DOTALL)


def test_the_document_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"devices.md-{i}" for i in range(len(BLOCKS))])
def test_documented_example_runs(code, capsys):
    exec(compile(code, "<docs/devices.md>", "exec"), {})
    assert capsys.readouterr().out
