"""Record the Monte Carlo validation tests' measured values for docs/validation.md.

When the environment variable ``LIGHTDOSE_MC_REPORT`` names a file, every comparison made by the MC
validation tests appends one JSON line there. ``python tests/validation/_mc_report.py FILE`` renders them
as the Markdown tables of docs/validation.md.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict


def record(case: str, source: str, quantity: str, reference: str, value: float, se: float,
           tolerance: str) -> None:
    """Append one measured comparison (no-op unless LIGHTDOSE_MC_REPORT is set)."""
    path = os.environ.get("LIGHTDOSE_MC_REPORT")
    if not path:
        return
    row = {"case": case, "source": source, "quantity": quantity, "reference": reference, "value": value,
           "se": se, "tolerance": tolerance}
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
        out += [f"### {case}", "", f"Source: {rows[0]['source']}", "",
                "| quantity | reference | ours (± 1 SE) | tolerance |", "|---|---:|---:|---|"]
        for r in rows:
            out.append(f"| {r['quantity']} | {r['reference']} | {r['value']:.5f} ± {r['se']:.5f} | "
                       f"{r['tolerance']} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(sys.argv[1]))
