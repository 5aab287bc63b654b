"""The physics mutation check (`make mutate`): does the test suite fail when the physics is changed on purpose?

Each mutation of ``tools/mutations.yaml`` replaces one exact piece of text in one file by another — an error a
careful test should see (a coefficient 5–20 % off, a term on the wrong pathway) — in its own scratch copy of the
working tree. The suite then runs there, first the test files the mutation lists (``-x``) and, if they all pass, the
whole suite (``-x -q``), each under a time limit. A mutation is **killed** when a test fails, **survived** when the
whole suite passes. A kill counts only if the test that killed it fails again when run alone in the mutated copy and
passes in an unmutated scratch copy of the same tree: a test that fails without any mutation (someone's work in
progress) or only now and then (timing under load) is left out of the later runs instead, and the table names it.
Property-based tests run with a fixed seed, so they draw the same examples in every copy.

    .venv/bin/python tools/mutate.py                 # every mutation; the table at the end
    .venv/bin/python tools/mutate.py --only M1 --only M8-low
    .venv/bin/python tools/mutate.py --list          # the mutations and where each applies, without running them
    .venv/bin/python tools/mutate.py --keep          # keep each scratch copy (its path is printed)

The scratch copy holds the files git knows (tracked, and untracked ones that are not ignored) as they are in the
working tree, so uncommitted changes are included. It runs with ``PYTHONPATH=<copy>/src`` first on the path (the
virtual environment's editable install points at the repository's own ``src``; the script checks that the copy's
package is the one imported) and ``NUMBA_CACHE_DIR`` inside the copy, so numba compiles the mutated source afresh.
Mutations run one at a time. Exit status: 0 when every mutation is killed; 1 when one survives, runs out of time or
cannot be checked; 2 for a broken mutation list (text not found, or found more than once).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTATIONS = ROOT / "tools" / "mutations.yaml"
TARGETED_TIMEOUT_S = 900.0
"""Time limit of the listed test files [s]."""
SUITE_TIMEOUT_S = 1800.0
"""Time limit of the whole suite [s] (it takes ~4–6 min on a shared 2-core machine with a cold numba cache)."""
CONFIRM_TIMEOUT_S = 900.0
"""Time limit of re-running a killing test in an unmutated copy [s]."""
_SKIP_PARTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", "build",
               "dist"}
_FIRST_FAILURE = re.compile(r"^(FAILED|ERROR) (.+?)(?: - .*)?$", re.M)
SEED = 0
"""Hypothesis seed of every run (property-based tests draw the same examples in every copy)."""
MAX_RERUNS = 10
"""How many tests that fail without the mutation one stage may leave out before it gives up."""


@dataclass(frozen=True)
class Mutation:
    """One change of the physics: in `file`, the text `original` (found exactly once) becomes `replacement`."""

    id: str
    file: str
    original: str
    replacement: str
    breaks: str
    tests: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What the suite did with one mutation."""

    mutation: Mutation
    line: int
    status: str = "not run"
    """killed, survived, timeout or error (the suite could not run, or failed only in tests that fail without the
    mutation too)."""
    killed_by: str = ""
    stage: str = ""
    """Where it was killed: "listed" (the mutation's own test files) or "suite"."""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class MutationListError(ValueError):
    """tools/mutations.yaml is malformed, or a mutation's text is not found exactly once."""


