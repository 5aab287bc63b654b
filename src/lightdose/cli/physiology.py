"""`lightdose perfusion` and `lightdose compare`: skin perfusion during and after a session, and the device
comparison."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, show, user_errors_exit_cleanly
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
    fields = options.placed_on_person(device, distance, site, time, parameters, skin_type, fat, bmi, neuropathy,
                                      dermal_blood)
    result = perfusion_session(PerfusionRequest.model_validate(fields | {"after": after, "light_no": light_no},
                                                               context=USER_INPUT))
    show(result, as_json=perfusion_json, printed=print_perfusion, plot=plot_perfusion, png_file=png_file,
         json_output=json_output)


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
    show(result, as_json=comparison_json, printed=print_comparison, plot=plot_comparison, png_file=png_file,
         json_output=json_output)
