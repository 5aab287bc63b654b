"""`lightdose burn`: how long skin can sit at a temperature (burn dose Ω and CEM43, and the time to each limit)."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly
from lightdose.units import USER_INPUT


@app.command()
@user_errors_exit_cleanly
def burn(
    temperature: str = typer.Option(..., "--temperature", help="Skin (basal epidermis) temperature held constant, "
                                                               "e.g. 44C (37–100 °C)."),
    time: str = typer.Option(..., "--time", help="How long it is held, with its unit, e.g. 6h (up to 24 h)."),
    parameters: str = options.PARAMETERS,
    json_output: bool = options.JSON,
) -> None:
    """How long can skin sit at this temperature: Ω and CEM43 after the hold, and the time to each limit."""
    from lightdose.present.burn import burn_json, print_burn
    from lightdose.thermal.burn import BurnRequest, burn_dose

    request = BurnRequest.model_validate({"temperature": temperature, "time": time, "parameters": parameters},
                                         context=USER_INPUT)
    result = burn_dose(request)
    if json_output:
        print_json(burn_json(result))
    else:
        print_burn(result, console)
