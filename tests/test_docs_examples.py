"""Every ```python block of README.md and docs/*.md runs as written (the docs stay true).

The documents are discovered, not listed: a new page's examples run as soon as it is written. Each block runs in
a fresh namespace, in a scratch folder that sees the repository's top-level files and folders (so that
``tests/data/ldf/...`` is found and ``save(ds, "gardner.nc")`` writes no file into the checkout), and must print
something a reader can compare with. A block that is not meant to run (a fragment, a sketch of an API to come)
opts out with an HTML comment, invisible on the rendered page, on the line before its fence::

    <!-- not-run: why -->
    ```python
    ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.*?)\s*-->\s*$")

SILENT = {
    "docs/architecture.md-1": "shows the shape of a stage with bare expressions; its owner is to print the two "
                              "values or mark the block not-run",
}
"""Blocks that run but print nothing yet (to be fixed in the document, then deleted here)."""


@dataclass(frozen=True)
class Block:
    document: Path
    number: int  # 1-based, within the document
    line: int  # of the first code line, 1-based
    code: str
    not_run: str | None  # the reason, for a block that opts out

    @property
    def id(self) -> str:
        return f"{self.document.relative_to(ROOT).as_posix()}-{self.number}"


def blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    found = []
    for number, match in enumerate(FENCE.finditer(text), start=1):
        before = [line for line in text[: match.start()].splitlines() if line.strip()]
        opt_out = NOT_RUN.search(before[-1]) if before else None
        found.append(Block(document, number, text.count("\n", 0, match.start(1)) + 1, match.group(1),
                           None if opt_out is None else opt_out["reason"]))
    return found


ALL = [block for document in DOCUMENTS for block in blocks(document)]


def test_examples_are_found():
    assert any(b.document.name == "README.md" for b in ALL), "README.md has no ```python block"
    assert len({b.document for b in ALL}) >= 5, [b.id for b in ALL]
    missing = [b.id for b in ALL if b.not_run is not None and not b.not_run]
    assert not missing, f"a not-run comment gives no reason: {missing}"


@pytest.mark.parametrize("block", [b for b in ALL if b.not_run is None], ids=lambda b: b.id)
def test_documented_example_runs(block, tmp_path, monkeypatch, capsys):
    for entry in ROOT.iterdir():  # the repository's files, seen from a scratch folder
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    monkeypatch.chdir(tmp_path)
    code = "\n" * (block.line - 1) + block.code  # tracebacks give the document's own line numbers
    exec(compile(code, str(block.document), "exec"), {"__name__": "__main__"})  # as a reader would run it
    if block.id not in SILENT:
        assert capsys.readouterr().out.strip(), f"{block.id} prints nothing a reader could compare with"


def test_silent_blocks_are_still_silent():
    """An entry of SILENT whose block now prints (or is gone, or opts out) is to be deleted from SILENT."""
    runnable = {b.id for b in ALL if b.not_run is None}
    gone = sorted(set(SILENT) - runnable)
    assert not gone, f"delete from SILENT: {gone}"
    for block in (b for b in ALL if b.id in SILENT):
        assert "print(" not in block.code, f"{block.id} prints now: delete it from SILENT"


def test_a_block_opts_out_with_a_comment_on_the_line_before(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n<!-- not-run: needs a licence key -->\n```python\nimport secret\n```\n\nText.\n\n"
                    "```python\nprint(1)\n```\n\n<!-- not-run: -->\n```python\nx\n```\n", encoding="utf-8")
    found = blocks(page)
    assert [(b.number, b.line, b.code, b.not_run) for b in found] == [
        (1, 5, "import secret\n", "needs a licence key"), (2, 11, "print(1)\n", None), (3, 16, "x\n", "")]