def load_mutations(path: Path = MUTATIONS) -> list[Mutation]:
    """The mutations of `path`, each checked for its required fields (not yet for where its text occurs)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("mutations"), list):
        raise MutationListError(f"{path}: expected a mapping with a list `mutations`")
    mutations, seen = [], set()
    for i, raw in enumerate(data["mutations"]):
        where = f"{path.name}, mutation {i + 1}"
        if not isinstance(raw, dict):
            raise MutationListError(f"{where}: a mutation is a mapping")
        missing = {"id", "file", "original", "replacement", "breaks"} - set(raw)
        if missing:
            raise MutationListError(f"{where}: missing {sorted(missing)}")
        unknown = set(raw) - {"id", "file", "original", "replacement", "breaks", "tests"}
        if unknown:
            raise MutationListError(f"{where} ({raw['id']}): unknown keys {sorted(unknown)}")
        if raw["id"] in seen:
            raise MutationListError(f"{where}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if raw["original"] == raw["replacement"]:
            raise MutationListError(f"{where} ({raw['id']}): the replacement equals the original")
        tests = raw.get("tests") or []
        if not isinstance(tests, list):
            raise MutationListError(f"{where} ({raw['id']}): tests must be a list of test files")
        mutations.append(Mutation(id=str(raw["id"]), file=str(raw["file"]), original=str(raw["original"]),
                                  replacement=str(raw["replacement"]), breaks=" ".join(str(raw["breaks"]).split()),
                                  tests=tuple(str(t) for t in tests)))
    return mutations


def locate(mutation: Mutation, root: Path = ROOT) -> int:
    """The line (1-based) where the mutation's text starts in `root`; :class:`MutationListError` unless the file
    exists and holds the text exactly once, and every listed test file exists."""
    path = root / mutation.file
    if not path.is_file():
        raise MutationListError(f"{mutation.id}: no file {mutation.file}")
    text = path.read_text(encoding="utf-8")
    count = text.count(mutation.original)
    if count != 1:
        found = "not found" if count == 0 else f"found {count} times (make it longer, so that it is unique)"
        raise MutationListError(f"{mutation.id}: the original text is {found} in {mutation.file}: "
                                f"{mutation.original!r}")
    for test in mutation.tests:
        if not (root / test.split("::")[0]).exists():
            raise MutationListError(f"{mutation.id}: the listed test {test} does not exist")
    return text[: text.index(mutation.original)].count("\n") + 1


def working_tree_files(root: Path = ROOT) -> list[Path]:
    """The files of the working tree that git knows about (tracked, or untracked and not ignored), relative to
    `root`; without git, every file outside virtual environments, caches and build folders."""
    try:
        command = ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
        listed = subprocess.run(command, check=True, capture_output=True).stdout.decode("utf-8").split("\0")
        files = [Path(name) for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
    return sorted({f for f in files if not (_SKIP_PARTS & set(f.parts)) and (root / f).is_file()})


def make_copy(source: Path, files: list[Path], prefix: str) -> Path:
    """A scratch copy of `files` of `source` (modification times kept) in a new temporary folder."""
    scratch = Path(tempfile.mkdtemp(prefix=f"lightdose-mutate-{prefix}-"))
    for name in files:
        target = scratch / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target)
    return scratch


def apply(mutation: Mutation, scratch: Path) -> None:
    """Replace the mutation's text in the scratch copy (it must occur there exactly once)."""
    path = scratch / mutation.file
    text = path.read_text(encoding="utf-8")
    if text.count(mutation.original) != 1:
        raise MutationListError(f"{mutation.id}: the original text is not unique in the scratch copy")
    path.write_text(text.replace(mutation.original, mutation.replacement), encoding="utf-8")


def environment(scratch: Path) -> dict[str, str]:
    """The environment of a scratch run: the copy's package first on the path, its own numba cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(scratch / "src"), str(scratch)]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["NUMBA_CACHE_DIR"] = str(scratch / ".numba-cache")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def run(command: list[str], scratch: Path, timeout_s: float) -> tuple[int | None, str, float]:
    """Run `command` in `scratch`: (exit status or None after the time limit, output, seconds). On the limit the
    whole process group is stopped."""
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=scratch, env=environment(scratch), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout_s)
        status: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        status = None
    except BaseException:  # Ctrl-C or SIGTERM: stop the tests too, then let the caller clean up
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return status, output.decode("utf-8", "replace"), time.monotonic() - start


def imports_the_copy(scratch: Path) -> bool:
    """Whether Python started as the tests are finds the copy's lightdose (not the repository's)."""
    where = "import importlib.util; print(importlib.util.find_spec('lightdose').origin)"  # finds, does not run it
    status, output, _ = run([sys.executable, "-c", where], scratch, 300.0)
    return status == 0 and output.strip().splitlines()[-1].startswith(str(scratch))


def pytest_command(tests: list[str], deselect: set[str]) -> list[str]:
    """`python -m pytest -x -q` on `tests` (everything when empty), without the cache plugin (a fresh copy has none),
    with a fixed seed for the property-based tests (so that a test fails or passes the same way in every copy), and
    without the tests in `deselect`."""
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", f"--hypothesis-seed={SEED}",
            *tests, *(f"--deselect={node}" for node in sorted(deselect))]


def first_failure(output: str) -> str:
    """The node id of the first failed or erroring test in pytest's summary ('' if none is named)."""
    match = _FIRST_FAILURE.search(output)
    return match.group(2).strip() if match else ""


