"""Fuzzing the command line: every command, given any mix of valid, borderline and hostile values (wrong units, no
units, NaN, infinities, huge and negative numbers, unknown names, control characters, full-width digits, paths
that cannot be written, missing or repeated options), either answers — exit 0, finite numbers (``--json`` output
parsed with NaN and Infinity refused) — or refuses with one line on stderr and exit status 2. Never a traceback,
never exit 1 (the internal-error line, i.e. a bug), never a hang (an alarm per case).

Scenario files are fuzzed the same way: a shipped example with values replaced, keys dropped or retyped, written
in a random encoding, then given to ``lightdose validate`` and ``lightdose plan --json``.

``make test`` runs a few cases per command with short exposures; ``make fuzz`` (``HYPOTHESIS_PROFILE=long``) runs
thousands, with exposures up to the 4 h limit and follow-up up to 24 h. docs/robustness.md lists the input classes.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import signal
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lightdose.cli import app

LONG = os.environ.get("HYPOTHESIS_PROFILE", "default") in {"long", "fuzz"}
BUDGET_S = 600 if LONG else 180
"""Wall-clock budget of one case. The slowest valid cases (perfusion for 4 h under a panel at 1 cm, then 24 h of
follow-up, on a loaded two-core machine) take about 90 s; a case over budget is reported as a hang."""
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# ----------------------------------------------------------------------------------------------------- values

HOSTILE = ["", " ", "nan", "NaN mm", "inf", "-inf", "1e400", "-1e400", "1e-400", "0", "-0", "-1", "1e308", "abc",
           "10 parsec", "10 kg", "__import__('os')", "9**9**9", "((((1))))", "\x00", "\x1b[31m", "1,5", "١٠",
           "１０ min", "ﬁ", "\u202e10", "٣", "--json", "-h", "1" * 400, "é" * 70, "💡", "None", "true", "[1, 2]"]
"""Values no option accepts as written (a few are valid for some options: ``0`` for a distance)."""
Pool = tuple[list[str], list[str]]
"""An option's good values (accepted) and bad ones (refused: out of range, wrong unit, unknown name)."""

DEVICES = (["pad-890", "panel-630", "panel-660-850", "panel-940", "probe-810", "heating-pad-42", "sauna-infrared-60"],
           ["PAD-890", "pad 890", "../../etc/passwd", "pad-89"])
SITES = (["foot-dorsum", "ankle-medial", "ankle-lateral", "forefoot-plantar", "heel", "wrist", "elbow", "knee",
          "lower-back"], ["forefoot", "Heel", "heel\n"])
TISSUES = (["dermis", "epidermis-III", "subcutaneous-fat", "muscle", "bone", "blood"], ["Dermis", "dermiss", "skin"])
SHORT_TIMES = (["30 s", "1 min", "10min", "20 minutes", "0.5 h", "1e-3 s", "10 min "],
               ["0 s", "10", "-5 min", "nan min", "1e9 s", "5 mm", "10 °C", "4.1 h", "25 h"])
LONG_TIMES = (["4 h", "240 min", "24 h", "3.99h"], [])
DISTANCES = (["0", "0 mm", "0.01 mm", "2 mm", "1 cm", "15cm", "3 m", "1e-9 mm", "12 in", "1 ft"],
             ["3.1 m", "-1 cm", "inf mm", "5", "2 J"])
SKIN_TYPES = (["I", "II", "III", "IV", "V", "VI", "iii", "3"], ["VII", "0"])
FATS = (["5 mm", "0 mm", "0.1 mm", "40 mm", "2 cm"], ["-1 mm", "1 m"])
BMIS = (["25", "18.5", "40", "12", "80"], ["-3", "0", "1e308", "1000"])
BLOOD = (["1%", "0.01", "0.2 %", "10%", "0 %"], ["150%", "-1%"])
PAD_HEAT = (["0 mW/cm^2", "5mW/cm^2", "1 W/cm^2"], ["-1 mW/cm^2", "5", "5 mW", "0.05 W/mm^2"])
WAVELENGTHS = (["810nm", "810", "630 nm", "0.94 um", "400nm"], ["2000 nm", "0 nm", "1e6 nm", "-810nm", "810 mm"])
TEMPERATURES = (["37C", "44 degC", "45 °C", "60 C", "100C", "113 F", "318 K"],
                ["101 C", "1000C", "-300 C", "44", "44 J"])
