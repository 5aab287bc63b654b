"""Reference values kept as data: the loader of tests/reference/*.yaml and the comparison that the one runner
(tests/validation/test_references.py) makes for every row. The format is described in tests/reference/README.md.

A row says what to compute (`quantity` with its `inputs`), what the reference is (`expected`: a value, a list of
values or a range `between: [a, b]`, in `unit`), how close lightdose must come (`tolerance`, with its `basis`) and
where the reference comes from (`kind`, `source`, `checked`). The model's compute function (registered in the runner
by the file's `model`) returns a pint quantity — and, for a Monte Carlo quantity, its standard error — and
:func:`check` decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pint
import yaml

from lightdose.units import ureg

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
"""Where the reference files live (tests/reference/)."""
KINDS = ("published", "independent-code", "self-snapshot")
"""Where a reference value comes from: a publication; another program (iadpython, MCML output files); or
lightdose's own stored output (a regression check, never called validation)."""
CHECKED = ("primary", "secondary")
"""How a published value was read: in the publication itself, or quoted by another one (to be verified)."""

_ROW_KEYS = {"id", "quantity", "inputs", "expected", "tolerance", "kind", "source", "checked", "calibration", "note"}
_TOLERANCE_KEYS = {"rel", "abs", "factor", "se", "basis"}


class ReferenceFormatError(ValueError):
    """A reference file breaks the format of tests/reference/README.md (the message names the file and row)."""


@dataclass(frozen=True)
class Tolerance:
    """How far a computed value may lie from the reference: `rel` (fraction of the reference, or of the nearest
    end of a range), `abs` (in the row's unit), `se` (that many standard errors of the computed value, known at run
    time) — added together — and `factor` (for positive quantities: from reference / factor to reference × factor,
    before the other terms widen it). `basis` says how the tolerance was derived."""

    basis: str
    rel: float = 0.0
    abs: float = 0.0
    se: float = 0.0
    factor: float | None = None

    def text(self) -> str:
        """The tolerance as people read it: '×/÷ 2.5', '1e-09 rel', '4 SE + 0.005 rel'."""
        parts = [f"×/÷ {self.factor:g}"] if self.factor else []
        parts += [f"{self.se:g} SE"] if self.se else []
        parts += [f"{self.rel:g} rel"] if self.rel else []
        parts += [f"{self.abs:g} abs"] if self.abs else []
        return " + ".join(parts)


@dataclass(frozen=True)
class Row:
    """One reference value (see tests/reference/README.md for each field)."""

    model: str
    id: str
    quantity: str
    inputs: dict[str, Any]
    unit: str
    low: np.ndarray
    """Lower end of the reference [unit] (equal to `high` for a value); one element per value of a list."""
    high: np.ndarray
    tolerance: Tolerance
    kind: str
    source: str
    checked: str | None
    calibration: bool
    note: str = ""
    scalar: bool = True

    @property
    def test_id(self) -> str:
        """The pytest id: 'burn:moritz-henriques-44C', with a regression check labelled so."""
        label = " (regression check)" if self.kind == "self-snapshot" else ""
        return f"{self.model}:{self.id}{label}"

    def reference_text(self) -> str:
        """The reference as people read it: '6 h', '0.2375–0.2381', '[0.1, 0.2] 1'."""
        def show(a: np.ndarray) -> str:
            return f"{a[0]:g}" if self.scalar else "[" + ", ".join(f"{v:g}" for v in a) + "]"
        value = show(self.low) if np.array_equal(self.low, self.high) else f"{show(self.low)}–{show(self.high)}"
        return f"{value} {self.unit}".rstrip()


