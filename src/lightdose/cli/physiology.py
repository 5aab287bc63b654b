"""`lightdose perfusion` and `lightdose compare`: skin perfusion during and after a session, and the device
comparison."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly
from lightdose.units import USER_INPUT


@app.command()
@user_errors_exit_cleanly
def perfusion(
    device: str = typer.Option(..., "--device", help="Light device or heating pad (see `lightdose devices`)."),
    site: str = options.SITE,
    time: str = options.TIME,
    after: str = typer.Option("60 min", "--after", help="Time followed after the device is removed, e.g. 4h."),
    distance: str = options.DISTANCE,
    skin_type: str = options.SKIN_TYPE,
    fat: str | None = options.FAT,
    bmi: float | None = options.BMI,
    neuropathy: bool = options.NEUROPATHY,
    dermal_blood: str | None = options.DERMAL_BLOOD,
    light_no: bool = typer.Option(False, "--light-no", help="Add the optional light-driven NO term (weak evidence)."),
    parameters: str = options.PARAMETERS,
    png: str | None = options.PNG,
    json_output: bool = options.JSON,
) -> None:
    """Skin perfusion (laser-Doppler, % of maximal CVC) during and after a session, coupled with bioheat."""
    from lightdose.physiology.session import PerfusionRequest, perfusion_session
    from lightdose.present.figures import png_path
    from lightdose.present.physiology import perfusion_json, plot_perfusion, print_perfusion

    png_file = png_path(png) if png else None
    request = PerfusionRequest.model_validate(
        {"placement": {"device": device, "distance": distance}, "site": site,
         "person": options.person(skin_type, fat, bmi, neuropathy, dermal_blood), "exposure": time, "after": after,
         "light_no": light_no, "parameters": parameters}, context=USER_INPUT)
    result = perfusion_session(request)
    if png_file:
        plot_perfusion(result, png_file)
    if json_output:
        print_json(perfusion_json(result))
        return
    print_perfusion(result, console)
    if png_file:
        console.print(f"Plot written to {png_file}.")


@app.command()
@user_errors_exit_cleanly
def compare(
    file: str = typer.Argument(..., help="Comparison YAML, e.g. examples/microcirculation-comparison.yaml."),
    png: str | None = options.PNG,
    json_output: bool = options.JSON,
) -> None:
    """Compare devices on one site: perfusion during and after each session, healthy and neuropathic."""
    from lightdose.physiology.compare import load_comparison, run_comparison
    from lightdose.present.figures import png_path
    from lightdose.present.physiology import comparison_json, plot_comparison, print_comparison

    png_file = png_path(png) if png else None
    result = run_comparison(load_comparison(file))
    if png_file:
        plot_comparison(result, png_file)
    if json_output:
        print_json(comparison_json(result))
        return
    print_comparison(result, console)
    if png_file:
        console.print(f"Plot written to {png_file}.")