AIRS = (["60C", "80 degC", "100 C", "10 C", "176 F", "353 K"], ["9 C", "200C", "60"])
HUMIDITY = (["20%", "0%", "100%", "0.2"], ["150%", "-5%", "50"])
POINTS = (["3", "21", "201"], ["2", "0", "-1", "1002", "1e3", "abc"])
PHOTONS = (["1000", "5000", "1"], ["0", "-1", "1e4", "abc"])
THREADS = (["1", "2"], ["0", "-1", "100000"])
MC_CASES = (["mcml-slab", "giovanelli", "gardner", "skin7-600", "absorbing-slab"], ["nope", ""])
PARAMETER_SETS = (["default", "default", "ex-vivo-optics"], ["nope", "../default", "default.yaml"])


JUNK_CHARACTERS = "0123456789 .,-+eE/^*()%°µμ²³·×−٣１ﬁ\x00\t\n\x1b\u202e\ud83dabcmnsWJKCh😀"
"""Characters that random junk values are made of: digits in several scripts, unit pieces, controls, a lone
surrogate."""


def _value(rng: random.Random, pool: Pool) -> str:
    """A value for an option: 85 % one of its good values, 8 % one of its bad ones, 7 % hostile or random junk; so
    that a good share of command lines (a third or more) get past validation and run the physics with borderline
    values."""
    good, bad = pool
    roll = rng.random()
    if roll < 0.85 or (roll < 0.93 and not bad):
        return rng.choice(good)
    if roll < 0.93:
        return rng.choice(bad)
    if roll < 0.98:
        return rng.choice(HOSTILE)
    return "".join(rng.choices(JUNK_CHARACTERS, k=rng.randint(1, 12)))


TIMES = (SHORT_TIMES[0] + LONG_TIMES[0], SHORT_TIMES[1]) if LONG else SHORT_TIMES


_PLACEMENT = {"--device": DEVICES, "--site": SITES, "--time": TIMES, "--distance": DISTANCES,
              "--skin-type": SKIN_TYPES, "--fat": FATS, "--bmi": BMIS, "--dermal-blood": BLOOD,
              "--parameters": PARAMETER_SETS}
COMMANDS: dict[str, tuple[dict[str, Pool], tuple[str, ...], list[str]]] = {
    # command → (options with their pools, required options, flags)
    "optics": ({"--wavelength": WAVELENGTHS, "--skin-type": SKIN_TYPES, "--parameters": PARAMETER_SETS},
               ("--wavelength",), []),
    "irradiance": ({"--distance": DISTANCES, "--points": POINTS}, ("--distance",), []),
    "depth-dose": ({**_PLACEMENT, "--solver": (["fast", "fast", "mc"], ["MC", "diffusion"]),
                    "--photons": PHOTONS, "--seed": (["1", "123"], ["-1", "2**70"]),
                    "--max-depth": (["60mm", "100 mm", "10 cm"], ["1 m", "0 mm"])},
                   ("--device", "--site", "--time"), ["--neuropathy"]),
    "penetration": ({**_PLACEMENT, "--solver": (["fast", "fast", "mc"], ["MC"]), "--photons": PHOTONS,
                     "--max-depth": (["60mm", "100 mm"], ["1 m", "0 mm"]),
                     "--dose-threshold": (["1 J/cm^2", "4J/cm2"], ["1", "0 J/cm^2", "5 W"])},
                    ("--device", "--site", "--time"), ["--neuropathy"]),
    "heat": ({**_PLACEMENT, "--pad-heat": PAD_HEAT, "--after": TIMES}, ("--device", "--site", "--time"),
             ["--neuropathy"]),
    "perfusion": ({**_PLACEMENT, "--after": TIMES}, ("--device", "--site", "--time"), ["--neuropathy", "--light-no"]),
    "sauna": ({"--air": AIRS, "--time": TIMES, "--rest": TIMES, "--humidity": HUMIDITY, "--radiant": AIRS,
               "--parameters": PARAMETER_SETS}, ("--air", "--time"), []),
    "burn": ({"--temperature": TEMPERATURES, "--time": TIMES, "--parameters": PARAMETER_SETS},
             ("--temperature", "--time"), []),
    "mc": ({"--case": MC_CASES, "--photons": PHOTONS, "--seed": (["1", "7"], []), "--threads": THREADS},
           ("--case",), []),
}
"""The commands fuzzed with options; the positional argument (tissue, device) comes from :data:`POSITIONAL`."""
POSITIONAL = {"optics": TISSUES, "irradiance": DEVICES}