class Unmutated:
    """An unmutated scratch copy of the snapshot, in which a test that killed a mutation is run again: the kill counts
    only if the test passes there. Tests that fail without any mutation (someone else's work in progress, a
    machine-dependent test) are remembered and left out of the later runs, and reported."""

    def __init__(self, snapshot: Path, files: list[Path], keep: bool):
        self.scratch = make_copy(snapshot, files, "unmutated")
        self.keep = keep
        self.verdicts: dict[str, bool] = {}
        self.broken: set[str] = set()

    def passes(self, node: str) -> bool:
        """Whether the test `node` passes in the unmutated copy (each test run once, the answer kept)."""
        if node not in self.verdicts:
            status, _, seconds = run(pytest_command([node], set()), self.scratch, CONFIRM_TIMEOUT_S)
            self.verdicts[node] = status == 0
            if status != 0:
                self.broken.add(node)
                print(f"\n  {node} fails without the mutation too ({seconds:.0f} s): left out from now on",
                      end=" ", flush=True, file=sys.stderr)
        return self.verdicts[node]

    def close(self) -> None:
        if self.keep:
            print(f"unmutated scratch copy kept: {self.scratch}", file=sys.stderr)
        else:
            shutil.rmtree(self.scratch, ignore_errors=True)


def fails_again(node: str, scratch: Path) -> bool:
    """Whether the test `node` fails again when run alone in `scratch` (a failure that does not repeat comes from
    timing or load, not from the mutation)."""
    status, _, _ = run(pytest_command([node], set()), scratch, CONFIRM_TIMEOUT_S)
    return status != 0


def run_stage(outcome: Outcome, stage: str, tests: list[str], limit: float, scratch: Path, unmutated: Unmutated,
              log: Path | None) -> tuple[int | None, str, str]:
    """Run one stage (`tests`, or the whole suite when empty) in the mutated `scratch` copy until it passes, runs out
    of time or a test fails that fails again alone and passes in the `unmutated` copy; tests failing otherwise are
    left out and the stage runs again (at most :data:`MAX_RERUNS` times). Returns pytest's status (None after the time
    limit), its output and the failing test ('' if none)."""
    status, output, failed = None, "", ""
    for _ in range(MAX_RERUNS + 1):
        status, output, seconds = run(pytest_command(tests, unmutated.broken), scratch, limit)
        outcome.seconds += seconds
        if log is not None:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"\n===== {outcome.mutation.id} ({stage}) status {status} {seconds:.0f} s =====\n{output}")
        failed = first_failure(output) if status not in (0, None) else ""
        if not failed:
            break
        if not fails_again(failed, scratch):  # a test that fails only now and then is no kill
            unmutated.broken.add(failed)
            outcome.notes.append(f"{failed} failed once and passed when run again (left out)")
            continue
        if unmutated.passes(failed):
            break
        outcome.notes.append(f"{failed} fails without the mutation too (left out)")
    return status, output, failed