@dataclass(frozen=True)
class Outcome:
    """A comparison: the computed value(s) in the row's unit, the accepted interval and whether it passed."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    passed: bool

    def text(self, row: Row) -> str:
        """'lightdose 4.04 h vs reference 6 h (accepted 2.4–15 h, ×/÷ 2.5; published, secondary)'."""
        def show(a: np.ndarray) -> str:
            return ", ".join(f"{v:.4g}" for v in a)
        verdict = "ok" if self.passed else "FAILED"
        where = f"{row.kind}, {row.checked}" if row.checked else row.kind
        fit = "; calibration row (used in the fit)" if row.calibration else ""
        return (f"{row.test_id}: lightdose {show(self.value)} {row.unit} vs reference {row.reference_text()} "
                f"(accepted {show(self.lower)} … {show(self.upper)} {row.unit}, {row.tolerance.text()}; {where}{fit})"
                f" {verdict}")


def _fail(where: str, message: str) -> ReferenceFormatError:
    return ReferenceFormatError(f"{where}: {message}")


def _tolerance(raw: Any, where: str) -> Tolerance:
    if not isinstance(raw, dict) or not raw.get("basis"):
        raise _fail(where, "tolerance must be a mapping with a `basis` saying how it was derived")
    unknown = set(raw) - _TOLERANCE_KEYS
    if unknown:
        raise _fail(where, f"unknown tolerance keys {sorted(unknown)}; allowed: {sorted(_TOLERANCE_KEYS)}")
    numbers = {k: raw[k] for k in ("rel", "abs", "se", "factor") if k in raw}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise _fail(where, f"tolerance {key} must be a non-negative number, got {value!r}")
    if "factor" in numbers and numbers["factor"] <= 1.0:
        raise _fail(where, f"tolerance factor must exceed 1, got {numbers['factor']!r}")
    if not any(numbers.values()):
        raise _fail(where, "tolerance needs at least one of rel, abs, se, factor")
    return Tolerance(basis=str(raw["basis"]), **{k: float(v) for k, v in numbers.items()})


def _expected(raw: Any, where: str) -> tuple[str, np.ndarray, np.ndarray, bool]:
    if not isinstance(raw, dict) or "unit" not in raw or ("value" in raw) == ("between" in raw):
        raise _fail(where, "expected must be {value: ..., unit: ...} or {between: [a, b], unit: ...}")
    unit = str(raw["unit"])
    try:
        ureg.Unit(unit)
    except (pint.errors.PintError, ValueError, AttributeError, TypeError):
        raise _fail(where, f"{unit!r} is not a unit") from None
    if "value" in raw:
        value = np.atleast_1d(np.asarray(raw["value"], dtype=float))
        low = high = value
        scalar = np.ndim(raw["value"]) == 0
    else:
        pair = np.asarray(raw["between"], dtype=float)
        if pair.shape[-1:] != (2,) or np.any(pair[..., 0] > pair[..., 1]):
            raise _fail(where, "between must be [low, high] (or a list of them) with low ≤ high")
        low, high = np.atleast_1d(pair[..., 0]), np.atleast_1d(pair[..., 1])
        scalar = pair.ndim == 1
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise _fail(where, "expected values must be finite numbers")
    return unit, low, high, scalar


def _row(model: str, raw: Any, where: str) -> Row:
    if not isinstance(raw, dict):
        raise _fail(where, "a row is a mapping")
    missing = {"id", "quantity", "inputs", "expected", "tolerance", "kind", "source"} - set(raw)
    if missing:
        raise _fail(where, f"missing {sorted(missing)}")
    unknown = set(raw) - _ROW_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    where = f"{where} ({raw['id']})"
    if raw["kind"] not in KINDS:
        raise _fail(where, f"kind must be one of {KINDS}, got {raw['kind']!r}")
    checked = raw.get("checked")
    if raw["kind"] == "published" and checked not in CHECKED:
        raise _fail(where, f"a published row says how it was read: checked must be one of {CHECKED}")
    if not isinstance(raw["inputs"], dict):
        raise _fail(where, "inputs must be a mapping")
    unit, low, high, scalar = _expected(raw["expected"], where)
    factor = raw["tolerance"].get("factor") if isinstance(raw["tolerance"], dict) else None
    if factor is not None and np.any(low <= 0.0):
        raise _fail(where, "a factor tolerance needs a positive reference")
    return Row(model=model, id=str(raw["id"]), quantity=str(raw["quantity"]), inputs=dict(raw["inputs"]), unit=unit,
               low=low, high=high, tolerance=_tolerance(raw["tolerance"], where), kind=raw["kind"],
               source=" ".join(str(raw["source"]).split()), checked=checked,
               calibration=bool(raw.get("calibration", False)), note=str(raw.get("note", "")), scalar=scalar)


def load(path: Path) -> list[Row]:
    """The rows of one reference file; :class:`ReferenceFormatError` names the file and row that break the format."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("model"), str) or not isinstance(data.get("rows"), list):
        raise _fail(path.name, "a reference file is a mapping with `model` (a name) and `rows` (a list)")
    rows = [_row(data["model"], raw, f"{path.name}, row {i + 1}") for i, raw in enumerate(data["rows"])]
    ids = [row.id for row in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise _fail(path.name, f"duplicate row ids {duplicates}")
    return rows


def all_rows(folder: Path = REFERENCE_DIR) -> Iterator[Row]:
    """Every row of every reference file in `folder`, file by file in name order."""
    for path in sorted(folder.glob("*.yaml")):
        yield from load(path)


def check(row: Row, computed: pint.Quantity, se: pint.Quantity | None = None) -> Outcome:
    """Compare a computed quantity (and its standard error, for a tolerance in SE) with the row's reference."""
    value = np.atleast_1d(np.asarray(computed.to(row.unit).magnitude, dtype=float))
    if value.shape != row.low.shape:
        raise ValueError(f"{row.test_id}: computed {value.size} values, the reference has {row.low.size}")
    tol = row.tolerance
    if tol.se and se is None:
        raise ValueError(f"{row.test_id}: the tolerance counts standard errors, but the computation gave none")
    sigma = np.zeros_like(value) if se is None else np.atleast_1d(np.asarray(se.to(row.unit).magnitude, float))
    lower = row.low / tol.factor if tol.factor else row.low.copy()
    upper = row.high * tol.factor if tol.factor else row.high.copy()
    lower = lower - (tol.abs + tol.rel * np.abs(row.low) + tol.se * sigma)
    upper = upper + (tol.abs + tol.rel * np.abs(row.high) + tol.se * sigma)
    passed = bool(np.all(np.isfinite(value)) and np.all((lower <= value) & (value <= upper)))
    return Outcome(value=value, lower=lower, upper=upper, passed=passed)