def command_line(rng: random.Random) -> list[str]:
    """A command line: a command, its positional argument, options (each required one with probability 0.97, each
    other one 0.3), flags, sometimes junk in between; usually ``--json``."""
    name = rng.choice(sorted(COMMANDS))
    spec, required, flags = COMMANDS[name]
    argv = [name]
    if name in POSITIONAL and rng.random() < 0.95:
        argv.append(_value(rng, POSITIONAL[name]))
    for option, pool in spec.items():
        if rng.random() < (0.97 if option in required else 0.3):
            argv += [option, _value(rng, pool)]
    argv += [flag for flag in flags if rng.random() < 0.5]
    if rng.random() < 0.05:
        argv.insert(rng.randint(1, len(argv)), rng.choice(HOSTILE + ["--nope", "-x", "extra"]))
    if rng.random() < 0.85:
        argv.append("--json")
    return argv


# ------------------------------------------------------------------------------------------------------ oracle


class Hang(Exception):
    """A case ran over :data:`BUDGET_S`."""


@contextmanager
def time_budget(seconds: int) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread when the block runs longer than ``seconds`` (SIGALRM; POSIX)."""
    def _alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} in the JSON output")


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


NON_FINITE_WORD = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
"""Text the user wrote, echoed in quotes (a scenario named 'nan' is a name, not a number)."""


def check_answer(argv: list[str], cwd: Path) -> int:
    """Run one command line in the folder `cwd` and assert the contract: a finite answer (exit 0) or one error line
    (exit 2); returns the exit status."""
    runner = CliRunner()
    with chdir(cwd), time_budget(BUDGET_S):
        result = runner.invoke(app, argv, catch_exceptions=True)
    out, err = result.stdout, result.stderr
    shown = f"lightdose {' '.join(map(repr, argv))}\nexit {result.exit_code}\nstdout: {out[-2000:]}\nstderr: {err}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in out + err, shown
    if result.exit_code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), shown
        assert len(lines[0]) < 4000, shown  # every bad field once, values clipped; never a whole file
        return 2
    assert result.exit_code == 0, shown
    if "--json" in argv and "-h" not in argv and "--help" not in argv:
        payload = json.loads(out, parse_constant=_refuse_constant)
        assert _finite(payload), shown
    else:
        assert not NON_FINITE_WORD.search(QUOTED.sub("", out)), shown
    return 0


# -------------------------------------------------------------------------------------------------------- tests

SEEDS = st.integers(0, 2**63)
"""A case is built by Python's random generator from a seed that hypothesis draws (and reports when a case fails):
hypothesis' own draws favour edge values, which would make the probabilities above meaningless."""

