"""Heat: skin and tissue temperature during a session, and the whole body in a sauna."""

from __future__ import annotations

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, print_warnings, user_errors_exit_cleanly
from lightdose.output_files import writable_path


@app.command()
@user_errors_exit_cleanly
def heat(
    device: str = typer.Option(..., "--device", help="Light device or heating-pad-42 (see `lightdose devices`)."),
    site: str = typer.Option(..., "--site", help="Body site (see `lightdose sites`)."),
    time: str = typer.Option(..., "--time", help="Session length, e.g. 30min."),
    distance: str = typer.Option("0 cm", "--distance", help="Gap between device and skin (0 = contact)."),
    skin_type: str = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI."),
    neuropathy: bool = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (less perfusion, thinner pad)."),
    pad_heat: str = typer.Option("0 mW/cm^2", "--pad-heat", help="Waste heat of a contact LED pad into the skin."),
    png: str | None = typer.Option(None, "--png", help="Write skin and target temperature over time to this PNG."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Skin and tissue temperature during a session (1-D Pennes bioheat), burn dose and time above 43 °C."""
    from lightdose.anatomy import Person
    from lightdose.thermal.session import heat_session, summary

    if png:
        writable_path(png, "--png")
    ds = heat_session(device, site, Person(skin_type=skin_type, neuropathy=neuropathy), time=time,
                      distance=distance, pad_heat_flux=pad_heat)
    if png:
        from lightdose.thermal.plot import plot_session

        plot_session(ds, png)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    console.print(f"{device} on {site} for {float(ds.t[-1]) / 60:g} min ({result['solver']})")
    console.print(f"Skin: {result['skin_temp_c'][0]:.1f} → {result['skin_temp_c'][-1]:.1f} °C, peak "
                  f"{result['peak_skin_temp_c']:.1f} °C; above 43 °C for {result['time_above_43c_s']:.0f} s"
                  + (f" (from {result['time_to_43c_s']:.0f} s)" if result["time_to_43c_s"] is not None else "") + "; "
                  f"CEM43 {result['cem43_min']:.3g} min; Arrhenius Ω {result['omega']:.2g} (Ω = 1 ≈ 2nd-degree burn)")
    for name, temps in result["temp_at_targets_c"].items():
        console.print(f"{name}: {temps['start']:.1f} → {temps['end']:.1f} °C")
    print_warnings(result["warnings"])
    console.print("Contact limit for applied parts ≥ 10 min: 43 °C (IEC 60601-1); pain is no safeguard on an "
                  "insensate foot. Not a medical device.")


@app.command()
@user_errors_exit_cleanly
def sauna(
    air: str = typer.Option(..., "--air", help="Cabin air temperature, e.g. 60C (10–100 °C)."),
    time: str = typer.Option(..., "--time", help="Time in the cabin, e.g. 15min."),
    rest: str = typer.Option("0 min", "--rest", help="Rest afterwards in a 24 °C, 50 % room, e.g. 30min."),
    humidity: str = typer.Option("20%", "--humidity", help="Cabin relative humidity, e.g. 20%."),
    radiant: str | None = typer.Option(None, "--radiant", help="Mean radiant temperature (default: the air's)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Whole-body response to a sauna session (JOS-3): core and skin temperature, sweat loss, warnings."""
    import re

    from rich.table import Table

    from lightdose.thermal.sauna import SaunaSession, simulate_sauna, summary

    def temperature(text: str | None) -> str | None:  # "60C" means 60 °C here, not 60 coulomb
        return None if text is None else re.sub(r"^\s*([-+]?[\d.]+)\s*([CF])\s*$", r"\1 deg\2", text)

    session = SaunaSession(air_temperature=temperature(air), mean_radiant_temperature=temperature(radiant),
                           relative_humidity=humidity, duration=time, rest_duration=rest)
    result = summary(simulate_sauna(session))
    if json_output:
        print_json(result)
        return
    table = Table(title=f"Sauna {session.air_temperature:g} °C air, {100 * session.relative_humidity:g} % RH, "
                        f"{session.duration / 60:g} min, then {session.rest_duration / 60:g} min rest (JOS-3)")
    for column in ("t [min]", "core [°C]", "rectal [°C]", "mean skin [°C]", "skin blood flow [L/min]",
                   "cardiac output [L/min]", "sweat [g]"):
        table.add_column(escape(column), justify="right")
    last = len(result["t_s"]) - 1
    for i, t in enumerate(result["t_s"]):
        if i % 5 == 0 or i == last or t == session.duration:
            table.add_row(f"{t / 60:g}", f"{result['core_temp_c'][i]:.2f}", f"{result['rectal_temp_c'][i]:.2f}",
                          f"{result['mean_skin_temp_c'][i]:.2f}", f"{result['skin_blood_flow_l_min'][i]:.2f}",
                          f"{result['cardiac_output_l_min'][i]:.2f}", f"{result['sweat_loss_g'][i]:.0f}")
    console.print(table)
    console.print(f"Peak core rise {result['peak_core_rise_c']:.2f} °C. Not a medical device.")
    print_warnings(result["warnings"])
