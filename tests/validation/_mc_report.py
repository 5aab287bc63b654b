"""What the Monte Carlo validation tests share: the tolerance rule, the conservation check, and the record of every
comparison for docs/validation.md.

Tolerance rule. A result passes when its distance from the reference interval (the reference's own stated
uncertainty: the rounding of its printed digits, or its statistical error if it is itself a Monte Carlo) is at most
K combined standard errors. K follows from a stated false-alarm rate: if every seed were drawn anew, a correct kernel
should fail any of the ~COMPARISONS comparisons of tests/validation/test_mc_*.py with probability FALSE_ALARM
(Bonferroni, two-sided normal tails): K = z(1 - FALSE_ALARM / COMPARISONS / 2) ≈ 4.0.

Record. When the environment variable ``LIGHTDOSE_MC_REPORT`` names a file, every comparison appends one JSON line
there; ``python tests/validation/_mc_report.py FILE`` renders them as the Markdown tables of docs/validation.md.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections import defaultdict

import numpy as np
import xarray as xr
from scipy.stats import norm

FALSE_ALARM = 0.01
"""Chance that a correct kernel fails at least one MC validation comparison (all seeds redrawn)."""
COMPARISONS = 150
"""Upper bound on the number of comparisons in tests/validation/test_mc_*.py (references 14, adding-doubling 108,
invariants about 20)."""
K = float(norm.isf(FALSE_ALARM / COMPARISONS / 2.0))
"""Allowed distance in combined standard errors (≈ 4.0)."""


def scored_weight_deviation(ds: xr.Dataset) -> tuple[float, float]:
    """The raw weight scored per launched packet minus its expectation 1 - Rsp, and that difference in standard
    errors beyond the floating-point bound of the tallies' sums (each sum of m positive terms is exact to m·2^-53 of
    itself; m is at most the steps taken plus the escapes)."""
    expected = 1.0 - float(ds["rsp"])
    got, se = float(ds["scored_weight"]), float(ds["scored_weight_se"])
    additions = float(ds.attrs["photons"]) * (float(ds.attrs["steps_per_photon"]) + 2.0)
    rounding = np.finfo(float).eps * additions * got
    gap = max(abs(got - expected) - rounding, 0.0)
    return got - expected, (0.0 if gap == 0.0 else gap / se if se > 0.0 else math.inf)


def record(case: str, source: str, quantity: str, reference: str, value: float, se: float,
           deviation: float) -> None:
    """Append one measured comparison (no-op unless LIGHTDOSE_MC_REPORT is set); `deviation` in combined SE."""
    path = os.environ.get("LIGHTDOSE_MC_REPORT")
    if not path:
        return
    row = {"case": case, "source": source, "quantity": quantity, "reference": reference, "value": value,
           "se": se, "deviation": deviation}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def render(path: str) -> str:
    """Markdown tables, one per case, from a report file."""
    by_case: dict[str, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            by_case[row["case"]].append(row)
    out = []
    for case, rows in by_case.items():
        sources = list(dict.fromkeys(r["source"] for r in rows))
        out += [f"#### {case}", "", *(f"- {s}" for s in sources), "",
                "| quantity | reference | ours (± 1 SE) | deviation [SE] |", "|---|---:|---:|---:|"]
        for r in rows:
            small = 0.0 < r["se"] < 5e-6  # the conservation check: differences of order 1e-7
            value, se = (f"{r['value']:.1e}", f"{r['se']:.1e}") if small else (f"{r['value']:.5f}", f"{r['se']:.5f}")
            out.append(f"| {r['quantity']} | {r['reference']} | {value} ± {se} | {r['deviation']:.1f} |")
        out.append("")
    out.append(f"Pass: deviation ≤ K = {K:.2f} (false-alarm rate {FALSE_ALARM:g} over {COMPARISONS} comparisons).")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(sys.argv[1]))