def check(mutation: Mutation, line: int, snapshot: Path, files: list[Path], unmutated: Unmutated, keep: bool,
          log: Path | None) -> Outcome:
    """Apply one mutation in its own scratch copy of `snapshot` and run the tests there: the listed test files, then
    the whole suite (:func:`run_stage`). A failing test kills the mutation if it fails again when run alone in the
    mutated copy and passes in the `unmutated` copy."""
    outcome = Outcome(mutation, line)
    scratch = make_copy(snapshot, files, mutation.id)
    try:
        apply(mutation, scratch)
        if not imports_the_copy(scratch):
            outcome.status = "error"
            outcome.notes.append("the scratch copy's lightdose is not the one imported")
            return outcome
        stages = ([("listed", list(mutation.tests), TARGETED_TIMEOUT_S)] if mutation.tests else [])
        stages.append(("suite", [], SUITE_TIMEOUT_S))
        for stage, tests, limit in stages:
            status, output, failed = run_stage(outcome, stage, tests, limit, scratch, unmutated, log)
            if status is None:
                outcome.status, outcome.stage = "timeout", stage
                outcome.notes.append(f"no result within {limit:.0f} s ({stage})")
                return outcome
            if status in (0, 5):  # 5: every listed test was left out
                continue
            if status in (1, 2) and failed and failed not in unmutated.broken and unmutated.passes(failed):
                outcome.status, outcome.killed_by, outcome.stage = "killed", failed, stage
            else:
                outcome.status, outcome.stage = "error", stage
                outcome.notes.append(f"pytest exited {status} without a test that fails only with the mutation: "
                                     f"{output[-400:]!r}")
            return outcome
        outcome.status = "survived"
        return outcome
    finally:
        if keep:
            outcome.notes.append(f"scratch copy kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def table(outcomes: list[Outcome]) -> str:
    """The outcomes as a Markdown table, and the kill rate."""
    lines = ["| id | file:line | result | first failing test | seconds |", "|---|---|---|---|---:|"]
    for o in outcomes:
        where = f"{o.mutation.file.removeprefix('src/lightdose/')}:{o.line}"
        killer = f"`{o.killed_by}`" + (" (suite)" if o.stage == "suite" else "") if o.killed_by else "—"
        note = f" ({'; '.join(o.notes)})" if o.notes and o.status != "killed" else ""
        lines.append(f"| {o.mutation.id} | `{where}` | {o.status}{note} | {killer} | {o.seconds:.0f} |")
    killed = sum(o.status == "killed" for o in outcomes)
    lines.append("")
    lines.append(f"Killed {killed} of {len(outcomes)} ({100.0 * killed / max(len(outcomes), 1):.0f} %).")
    return "\n".join(lines)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def select(path: Path, only: list[str] | None) -> tuple[list[Mutation], dict[str, int]]:
    """The mutations of `path` (those with an id in `only`, when given) and the line where each applies;
    :class:`MutationListError` for a broken list or an unknown id."""
    mutations = load_mutations(path)
    if only:
        unknown = sorted(set(only) - {m.id for m in mutations})
        if unknown:
            raise MutationListError(f"no mutation with id {', '.join(unknown)} in {path}")
        mutations = [m for m in mutations if m.id in only]
    return mutations, {m.id: locate(m) for m in mutations}


def check_all(mutations: list[Mutation], lines: dict[str, int], keep: bool,
              log: Path | None) -> tuple[list[Outcome], set[str], bool]:
    """Check every mutation against one snapshot of the working tree, one at a time: the outcomes, the tests left
    out, and whether the run was interrupted (Ctrl-C or SIGTERM; the scratch copies are removed either way)."""
    signal.signal(signal.SIGTERM, _interrupt)
    files = working_tree_files()
    snapshot = make_copy(ROOT, files, "snapshot")  # every mutant starts from the tree as it was at the start
    unmutated = Unmutated(snapshot, files, keep)
    outcomes = []
    try:
        for i, mutation in enumerate(mutations, 1):
            print(f"[{i}/{len(mutations)}] {mutation.id} {mutation.file}:{lines[mutation.id]} …", end=" ",
                  flush=True, file=sys.stderr)
            outcome = check(mutation, lines[mutation.id], snapshot, files, unmutated, keep, log)
            print(f"{outcome.status} {outcome.killed_by} ({outcome.seconds:.0f} s)", file=sys.stderr)
            outcomes.append(outcome)
    except KeyboardInterrupt:
        print("\ninterrupted: the table below holds the mutations checked so far", file=sys.stderr)
        return outcomes, unmutated.broken, True
    finally:
        unmutated.close()
        shutil.rmtree(snapshot, ignore_errors=True)
    return outcomes, unmutated.broken, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="ID", help="run this mutation only (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and where they apply, then stop")
    parser.add_argument("--keep", action="store_true", help="keep each scratch copy")
    parser.add_argument("--log", type=Path, help="append pytest's full output of every run to this file")
    parser.add_argument("--markdown", type=Path, help="also write the result table to this file")
    parser.add_argument("--mutations", type=Path, default=MUTATIONS, help=f"the mutation list (default {MUTATIONS})")
    args = parser.parse_args(argv)
    try:
        mutations, lines = select(args.mutations, args.only)
    except MutationListError as exc:
        print(f"mutate: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for m in mutations:
            print(f"{m.id:<21} {m.file}:{lines[m.id]}\n{'':22}{m.breaks}")
        return 0
    outcomes, left_out, interrupted = check_all(mutations, lines, args.keep, args.log)
    result = table(outcomes)
    if left_out:
        result += ("\n\nLeft out because they fail without any mutation, or fail and then pass when run again: "
                   + ", ".join(f"`{node}`" for node in sorted(left_out)) + ".")
    print(result)
    if args.markdown:
        args.markdown.write_text(result + "\n", encoding="utf-8")
    if interrupted:
        return 130
    return 0 if all(o.status == "killed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
