"""`lightdose demo`: plan the bundled example scenarios and write their reports and an index page.

The examples ship inside the package (``lightdose/data/examples/*.yaml``, so an installed lightdose finds them);
the repository's ``examples/`` folder links to them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from lightdose.output_files import output_folder, writable_path, write_output
from lightdose.planning.plan import Plan, plan
from lightdose.planning.scenario import Scenario, scenario_from_text
from lightdose.present.plan import plan_json_text
from lightdose.present.report import write_report
from lightdose.present.text import minutes
from lightdose.units import j_cm2


def example_files() -> dict[str, str]:
    """The bundled example scenarios: file name → YAML text, alphabetical."""
    folder = resources.files("lightdose.data").joinpath("examples")
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)
    return {e.name: e.read_text(encoding="utf-8") for e in entries}


def _headline(result: Plan) -> str:
    parts = []
    for s in result.sites:
        dose = "" if s.target_fluence is None else f", {j_cm2(s.target_fluence):.2g} J/cm² at the target"
        verdict = s.verdict + (f" ({s.limiting_factor})" if s.limiting_factor else "")
        parts.append(f"{s.label}: {minutes(s.exposure_s)}{dose}, {verdict}")
    for c in result.saunas:
        parts.append(f"sauna: {c.reason}")
    return "; ".join(parts)


def run_demo(out: Path, people: int | None = None, progress: Callable[[str], None] | None = None,
             option: str = "out") -> Path:
    """Plan every bundled example (with `people` virtual people per site if given), write ``NAME.html`` and
    ``NAME.json`` into `out` and an ``index.html`` linking them; return the index's path. A folder that cannot be
    created or written is an :class:`~lightdose.errors.InputError` naming `option`."""
    out = output_folder(out, option)
    writable_path(out / "index.html", option)
    rows = []
    for name, text in example_files().items():
        if progress:
            progress(name)
        scenario: Scenario = scenario_from_text(text, name)
        if people is not None:
            scenario = scenario.model_copy(update={"coverage": scenario.coverage.model_copy(update={"people": people})})
        result = plan(scenario)
        stem = name.removesuffix(".yaml")
        write_report(result, out / f"{stem}.html", option)
        write_output(out / f"{stem}.json", plan_json_text(result) + "\n", option)
        rows.append(f'<li><a href="{stem}.html">{html.escape(result.scenario.name)}</a> '
                    f'(<a href="{stem}.json">JSON</a>): {html.escape(_headline(result))}</li>')
    return write_output(
        out / "index.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">"
        "<title>lightdose demo</title></head>\n<body style=\"font-family: system-ui, sans-serif; max-width: 900px; "
        "margin: 2em auto\">\n<h1>lightdose demo: the bundled example plans</h1>\n<p><strong>Not a medical device."
        "</strong> Physical model estimates; each report states its evidence level.</p>\n<ul>\n"
        + "\n".join(rows) + "\n</ul>\n</body></html>\n", option)
