"""Heat: skin and tissue temperature during a session, and the whole body in a sauna."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, console, print_json, show, user_errors_exit_cleanly
from lightdose.units import USER_INPUT


@app.command()
@user_errors_exit_cleanly
def heat(
    device: str = typer.Option(..., "--device", help="Light device or heating pad (see `lightdose devices`)."),
    site: str = options.SITE,
    time: str = options.TIME,
    distance: str = options.DISTANCE,
    skin_type: str = options.SKIN_TYPE,
    fat: str | None = options.FAT,
    bmi: float | None = options.BMI,
    neuropathy: bool = options.NEUROPATHY,
    dermal_blood: str | None = options.DERMAL_BLOOD,
    pad_heat: str = typer.Option("0 mW/cm^2", "--pad-heat", help="Measured waste heat of a contact LED pad into the "
                                                                 "skin, e.g. 5mW/cm^2; replaces the device's own heat "
                                                                 "model (0: keep it)."),
    after: str = typer.Option("0 min", "--after", help="Time followed after the device is removed, e.g. 30min."),
    parameters: str = options.PARAMETERS,
    png: str | None = options.PNG,
    json_output: bool = options.JSON,
) -> None:
    """Skin and tissue temperature during a session (Pennes bioheat), burn dose and time above 43 °C."""
    from lightdose.present.figures import png_path
    from lightdose.present.thermal import heat_json, plot_heat, print_heat
    from lightdose.thermal.session import HeatRequest, heat_session

    png_file = png_path(png) if png else None
    fields = options.placed_on_person(device, distance, site, time, parameters, skin_type, fat, bmi, neuropathy,
                                      dermal_blood)
    fields["placement"]["pad_heat"] = pad_heat
    result = heat_session(HeatRequest.model_validate(fields | {"after": after}, context=USER_INPUT))
    show(result, as_json=heat_json, printed=print_heat, plot=plot_heat, png_file=png_file, json_output=json_output)


@app.command()
@user_errors_exit_cleanly
def sauna(
    air: str = typer.Option(..., "--air", help="Cabin air temperature, e.g. 60C (10–100 °C)."),
    time: str = typer.Option(..., "--time", help="Time in the cabin, with its unit, e.g. 15min."),
    rest: str = typer.Option("0 min", "--rest", help="Rest afterwards in a 24 °C, 50 % room, e.g. 30min."),
    humidity: str | None = typer.Option(
        None, "--humidity", help="Cabin relative humidity, e.g. 10% (default 20 %). The cabin must let sweat "
                                 "evaporate: at most 24.9 % at 70 °C, 16.4 % at 80 °C, 11.0 % at 90 °C, 7.6 % at "
                                 "100 °C."),
    radiant: str | None = typer.Option(None, "--radiant", help="Mean radiant temperature (default: the air's)."),
    parameters: str = options.PARAMETERS,
    json_output: bool = options.JSON,
) -> None:
    """Whole-body response to a sauna session (JOS-3): core (rectal) and skin temperature, sweat, warnings."""
    from lightdose.present.sauna import print_sauna, sauna_json
    from lightdose.thermal.sauna import SaunaRequest, simulate_sauna

    fields = {"air_temperature": air, "mean_radiant_temperature": radiant, "exposure": time, "after": rest,
              "parameters": parameters}
    if humidity is not None:
        fields["relative_humidity"] = humidity
    request = SaunaRequest.model_validate(fields, context=USER_INPUT)
    result = simulate_sauna(request)
    if json_output:
        print_json(sauna_json(result))
        return
    print_sauna(result, console)
