"""Plans: scenarios, their plans and reports, the JSON Schema and the demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, user_errors_exit_cleanly
from lightdose.output_files import writable_path, write_output


def _plan_table(result: Any) -> None:
    """Print a plan's per-site summary and its sauna courses."""
    from rich.table import Table

    def num(value: float | None, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}g}"

    data = result.to_dict()
    if data["sites"]:
        table = Table(title=f"{data['name']}: plan per site (dose at the target, for the plan's person)")
        for column in ("site", "target", "device", "exposure [min]", "target dose [J/cm²]", "population median",
                       "target irradiance [mW/cm²]", "peak skin [°C]", "achievable", "limiting factor", "in window"):
            table.add_column(escape(column), overflow="fold")
        for s in data["sites"]:
            table.add_row(escape(s["label"]), s["target"], s["device"], num(s["exposure_min"]),
                          num(s["target_fluence_j_cm2"]), num(s["population_median_j_cm2"]),
                          num(s["target_irradiance_mw_cm2"]),
                          num(s["peak_skin_temp_c"], 4), "yes" if s["achievable"] else "[red]no[/]",
                          escape(s["limiting_factor"] or "–"),
                          "–" if s["coverage_in_window"] is None else f"{100 * s['coverage_in_window']:.0f} %")
        console.print(table)
        console.print(f"The plan's person is {escape(data['person']['made_for'])}.")
        for s in data["sites"]:
            console.print(f"{escape(s['label'])}: {escape(s['reason'])}")
    for c in data["saunas"]:
        table = Table(title=f"Sauna course in {c['device']}: {escape(c['reason'])}")
        for column in ("air [°C]", "session [min]", "peak core [°C]", "sweat [g]", "drink [mL]"):
            table.add_column(escape(column), justify="right")
        for r in c["sessions"]:
            table.add_row(num(r["air_temperature_c"]), num(r["minutes"]), num(r["peak_core_temp_c"], 4),
                          num(r["sweat_loss_g"]), num(r["drink_ml"]))
        console.print(table)
        for g in c["guidance"]:
            console.print(f"- {escape(g)}")
    console.print(f"Schedule: {escape(data['schedule']['description'])}. Evidence: "
                  + "; ".join(f"{e['topic']} ({e['level']})" for e in data["evidence"]))
    console.print("lightdose is not a medical device: this plan is a physical model estimate.")


@app.command()
@user_errors_exit_cleanly
def plan(
    scenario: str = typer.Argument(..., help="Scenario file (.yaml or .json); see `lightdose schema`."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the HTML report to this file."),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON instead of tables."),
) -> None:
    """A treatment plan: exposure per site, dose at the target, heating, limits, schedule and population coverage."""
    from lightdose.planning import plan as make_plan
    from lightdose.planning.report import write_report

    if output:
        writable_path(output, "--output")  # before the minutes of planning
    result = make_plan(scenario)
    if output:
        write_report(result, output, "--output")
    if json_output:
        sys.stdout.write(result.to_json() + "\n")
        return
    _plan_table(result)
    if output:
        console.print(f"Report written to {escape(output)}.")


@app.command()
@user_errors_exit_cleanly
def validate(scenario: str = typer.Argument(..., help="Scenario file (.yaml or .json).")) -> None:
    """Check a scenario file without planning: exit 0 and a one-line summary, or the error and exit 2."""
    from lightdose.planning import load_scenario

    checked = load_scenario(scenario)
    console.print(f"{escape(scenario)}: valid scenario '{escape(checked.name)}' with {len(checked.devices)} "
                  f"device placement(s) and {len(checked.sites)} site(s).")


@app.command()
@user_errors_exit_cleanly
def schema(output: str | None = typer.Option(None, "--output", "-o", help="Write the schema to this file.")) -> None:
    """The JSON Schema of scenario files."""
    from lightdose.planning import schema as scenario_schema

    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        write_output(output, text, "--output")
        console.print(f"Schema written to {escape(output)}.")
    else:
        sys.stdout.write(text)


@app.command()
@user_errors_exit_cleanly
def demo(
    out: str = typer.Option("out", "--out", help="Folder for the reports (created if missing)."),
    people: int | None = typer.Option(None, "--people", min=0, help="Virtual people per site (default: each file's)."),
) -> None:
    """Plan the bundled examples, write their HTML and JSON reports and an index, and print the page to open."""
    from lightdose.planning.demo import run_demo

    index = run_demo(Path(out), people=people, progress=lambda name: console.print(f"planning {escape(name)} ..."),
                     option="--out")
    console.print(f"Open {escape(str(index.resolve()))}")
