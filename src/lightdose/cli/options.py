"""Options shared by the commands: every command that models a person takes the same person options, and every
command that places a device takes the same placement options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from lightdose.anatomy import Person

if TYPE_CHECKING:
    from distributed import Client

    from lightdose.planning.scenario import Scenario
    from lightdose.sweep.uncertainty import Uncertainty
    from lightdose.transport.dose import DoseRequest

DEVICE = typer.Option(..., "--device", help="Preset device name (see `lightdose devices`).")
SITE = typer.Option(..., "--site", help="Body site (see `lightdose sites`).")
TIME = typer.Option(..., "--time", help="Exposure (time the device is on), with its unit, e.g. 30min.")
DISTANCE = typer.Option("0 cm", "--distance", help="Gap between device and skin, with its unit, e.g. 15cm "
                                                    "(0 = contact).")
SKIN_TYPE = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI.")
FAT = typer.Option(None, "--fat", help="Measured subcutaneous fat thickness, e.g. 4mm (not with --bmi).")
BMI = typer.Option(None, "--bmi", help="Body-mass index [kg/m²]: scales the fat (not with --fat).")
NEUROPATHY = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (thinner forefoot pad, less dermal blood, "
                                                      "blunted vasodilation).")
DERMAL_BLOOD = typer.Option(None, "--dermal-blood", help="Dermal blood volume fraction, e.g. 1%.")
PARAMETERS = typer.Option("default", "--parameters", help="Parameter set: a shipped set's name or a .yaml file.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
PNG = typer.Option(None, "--png", help="Also write a plot to this .png file.")
UNCERTAINTY = typer.Option(0, "--uncertainty", help="Also re-run N times (2–10000) over the uncertain tissue inputs "
                                                    "(dermal scattering, dermal blood) and print percentiles; 0: off.")


WORKERS = typer.Option(None, "--workers", "-w", help="Run on a local Dask cluster of this many worker processes "
                                                       "(the same result; default: in this process).")
SCHEDULER = typer.Option(None, "--scheduler", help="Run on the Dask cluster whose scheduler is at tcp://HOST:PORT "
                                                   "(default: $LIGHTDOSE_SCHEDULER).")


@contextmanager
def cluster(workers: int | None, address: str | None, quiet: bool) -> Iterator[Client]:
    """A Dask client on `workers` local processes or on the scheduler at `address` (from
    :func:`lightdose.sweep.cluster.resolve_target`), announced on stderr unless `quiet`; closed when the block ends
    (a local cluster with it)."""
    from rich.markup import escape

    from lightdose.cli.app import err_console
    from lightdose.sweep.cluster import cluster_info, dask_client

    with dask_client(workers, address) as client:
        if not quiet:
            info = cluster_info(client, local=address is None)
            err_console.print(f"{'local cluster' if info.local else 'cluster'}: {info.workers} worker(s), "
                              f"{info.threads} thread(s) at {escape(info.address)}; dashboard: "
                              f"{escape(info.dashboard) if info.dashboard else 'none (needs bokeh)'}",
                              highlight=False, soft_wrap=True)
        yield client


def person(skin_type: str, fat: str | None, bmi: float | None, neuropathy: bool,
           dermal_blood: str | None) -> dict[str, Any]:
    """The person options as the `person` field of a request."""
    return {key: value for key, value in (("skin_type", skin_type), ("fat_thickness", fat), ("bmi", bmi),
                                          ("neuropathy", neuropathy), ("dermal_blood", dermal_blood))
            if value is not None}


def placed_on_person(device: str, distance: str, site: str, time: str, parameters: str, skin_type: str, fat: str | None,
                     bmi: float | None, neuropathy: bool, dermal_blood: str | None) -> dict[str, Any]:
    """The fields every request of a device on a person shares, from the shared options: `placement`, `site`,
    `person`, `exposure` and `parameters` (a command adds its own fields to the dict)."""
    return {"placement": {"device": device, "distance": distance}, "site": site,
            "person": person(skin_type, fat, bmi, neuropathy, dermal_blood), "exposure": time,
            "parameters": parameters}


def check_spread(samples: int) -> None:
    """`--uncertainty`'s count checked before the command's own (perhaps long) run: 0 (off) or 2–MAX_SAMPLES."""
    from lightdose.errors import InputError
    from lightdose.sweep.uncertainty import MAX_SAMPLES

    if samples and not 2 <= samples <= MAX_SAMPLES:
        raise InputError("--uncertainty", f"{samples} draws: allowed 2–{MAX_SAMPLES} (0: off)")


def spread(base: DoseRequest | Scenario, samples: int, seed: int, quiet: bool,
           sites: list[str] | None = None) -> tuple[Uncertainty, list[str] | None] | None:
    """`--uncertainty`: `base` re-run over `samples` draws of the uncertain tissue inputs (None when 0), with a
    progress line on a terminal unless `quiet`; with the site labels of a plan."""
    if not samples:
        return None
    from lightdose.cli.app import err_console
    from lightdose.cli.progress import status_line
    from lightdose.sweep.uncertainty import uncertainty

    with status_line(not quiet, err_console) as line:
        if line is not None:
            line(f"uncertainty: {samples} draws of the tissue inputs", 0.0)
        return uncertainty(base, samples=samples, seed=seed), sites


def spread_json(found: tuple[Uncertainty, list[str] | None] | None) -> dict[str, Any]:
    """The `uncertainty` key of a command's JSON ({} without `--uncertainty`)."""
    from lightdose.present.uncertainty import uncertainty_json

    return {} if found is None else {"uncertainty": uncertainty_json(*found)}


def print_spread(found: tuple[Uncertainty, list[str] | None] | None, quiet: bool) -> None:
    """The percentile tables of `--uncertainty`, after the command's own output (not with --json)."""
    if found is None or quiet:
        return
    from lightdose.cli.app import console
    from lightdose.present.uncertainty import print_uncertainty

    print_uncertainty(found[0], console, found[1])


__all__ = ["BMI", "DERMAL_BLOOD", "DEVICE", "DISTANCE", "FAT", "JSON", "NEUROPATHY", "PARAMETERS", "PNG", "SCHEDULER",
           "SITE", "SKIN_TYPE", "TIME", "UNCERTAINTY", "WORKERS", "Person", "check_spread", "cluster", "person",
           "placed_on_person", "print_spread", "spread", "spread_json"]
