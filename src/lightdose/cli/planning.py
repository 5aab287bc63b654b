"""Plans: `plan`, `validate`, `schema` and `demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape

from lightdose.cli import options
from lightdose.cli.app import app, console, err_console, print_json, user_errors_exit_cleanly
from lightdose.cli.progress import status_line
from lightdose.output_files import writable_path, write_output


@app.command()
@user_errors_exit_cleanly
def plan(
    scenario: str = typer.Argument(..., help="Scenario file (.yaml or .json); see `lightdose schema`."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the HTML report to this file."),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON instead of tables."),
    uncertainty: int = options.UNCERTAINTY,
    seed: int = typer.Option(1, "--seed", help="Random seed for --uncertainty."),
    workers: int | None = options.WORKERS,
    scheduler: str | None = options.SCHEDULER,
) -> None:
    """A treatment plan: exposure per site, dose at the target, heating, limits, schedule and population coverage.

    With --workers or --scheduler the virtual people's doses are computed on a Dask cluster (the same plan, to the
    last bit): for populations of 10⁵–10⁶ people."""
    from lightdose.planning import load_scenario
    from lightdose.planning import plan as make_plan
    from lightdose.planning.coverage import doses_here
    from lightdose.present.plan import plan_json, print_plan
    from lightdose.present.report import write_report
    from lightdose.sweep.cluster import resolve_target
    from lightdose.sweep.coverage import dask_people_doses

    options.check_spread(uncertainty)
    n_workers, address = resolve_target(workers, scheduler)
    if output is not None:
        writable_path(output, "--output")  # before the minutes of planning
    request = load_scenario(scenario)
    with status_line(not json_output, err_console) as line:
        progress = None if line is None else (
            lambda what, share: line(f"planning {what}: {100 * share:.0f} % of the plan", share))
        if n_workers is None and address is None:
            result = make_plan(request, progress=progress, people_doses=doses_here)
        else:
            with options.cluster(n_workers, address, json_output) as client:
                result = make_plan(request, progress=progress, people_doses=dask_people_doses(client))
    spread = options.spread(result.scenario, uncertainty, seed, json_output, [site.label for site in result.sites])
    if output is not None:
        write_report(result, output, "--output")
    if json_output:
        sys.stdout.write(json.dumps(plan_json(result) | options.spread_json(spread), indent=2, ensure_ascii=False)
                         + "\n")
        return
    print_plan(result, console)
    options.print_spread(spread, json_output)
    if output is not None:
        console.print(f"Report written to {escape(output)}.")


@app.command()
@user_errors_exit_cleanly
def validate(
    scenario: str = typer.Argument(..., help="Scenario file (.yaml or .json)."),
    json_output: bool = options.JSON,
) -> None:
    """Check a scenario file without planning: exit 0 and a one-line summary, or the error and exit 2."""
    from lightdose.planning import load_scenario
    from lightdose.present.plan import validation_json

    checked = load_scenario(scenario)
    if json_output:
        print_json(validation_json(scenario, checked))
        return
    console.print(f"{escape(scenario)}: valid scenario '{escape(checked.name)}' with {len(checked.devices)} "
                  f"device placement(s) and {len(checked.sites)} site(s).")


@app.command()
@user_errors_exit_cleanly
def schema(
    output: str | None = typer.Option(None, "--output", "-o", help="Write the schema to this file."),
    json_output: bool = typer.Option(False, "--json", help="Print the schema as JSON (the default; for symmetry with "
                                                           "the other commands)."),
) -> None:
    """The JSON Schema of scenario files."""
    from lightdose.planning import schema as scenario_schema

    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        write_output(output, text, "--output")
        if json_output:
            print_json({"schema_written_to": output})
        else:
            console.print(f"Schema written to {escape(output)}.")
    else:
        sys.stdout.write(text)


@app.command()
@user_errors_exit_cleanly
def demo(
    out: str = typer.Option("out", "--out", help="Folder for the reports (created if missing)."),
    people: int | None = typer.Option(None, "--people", help="Virtual people per site, 0–100000 (default: each "
                                                             "file's)."),
    json_output: bool = options.JSON,
) -> None:
    """Plan the bundled examples, write their HTML and JSON reports and an index, and print the page to open."""
    from lightdose.errors import InputError
    from lightdose.present.demo import run_demo

    if not out.strip():
        raise InputError("--out", "empty; allowed: a folder name, e.g. 'out'")
    if people is not None and not 0 <= people <= 100_000:
        raise InputError("--people", f"{people} is outside the allowed range 0–100000")
    progress = None if json_output else (lambda name: console.print(f"planning {escape(name)} ..."))
    index = run_demo(Path(out), people=people, progress=progress, option="--out")
    if json_output:
        print_json({"index": str(index.resolve())})
    else:
        console.print(f"Open {escape(str(index.resolve()))}")
