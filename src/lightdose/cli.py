"""The `lightdose` command line: one verb per stage, each with --json for machine-readable output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from lightdose.errors import LightdoseError
from lightdose.model_base import describe_validation_error
from lightdose.output_files import writable_path, write_output

app = typer.Typer(
    name="lightdose",
    help="Light transport, heating and dosimetry for red/near-infrared light therapy. Not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets a wide fixed width so that tables are not folded.
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 160)


def user_errors_exit_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user error (bad value, file or name) into a one-line message on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            message = describe_validation_error(exc)
        except LightdoseError as exc:
            message = str(exc)
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)

    return wrapper


def print_warnings(notes: list[str]) -> None:
    """Print each warning on its own line, in yellow."""
    for note in notes:
        console.print(f"[yellow]warning:[/] {escape(note)}")


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (no rich markup, so it can be piped)."""
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


@app.command()
@user_errors_exit_cleanly
def tissues(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the preset tissues with their composition, scattering and references."""
    from rich.table import Table

    from lightdose import tissues as library

    rows = []
    for name in library.names():
        t = library.get(name)
        rows.append(
            {
                "name": name,
                "description": t.description,
                "blood": t.blood,
                "saturation": t.saturation,
                "water": t.water,
                "fat": t.fat,
                "melanosome": t.melanosome,
                "baseline": t.baseline,
                "musp_500nm_per_mm": t.scattering.a_prime,
                "b_mie": t.scattering.b_mie,
                "g": t.g,
                "n": t.refractive_index,
                "wavelength_range_nm": list(t.wavelength_range_nm),
                "reference": t.reference,
            }
        )
    if json_output:
        print_json({"tissues": rows, "aliases": library.aliases()})
        return
    table = Table(title="Preset tissues (volume fractions; Bl = bloodless-skin baseline; μs′ = a·(λ/500 nm)^−b)")
    for column in ("name", "B", "S", "W", "F", "M", "Bl", "a [1/cm]", "b", "g", "n", "description"):
        table.add_column(escape(column), overflow="fold")
    for r in rows:
        table.add_row(
            r["name"],
            *(f"{r[k]:g}" for k in ("blood", "saturation", "water", "fat", "melanosome", "baseline")),
            f"{10 * r['musp_500nm_per_mm']:.1f}",
            f"{r['b_mie']:g}",
            f"{r['g']:g}",
            f"{r['n']:.3f}",
            r["description"],
        )
    console.print(table)
    alias_text = ", ".join(f"{a} → {t}" for a, t in library.aliases().items())
    console.print(f"Aliases: {alias_text}. References: `lightdose tissues --json` or src/lightdose/data/tissues.yaml.")


def _optics_table(title: str, records_by_tissue: dict[str, list[dict[str, float]]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("tissue", "λ [nm]", "μa [1/mm]", "μs [1/mm]", "μs′ [1/mm]", "g", "n", "μeff [1/mm]", "δ [mm]"):
        table.add_column(escape(column), justify="left" if column == "tissue" else "right")
    for name, records in records_by_tissue.items():
        for i, r in enumerate(records):
            table.add_row(
                name if i == 0 else "",
                f"{r['wavelength_nm']:g}",
                f"{r['mua_per_mm']:.4g}",
                f"{r['mus_per_mm']:.4g}",
                f"{r['musp_per_mm']:.4g}",
                f"{r['g']:g}",
                f"{r['n']:.3f}",
                f"{r['mueff_per_mm']:.4g}",
                f"{r['delta_mm']:.3g}",
            )
    console.print(table)


@app.command()
@user_errors_exit_cleanly
def optics(
    tissue: str = typer.Argument(..., help="Preset tissue name (see `lightdose tissues`)."),
    wavelength: list[str] = typer.Option(
        ..., "--wavelength", "-w", help="Wavelength with unit, e.g. 810nm; repeat for several."
    ),
    skin_type: str | None = typer.Option(None, "--skin-type", help="Fitzpatrick type I–VI (epidermis only)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Optical properties of a tissue: μa, μs, μs′, g, n and the diffusion penetration depth δ."""
    from lightdose import tissues as library
    from lightdose.units import parse_quantity

    t = library.get(tissue, skin_type=skin_type)
    wavelengths = [parse_quantity(w, "wavelength") for w in wavelength]
    records = t.optical_properties(wavelengths).records()
    if json_output:
        print_json(records[0] if len(records) == 1 else records)
        return
    _optics_table(f"Optical properties of {t.name}", {t.name: records})
    console.print("δ = 1/√(3μa(μa+μs′)): diffusion theory, broad beam, far from the surface (Jacques 2013).")


@app.command()
@user_errors_exit_cleanly
def mc(
    file: str = typer.Argument(..., help="MCML input file (.mci): all runs in it are simulated."),
    photons: int | None = typer.Option(None, "--photons", "-n", help="Photons per run (default: the file's)."),
    seed: int = typer.Option(1, "--seed", help="Random seed (results are reproducible for a given seed)."),
    threads: int | None = typer.Option(None, "--threads", help="CPU threads (default: all)."),
    mco_dir: str | None = typer.Option(None, "--mco-dir", help="Also write MCML-style .mco outputs here."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Layered Monte Carlo (MCML physics) for the runs of an MCML .mci file; prints Rsp, Rd, A, Tt."""
    import math
    from pathlib import Path

    from rich.table import Table

    from lightdose.errors import InputError
    from lightdose.transport.mc import read_mci, simulate, write_mco

    runs = read_mci(file)
    if photons is not None and photons < 1:
        raise InputError("--photons", f"{photons} must be >= 1")
    if mco_dir is not None and not Path(mco_dir).is_dir():
        raise InputError("--mco-dir", f"{mco_dir} is not a directory")
    show_progress = not json_output and console.is_terminal
    results = []
    for run in runs:
        ds = simulate(run.stack, photons=photons or run.photons, seed=seed, threads=threads, grid=run.grid,
                      progress=show_progress)
        if mco_dir is not None:
            write_mco(ds, Path(mco_dir) / Path(run.output_name).name, output_name=run.output_name)
        results.append({
            "run": run.output_name,
            "rsp": float(ds["rsp"]),
            "rd": float(ds["rd"]),
            "a": float(ds["a"]),
            "tt": float(ds["tt"]),
            "rd_se": float(ds["rd_se"]),
            "a_se": float(ds["a_se"]),
            "tt_se": float(ds["tt_se"]),
            "a_layers": [float(v) for v in ds["a_layer"].values],
            "photons": int(ds.attrs["photons"]),
            "seconds": float(ds.attrs["wall_time_s"]),
            "photons_per_ms": float(ds.attrs["photons_per_ms"]),
            "partial": bool(ds.attrs["partial"]),
            "z_mm": [float(v) for v in ds["z"].values],
            "fluence_z": [None if math.isnan(v) else float(v) for v in ds["fluence_z"].values],
        })
        if ds.attrs["partial"]:  # Ctrl-C: report what was simulated, do not start the next run
            break
    if json_output:
        print_json(results)
        return
    for res in results:
        table = Table(title=f"{file}: run {res['run']} ({res['photons']} photons, seed {seed})")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        table.add_column("std. error", justify="right")
        table.add_row("Rsp (specular reflectance)", f"{res['rsp']:.5f}", "exact")
        for key, label in (("rd", "Rd (diffuse reflectance)"), ("a", "A (absorbed)"), ("tt", "Tt (transmittance)")):
            table.add_row(label, f"{res[key]:.5f}", f"{res[key + '_se']:.5f}")
        for i, value in enumerate(res["a_layers"], start=1):
            table.add_row(f"  A in layer {i}", f"{value:.5f}", "")
        table.add_row("photons per ms", f"{res['photons_per_ms']:.1f}", "")
        console.print(table)
        if res["partial"]:
            console.print("[yellow]interrupted: partial result[/]")


@app.command()
@user_errors_exit_cleanly
def devices(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the preset devices: kind, bands, total power, size and where their numbers come from."""
    from rich.table import Table

    from lightdose import devices as catalog

    rows = [catalog.describe(catalog.get(name)) for name in catalog.names()]
    if json_output:
        print_json({"devices": rows})
        return
    table = Table(title="Preset devices (lightdose/data/devices/*.yaml)")
    for column in ("name", "kind", "bands", "total power", "size [mm]", "source"):
        table.add_column(escape(column), overflow="fold")
    for r in rows:
        if r["bands"]:
            bands = ", ".join(f"{b['wavelength_nm']:g} nm ({100 * b['power_fraction']:.0f} %)" for b in r["bands"])
            power = f"{r['total_power_w']:.3g} W ({r['emitters']} emitters)"
        elif "surface_temperature_c" in r:
            bands, power = "heat only", f"surface {r['surface_temperature_c']:g} °C"
        else:
            bands = f"heat only (far IR, peak {r['emitter_peak_wavelength_um']:.1f} µm)"
            power = f"air {r['air_temperature_c']:g} °C"
        size = "cabin" if r["size_mm"] is None else " × ".join(f"{s:g}" for s in r["size_mm"])
        table.add_row(r["name"], r["kind"], escape(bands), escape(power), size, escape(r["source"]))
    console.print(table)


@app.command()
@user_errors_exit_cleanly
def irradiance(
    device: str = typer.Argument(..., help="Preset device name (see `lightdose devices`)."),
    distance: str = typer.Option(..., "--distance", "-d", help="Skin distance from the emitting face, e.g. 15cm."),
    png: str | None = typer.Option(None, "--png", help="Also write a colour map (mW/cm²) to this PNG file."),
    points: int = typer.Option(201, "--points", min=3, max=1001, help="Grid points per axis."),
    measured: str | None = typer.Option(
        None, "--measured", help="Use your measured irradiance (e.g. '32 mW/cm^2') instead of the model."
    ),
    meter: str = typer.Option("unknown", "--meter", help="What measured it: thermopile, photodiode, solar, unknown."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Irradiance of a device on the skin at a distance (0 = in contact): centre, mean over the footprint, map."""
    from rich.table import Table

    from lightdose import devices as catalog
    from lightdose.devices.irradiance import Grid, parse_distance, summary
    from lightdose.errors import InputError

    light = catalog.get_light_device(device)
    if png and measured is None:
        writable_path(png, "--png")
    if measured is not None:
        if png:
            raise InputError("png", "a measured irradiance is a single value and has no map; drop --png")
        ds = catalog.measured_irradiance(measured, meter, light, distance)
    else:
        grid = Grid.around(light, parse_distance(light, distance), points=points)
        ds = light.irradiance_map(distance, grid)
    if png:
        from lightdose.devices.plot import plot_irradiance

        plot_irradiance(ds, png)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    source = f"measured ({meter} meter)" if measured is not None else "model"
    table = Table(title=f"{device} at {result['distance_mm']:g} mm from its emitting face, {source} [mW/cm²]")
    for column in ("band", "centre", "mean over footprint"):
        table.add_column(column, justify="right")
    for b in result["bands"]:
        table.add_row(f"{b['wavelength_nm']:g} nm", f"{b['centre_mw_cm2']:.3g}", f"{b['mean_mw_cm2']:.3g}")
    table.add_row("all bands", f"{result['centre_mw_cm2']:.3g}", f"{result['mean_mw_cm2']:.3g}")
    console.print(table)
    if measured is None:
        console.print(f"Maximum on the grid: {result['max_mw_cm2']:.3g} mW/cm².")
    print_warnings(result["warnings"])
    if png:
        console.print(f"Map written to {escape(png)}.")


@app.command()
@user_errors_exit_cleanly
def sites(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the body-site presets with their layers and targets."""
    from rich.table import Table

    from lightdose.anatomy import sites as library

    rows = []
    for name in library.names():
        stack = library.get(name)
        rows.append({
            "name": name,
            "description": stack.description,
            "layers": [{"name": layer.name, "tissue": layer.resolved_tissue.name, "thickness_mm": layer.thickness}
                       for layer in stack.layers],
            "targets": [{"name": t.name, "kind": t.kind, "depth_mm": [t.depth_min, t.depth_max]}
                        for t in stack.targets],
            "reference": stack.reference,
        })
    if json_output:
        print_json(rows)
        return
    table = Table(title="Body sites (layers from the skin down, thickness in mm; targets with depth in mm)")
    for column in ("site", "layers", "targets"):
        table.add_column(column, overflow="fold")
    for r in rows:
        layers = " / ".join(
            f"{layer['tissue']} {layer['thickness_mm']:g}" if layer["thickness_mm"] else f"{layer['tissue']} …"
            for layer in r["layers"]
        )
        targets = ", ".join(f"{t['name']} {t['depth_mm'][0]:g}–{t['depth_mm'][1]:g}" for t in r["targets"])
        table.add_row(r["name"], layers, targets)
    console.print(table)


@app.command("depth-dose")
@user_errors_exit_cleanly
def depth_dose_command(
    device: str = typer.Option(..., "--device", help="Preset device name (see `lightdose devices`)."),
    site: str = typer.Option(..., "--site", help="Body site (see `lightdose sites`)."),
    time: str = typer.Option(..., "--time", help="Exposure time, e.g. 20min."),
    distance: str = typer.Option("0 cm", "--distance", help="Gap between device and skin (0 = contact)."),
    skin_type: str = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI."),
    fat: str | None = typer.Option(None, "--fat", help="Measured subcutaneous fat thickness, e.g. 4mm."),
    bmi: float | None = typer.Option(None, "--bmi", help="Body-mass index [kg/m²] (scales the fat; not with --fat)."),
    neuropathy: bool = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (thinner pad, less blood)."),
    dermal_blood: str | None = typer.Option(None, "--dermal-blood", help="Dermal blood volume fraction, e.g. 1%."),
    solver: str = typer.Option("fast", "--solver", help="fast (δ-P1 diffusion) or mc (Monte Carlo)."),
    photons: int = typer.Option(200_000, "--photons", min=1000, help="Photons per band for --solver mc."),
    seed: int = typer.Option(1, "--seed", help="Random seed for --solver mc."),
    png: str | None = typer.Option(None, "--png", help="Write a depth–dose plot to this PNG file."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Light dose versus depth and at the site's targets: fluence rate [mW/cm²] and fluence [J/cm²]."""
    from rich.table import Table

    from lightdose.anatomy import Person
    from lightdose.transport.dose import depth_dose, summary

    if png:
        writable_path(png, "--png")
    person = Person(skin_type=skin_type, fat_thickness=fat, bmi=bmi, neuropathy=neuropathy, dermal_blood=dermal_blood)
    ds = depth_dose(device, site, person, distance=distance, exposure=time, solver=solver,  # type: ignore[arg-type]
                    photons=photons, seed=seed)
    if png:
        from lightdose.transport.dose_plot import plot_depth_dose

        plot_depth_dose(ds, png)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    bands = ", ".join(
        f"{b['wavelength_nm']:g} nm: {b['surface_irradiance_mw_cm2']:.3g} mW/cm²" for b in result["bands"]
    )
    console.print(f"{device} on {site}, {result['exposure_s'] / 60:g} min; irradiance at the skin: {bands}")
    table = Table(title=f"Dose at the targets ({result['solver']})")
    for column in ("target", "depth [mm]", "fluence rate [mW/cm²]", "fluence [J/cm²]", "range over depth [J/cm²]"):
        table.add_column(escape(column), justify="right")
    for t in result["targets"]:
        lo, hi = (x * result["exposure_s"] / 1000.0 for x in t["fluence_rate_range_mw_cm2"])
        table.add_row(t["target"], "–".join(f"{d:.3g}" for d in t["depth_range_mm"]), f"{t['fluence_rate_mw_cm2']:.3g}",
                      f"{t['fluence_j_cm2']:.3g}", f"{lo:.3g}–{hi:.3g}")
    console.print(table)
    console.print("Values at the target's mid-depth; the range spans its shallow and deep edges. "
                  "Heuristic PBM window at the target: 1–10 J/cm² (Huang et al. 2009). Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")


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


@app.command()
@user_errors_exit_cleanly
def perfusion(
    device: str = typer.Option(..., "--device", help="Light device or heating-pad-42 (see `lightdose devices`)."),
    site: str = typer.Option(..., "--site", help="Body site (see `lightdose sites`)."),
    time: str = typer.Option(..., "--time", help="Session length, e.g. 30min."),
    after: str = typer.Option("60 min", "--after", help="Time followed after the device is removed, e.g. 4h."),
    distance: str = typer.Option("0 cm", "--distance", help="Gap between device and skin (0 = contact)."),
    skin_type: str = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI."),
    neuropathy: bool = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (blunted reflex and plateau)."),
    light_no: bool = typer.Option(False, "--light-no", help="Add the optional light-driven NO term (weak evidence)."),
    png: str | None = typer.Option(None, "--png", help="Write perfusion and skin temperature over time to this PNG."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a summary."),
) -> None:
    """Skin perfusion (laser-Doppler, % of maximal CVC) during and after a session, coupled with bioheat."""
    from lightdose.anatomy import Person
    from lightdose.physiology.session import elevation_verdict, perfusion_session, summary

    png_path = writable_path(png, "--png") if png else None
    ds = perfusion_session(device, site, Person(skin_type=skin_type, neuropathy=neuropathy), time=time,
                           distance=distance, after=after, light_no=light_no)
    if png_path:
        from lightdose.physiology.plot import plot_perfusion

        plot_perfusion(ds, png_path)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    lasting = f"{result['minutes_elevated_after_end']:.0f} min"
    if result["elevated_at_end_of_run"]:
        lasting = f"at least {lasting} (still elevated at the end of --after)"
    console.print(f"{device} on {site}, {result['session_s'] / 60:g} min session, followed "
                  f"{result['after_s'] / 60:g} min after ({result['solver']}; light-driven NO term "
                  f"{result['light_no_term']})")
    console.print(f"Perfusion [% of maximal CVC]: baseline {result['baseline_pct_max']:.1f}, peak "
                  f"{result['peak_pct_max']:.1f}, plateau {result['plateau_pct_max']:.1f}, at removal "
                  f"{result['end_pct_max']:.1f}; above baseline + 20 % for {lasting} after the session. "
                  f"Peak skin temperature {result['peak_skin_temp_c']:.1f} °C.")
    verdict = elevation_verdict(result["minutes_elevated_after_end"], result["elevated_at_end_of_run"],
                                result["after_s"])
    console.print(f"Perfusion {escape(verdict)}. Model calibrated to forearm local-heating data (Minson 2001). "
                  "Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")


@app.command()
@user_errors_exit_cleanly
def compare(
    file: str = typer.Argument(..., help="Comparison YAML, e.g. examples/microcirculation-comparison.yaml."),
    png: str | None = typer.Option(None, "--png", help="Write the perfusion curves to this PNG."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compare devices on one site: perfusion during and after each session, healthy and neuropathic."""
    from rich.table import Table

    from lightdose.physiology.compare import load_comparison, run_comparison

    png_path = writable_path(png, "--png") if png else None
    result = run_comparison(load_comparison(file))
    if png_path:
        from lightdose.physiology.plot import plot_comparison

        plot_comparison(result, png_path)
    if json_output:
        print_json(result)
        return
    table = Table(title=f"{result['site']}: {result['session_s'] / 60:g} min sessions, followed "
                        f"{result['after_s'] / 3600:g} h after (perfusion in % of maximal CVC)")
    for column in ("treatment", "person", "skin irradiance [mW/cm²]", "peak skin [°C]", "baseline", "peak",
                   "plateau", "elevated after [min]"):
        table.add_column(escape(column), justify="left" if column in ("treatment", "person") else "right")
    for c in result["cases"]:
        irradiance = "–" if c["skin_irradiance_mw_cm2"] is None else f"{c['skin_irradiance_mw_cm2']:.3g}"
        table.add_row(c["treatment"], c["person"], irradiance, f"{c['peak_skin_temp_c']:.1f}",
                      f"{c['baseline_pct_max']:.1f}", f"{c['peak_pct_max']:.1f}", f"{c['plateau_pct_max']:.1f}",
                      f"{c['minutes_elevated_after_end']:.0f}")
    console.print(table)
    console.print(f"Elevated: {result['elevation_rule']}. Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")


ldf_app = typer.Typer(help="Laser-Doppler flowmetry recordings: read exports, analyse, fit the perfusion model.",
                      no_args_is_help=True)
app.add_typer(ldf_app, name="ldf")


@ldf_app.command("analyse")
@user_errors_exit_cleanly
def ldf_analyse(
    file: str = typer.Argument(..., help="Delimited-text LDF export (decimal commas and clock times are fine)."),
    channel: str | None = typer.Option(None, "--channel", help="Analyse only this channel (default: every PU one)."),
    on: str | None = typer.Option(None, "--on", help="Stimulus start, e.g. 10min (default: the 'heat on' marker)."),
    off: str | None = typer.Option(None, "--off", help="Stimulus end, e.g. 45min (default: the 'heat off' marker)."),
    fit: bool = typer.Option(False, "--fit", help="Also fit the perfusion model's time constants (needs a "
                                                  "temperature channel)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Baseline, peak, plateau, area under the curve, % of maximum, time back to baseline (and a model fit)."""
    from rich.table import Table

    from lightdose.errors import InputError
    from lightdose.physiology.ldf import analyse, analyse_all, read_ldf

    ds = read_ldf(file)
    if (on is None) != (off is None):
        raise InputError("--on/--off", "give both stimulus times, or neither (the file's markers are used)")
    options = {"stimulus": (on, off)} if on is not None else {}
    results = {channel: analyse(ds, channel, **options)} if channel else analyse_all(ds, **options)
    fitted = None
    if fit:
        from lightdose.physiology.ldf_fit import fit_recording

        fitted = fit_recording(ds, flux_channel=channel or next(iter(results)))
    if json_output:
        payload: dict[str, Any] = {"file": file, "channels": {k: v.model_dump() for k, v in results.items()}}
        if fitted is not None:
            payload["fit"] = fitted.model_dump(exclude={"parameters", "correlation"})
        print_json(payload)
        return
    table = Table(title=f"{file}: local-heating analysis")
    table.add_column("quantity")
    for name in results:
        table.add_column(escape(f"{name} [{results[name].units}]"), justify="right")
    rows = (("baseline", "baseline_pu"), ("peak", "peak_pu"), ("peak time [s]", "peak_time_s"),
            ("nadir", "nadir_pu"), ("plateau", "plateau_pu"), ("maximum", "maximum_pu"),
            ("peak [% max]", "peak_pct_max"), ("plateau [% max]", "plateau_pct_max"),
            ("area above baseline [·s]", "auc_pu_s"), ("back to baseline after [s]", "time_to_baseline_s"))
    for label, key in rows:
        values = [getattr(r, key) for r in results.values()]
        table.add_row(escape(label), *("–" if v is None else f"{v:.4g}" for v in values))
    console.print(table)
    if fitted is not None:
        fit_table = Table(title=f"Perfusion model fitted to {fitted.flux_channel} (temperature: "
                                f"{fitted.temperature_channel}); R² {fitted.r_squared:.3f}")
        for column in ("parameter", "value", "standard error", "units"):
            fit_table.add_column(column, justify="left" if column == "parameter" else "right")
        for p in fitted.fitted:
            se = "undetermined" if p.standard_error is None else f"{p.standard_error:.3g}"
            fit_table.add_row(p.name, f"{p.value:.4g}", se, p.units)
        console.print(fit_table)
        console.print("Standard errors assume independent residuals; the residuals' lag-1 autocorrelation is "
                      f"{fitted.residual_lag1_autocorrelation:.2f}: multiply them by about "
                      f"{fitted.se_inflation_ar1:.2g} (AR(1) inflation, se_inflation_ar1 in the JSON).")