FUZZ = settings(max_examples=2000 if LONG else 40, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@FUZZ
@given(seed=SEEDS)
def test_every_command_line_gets_an_answer_or_one_error_line(seed: int, tmp_path: Path) -> None:
    argv = command_line(random.Random(seed))
    note(f"argv = {argv!r}")
    event(f"{argv[0]}: exit {check_answer(argv, tmp_path)}")  # `--hypothesis-show-statistics` counts them


@pytest.mark.parametrize("path", ["/nonexistent/folder/plot.png", "/", "plot.txt", "plot\x00.png", "x" * 5000 + ".png"])
def test_an_unwritable_png_is_one_error_line(path: str, tmp_path: Path) -> None:
    check_answer(["heat", "--device", "pad-890", "--site", "heel", "--time", "1 min", "--png", path], tmp_path)


# ---------------------------------------------------------------------------------------------- scenario files

SCENARIOS = sorted(p for p in EXAMPLES.glob("*.yaml") if "comparison" not in p.name)
LEAVES: list[Any] = [None, True, 0, -1, 1e308, float("nan"), "nan", "", "0 cm", "-5 min", "10 parsec", "1e400 J/cm^2",
                     [], {}, [1, 2, 3], "x" * 300, "٣ min", 10**30, "III", "pad-890", "heel", 3.5]


def mutated_scenario(rng: random.Random) -> tuple[str, bytes]:
    """A shipped scenario with one to four leaves replaced, keys dropped or values wrapped in a list, written in a
    random encoding, sometimes truncated or with junk bytes at the end: (file name, bytes)."""
    path = rng.choice(SCENARIOS)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for _ in range(rng.randint(1, 4)):
        _mutate(rng, data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
    raw = text.encode(encoding, errors="replace")
    if rng.random() < 0.1:
        raw = raw[:rng.randint(0, len(raw))] + rng.randbytes(rng.randint(0, 8))
    return path.name, raw


def _mutate(rng: random.Random, node: Any) -> None:
    """Walk down a random path and replace, drop or wrap what is found there."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            return
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.7:
            node = child
            continue
        action = rng.choice(["replace", "replace", "drop", "wrap"])
        if action == "drop" and isinstance(node, dict):
            del node[key]
        elif action == "wrap":
            node[key] = [child]
        else:
            node[key] = rng.choice(LEAVES)
        return


@FUZZ
@given(seed=SEEDS)
def test_every_scenario_file_gets_an_answer_or_one_error_line(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    name, raw = mutated_scenario(rng)
    note(f"{name}: {raw[:3000]!r}")
    command = "plan" if LONG and rng.random() < 0.5 else "validate"  # make test: planning every mutant takes minutes
    path = tmp_path / name
    path.write_bytes(raw)
    argv = [command, str(path)] + (["--json"] if command == "plan" else [])
    event(f"{argv[0]}: exit {check_answer(argv, tmp_path)}")


# ---------------------------------------------------------------------------------------- .mci and LDF files

MCI_FILES = sorted((EXAMPLES.parent / "benchmarks" / "cases").glob("*.mci"))
LDF_FILES = sorted((EXAMPLES.parent / "tests" / "data" / "ldf").glob("*.[ct][sx][vt]"))
TOKENS = ["nan", "-1", "0", "1e400", "-1e400", "1e12", "1e9", "abc", "9**9", "", "１０", "0.5", "1,5", "inf", "2",
          "\x00", "1e-300", "99999999999999999999", "#", "A", "B", "x.mco"]
"""What a token of a file may be replaced with."""


def mutated_lines(rng: random.Random, text: str, cell: str) -> str:
    """`text` with one to five edits: a token (split at whitespace or the separator `cell`) replaced by one of
    :data:`TOKENS`, a line dropped, duplicated or swapped with its neighbour; sometimes cut short."""
    lines = text.splitlines()
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        action = rng.choice(["token", "token", "token", "drop", "duplicate", "swap"])
        if action == "token":
            parts = re.split(f"({re.escape(cell)})", lines[i])
            j = rng.randrange(0, len(parts), 2)
            parts[j] = rng.choice(TOKENS)
            lines[i] = "".join(parts)
        elif action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    if rng.random() < 0.1:
        lines = lines[:rng.randint(0, len(lines))]
    return "\n".join(lines) + "\n"


@FUZZ
@given(seed=SEEDS)
def test_every_mci_file_gets_an_answer_or_one_error_line(seed: int, tmp_path: Path) -> None:
    """A shipped .mci case with numbers, lines and tokens mutated, run with few photons."""
    rng = random.Random(seed)
    source = rng.choice(MCI_FILES)
    text = mutated_lines(rng, source.read_text(encoding="utf-8"), " ")
    path = tmp_path / source.name
    path.write_bytes(text.encode(rng.choice(["utf-8", "utf-16", "latin-1"]), errors="replace"))
    note(f"{source.name}: {text!r}")
    event(f"mc: exit {check_answer(['mc', str(path), '--photons', '300', '--threads', '1', '--json'], tmp_path)}")


@FUZZ
@given(seed=SEEDS)
def test_every_ldf_recording_gets_an_answer_or_one_error_line(seed: int, tmp_path: Path) -> None:
    """A shipped laser-Doppler export with cells, lines and separators mutated; analysed (and in ``make fuzz``
    sometimes fitted), with stimulus times given or taken from the markers."""
    rng = random.Random(seed)
    source = rng.choice(LDF_FILES)
    raw = source.read_bytes()
    original = raw.decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") or b"\xc2\xb0" in raw else raw.decode("cp1252")
    cell = next(sep for sep in ("\t", ";", ",") if sep in original.splitlines()[-1])
    text = mutated_lines(rng, original, cell)
    path = tmp_path / source.name
    path.write_bytes(text.encode(rng.choice(["utf-8", "utf-16", "cp1252"]), errors="replace"))
    argv = ["ldf", "analyse", str(path), "--json"]
    if rng.random() < 0.3:
        argv += ["--on", rng.choice(["10min", "600 s", "0 s", "-1 min", "99 h", "10"]),
                 "--off", rng.choice(["45min", "2700 s", "1 min", "99 h"])]
    if LONG and rng.random() < 0.2:
        argv.append("--fit")
    note(f"{source.name}: {argv!r}")
    event(f"ldf analyse: exit {check_answer(argv, tmp_path)}")
