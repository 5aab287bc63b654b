"""MCML interoperability: read ``.mci`` input files and write ``.mco``-style text outputs.

The formats are those of MCML 1.x (Wang, Jacques & Zheng 1995, Comput. Methods Programs Biomed. 47:131;
manual "MCML - Monte Carlo modeling of light transport in multi-layered tissues in standard C", 1992-1995).
Files use cm and 1/cm; lightdose converts to mm and 1/mm on reading and back on writing.

``.mci``: a plain-text (UTF-8 or ASCII) file; anything after '#' is a comment and blank lines are ignored. Then: file
version (1.0, the only one MCML defines); number of runs;
per run: output file name and type ('A' ASCII or 'B' binary); number of photons; dz dr [cm]; nz nr na;
number of layers; n of the medium above; one line "n mua mus g d" per layer [-, 1/cm, 1/cm, -, cm];
n of the medium below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from lightdose.errors import FileFormatError, InputError
from lightdose.transport.layers import MUA_MAX, MUS_MAX, N_MAX, N_MIN, Layer, LayerStackSpec
from lightdose.transport.mc.runner import MAX_PHOTONS, MIN_PHOTONS
from lightdose.transport.mc.sources import Grid

CM = 10.0  # mm per cm
MAX_RUNS = 1000
"""Most runs one file may hold."""
MAX_LAYERS = 1000
"""Most layers one run may have."""


@dataclass(frozen=True)
class MciRun:
    """One run of an ``.mci`` file, in canonical units (mm, 1/mm)."""

    output_name: str
    output_type: str
    photons: int
    grid: Grid
    stack: LayerStackSpec
    line: int


class _Lines:
    """Non-blank, comment-stripped lines with their 1-based line numbers."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.items = []
        for i, raw in enumerate(text.splitlines(), start=1):
            content = raw.split("#", 1)[0].strip()
            if content:
                self.items.append((i, content.split()))
        self.pos = 0
        self.last_line = len(text.splitlines())

    def error(self, line: int | None, message: str) -> FileFormatError:
        return FileFormatError(str(self.path), line, message)

    def next(self, what: str, count: int | tuple[int, ...]) -> tuple[int, list[str]]:
        counts = (count,) if isinstance(count, int) else count
        if self.pos >= len(self.items):
            raise self.error(self.last_line, f"unexpected end of file: expected {what}")
        line, tokens = self.items[self.pos]
        if len(tokens) not in counts:
            want = " or ".join(str(c) for c in counts)
            raise self.error(line, f"expected {what} ({want} value(s)), found {len(tokens)}: {' '.join(tokens)}")
        self.pos += 1
        return line, tokens

    def numbers(self, line: int, tokens: list[str], what: str) -> list[float]:
        out = []
        for t in tokens:
            try:
                out.append(float(t))
            except ValueError:
                raise self.error(line, f"{what}: {t!r} is not a number") from None
        return out

    def integers(self, line: int, tokens: list[str], what: str) -> list[int]:
        out = []
        for t, v in zip(tokens, self.numbers(line, tokens, what), strict=True):
            if not (math.isfinite(v) and v == int(v)):
                raise self.error(line, f"{what}: {t!r} is not an integer")
            out.append(int(v))
        return out

    def within(self, line: int, what: str, value: float, low: float, high: float, unit: str = "") -> None:
        """Refuse `value` outside [low, high] (NaN included), naming the line, the value and the range."""
        if not low <= value <= high:
            unit = f" {unit}" if unit else ""
            raise self.error(line, f"{what} = {value:g}{unit} is outside the allowed range [{low:g}, {high:g}]{unit}")


def _read_layer(lines: _Lines, k: int, n_layers: int) -> Layer:
    """Layer `k` (0-based) of `n_layers`: 'n mua mus g d' in MCML units [-, 1/cm, 1/cm, -, cm]."""
    line, tokens = lines.next(f"layer {k + 1} of {n_layers}: 'n mua mus g d'", 5)
    n, mua, mus, g, d = lines.numbers(line, tokens, f"layer {k + 1}")
    what = f"layer {k + 1}: "
    lines.within(line, what + "n", n, N_MIN, N_MAX)
    lines.within(line, what + "mua", mua, 0.0, MUA_MAX * CM, "/cm")
    lines.within(line, what + "mus", mus, 0.0, MUS_MAX * CM, "/cm")
    if not -1.0 < g < 1.0:
        raise lines.error(line, f"{what}g = {g:g} is outside the allowed range (-1, 1)")
    if not (d > 0.0 and (math.isfinite(d) or k == n_layers - 1)):
        raise lines.error(line, f"{what}thickness d = {d:g} cm must be > 0 (only the last layer may be inf)")
    return Layer(thickness_mm=d * CM, mua=mua / CM, mus=mus / CM, g=g, n=n)


def _read_run(lines: _Lines) -> MciRun:
    line0, tokens = lines.next("output file name and type (A/B)", (1, 2))
    name = tokens[0]
    out_type = tokens[1].upper() if len(tokens) == 2 else "A"
    if out_type not in ("A", "B"):
        raise lines.error(line0, f"output type {tokens[1]!r} must be 'A' (ASCII) or 'B' (binary)")
    line, tokens = lines.next("number of photons", 1)
    (photons,) = lines.integers(line, tokens, "number of photons")
    lines.within(line, "number of photons", photons, MIN_PHOTONS, MAX_PHOTONS)
    line, tokens = lines.next("dz dr [cm]", 2)
    dz, dr = lines.numbers(line, tokens, "dz dr")
    if not (dz > 0 and dr > 0):
        raise lines.error(line, f"dz and dr must be > 0 cm, got {dz:g} {dr:g}")
    line, tokens = lines.next("nz nr na", 3)
    nz, nr, na = lines.integers(line, tokens, "nz nr na")
    try:
        grid = Grid(dz_mm=dz * CM, dr_mm=dr * CM, nz=nz, nr=nr, na=na)
    except InputError as exc:
        raise lines.error(line, str(exc)) from None
    line, tokens = lines.next("number of layers", 1)
    (n_layers,) = lines.integers(line, tokens, "number of layers")
    lines.within(line, "number of layers", n_layers, 1, MAX_LAYERS)
    line, tokens = lines.next("refractive index of the medium above", 1)
    (n_above,) = lines.numbers(line, tokens, "n above")
    lines.within(line, "n above", n_above, N_MIN, N_MAX)
    layers = tuple(_read_layer(lines, k, n_layers) for k in range(n_layers))
    line, tokens = lines.next("refractive index of the medium below", 1)
    (n_below,) = lines.numbers(line, tokens, "n below")
    lines.within(line, "n below", n_below, N_MIN, N_MAX)
    stack = LayerStackSpec(layers, n_above=n_above, n_below=n_below)
    return MciRun(output_name=name, output_type=out_type, photons=photons, grid=grid, stack=stack, line=line0)


def _text(path: Path) -> str:
    """The file's text; a binary or non-UTF-8 file is refused with the line of the first offending byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(str(path), None, f"cannot read: {exc.strerror}") from None
    if b"\0" in data:
        at = data.index(b"\0")
        raise FileFormatError(str(path), data.count(b"\n", 0, at) + 1,
                              "binary data (a NUL byte): an .mci file is plain text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(str(path), data.count(b"\n", 0, exc.start) + 1,
                              f"byte 0x{data[exc.start]:02x} is not UTF-8 text: an .mci file is plain text "
                              "(ASCII)") from None


def read_mci(path: str | Path) -> list[MciRun]:
    """Read every run of an MCML ``.mci`` file; errors name the file and line."""
    p = Path(path)
    lines = _Lines(p, _text(p))
    line, tokens = lines.next("file version", 1)
    (version,) = lines.numbers(line, tokens, "file version")
    if version != 1.0:
        raise lines.error(line, f"file version {tokens[0]} is not supported: lightdose reads MCML files of version 1.0")
    line, tokens = lines.next("number of runs", 1)
    (n_runs,) = lines.integers(line, tokens, "number of runs")
    lines.within(line, "number of runs", n_runs, 1, MAX_RUNS)
    runs = [_read_run(lines) for _ in range(n_runs)]
    if lines.pos < len(lines.items):
        extra_line, _ = lines.items[lines.pos]
        raise lines.error(extra_line, f"unexpected content after {n_runs} run(s)")
    return runs


def write_mci(path: str | Path, runs: list[MciRun]) -> None:
    """Write runs as an MCML 1.0 ``.mci`` file (cm, 1/cm)."""
    out = ["1.0\t\t\t\t# file version", f"{len(runs)}\t\t\t\t# number of runs", ""]
    for run in runs:
        s, gr = run.stack, run.grid
        out += [f"{run.output_name}\t{run.output_type}\t\t# output file name, ASCII",
                f"{run.photons}\t\t\t\t# No. of photons",
                f"{gr.dz_mm / CM:g}\t{gr.dr_mm / CM:g}\t\t\t# dz, dr [cm]",
                f"{gr.nz}\t{gr.nr}\t{gr.na}\t\t# No. of dz, dr, da",
                "", f"{len(s.layers)}\t\t\t\t# Number of layers",
                "#n\tmua\tmus\tg\td\t# One line for each layer",
                f"{s.n_above:g}\t\t\t\t# n for medium above"]
        for i, layer in enumerate(s.layers, start=1):
            out.append(f"{layer.n:g}\t{layer.mua * CM:g}\t{layer.mus * CM:g}\t{layer.g:g}\t"
                       f"{layer.thickness_mm / CM:g}\t# layer {i}")
        out += [f"{s.n_below:g}\t\t\t\t# n for medium below", ""]
    Path(path).write_text("\n".join(out))


def _column(values: np.ndarray) -> list[str]:
    return [f"{v:12.4E}" for v in values]


def _block(values: np.ndarray) -> list[str]:
    flat = values.ravel()
    return [" ".join(f"{v:12.4E}" for v in flat[i:i + 5]) for i in range(0, len(flat), 5)]


def write_mco(ds: xr.Dataset, path: str | Path, output_name: str | None = None) -> None:
    """Write a result as an MCML-style ASCII ``.mco`` file (cm units, sections as MCML 1.x).

    Sections: InParm, RAT, A_l, A_z, Rd_r, Rd_a, Tt_r, Tt_a, A_rz, Rd_ra, Tt_ra (the r-resolved sections
    only for finite beams). Values are per incident photon weight, as in MCML.
    """
    p = Path(path)
    a = ds.attrs
    lay = ds["layer"].values
    out = ["A1 \t# Version number of the file format.", "", "####", "# Data categories include: ",
           "# InParm, RAT, ", "# A_l, A_z, Rd_r, Rd_a, Tt_r, Tt_a, ", "# A_rz, Rd_ra, Tt_ra ", "####", "",
           f"# Written by lightdose {a.get('lightdose_version', '')}; seed {a.get('seed', '')}; "
           f"wall time {float(a.get('wall_time_s', math.nan)):.2f} s; partial {a.get('partial', 0)}", "",
           "InParm \t\t\t# Input parameters. cm is used.",
           f"{output_name or p.name} \tA\t\t# output file name, ASCII.",
           f"{int(a['photons'])} \t\t\t# No. of photons",
           f"{float(a['dz_mm']) / CM:g}\t{float(a['dr_mm']) / CM:g}\t\t# dz, dr [cm]",
           f"{int(a['nz'])}\t{int(a['nr'])}\t{int(a['na'])}\t# No. of dz, dr, da.", "",
           f"{len(lay)}\t\t\t\t\t# Number of layers", "#n\tmua\tmus\tg\td\t# One line for each layer",
           f"{float(a['n_above']):g}\t\t\t\t\t# n for medium above"]
    for i in range(len(lay)):
        out.append(f"{float(ds['layer_n'][i]):g}\t{float(ds['layer_mua'][i]) * CM:g}\t"
                   f"{float(ds['layer_mus'][i]) * CM:g}\t{float(ds['layer_g'][i]):g}\t"
                   f"{float(ds['layer_thickness'][i]) / CM:g}\t# layer {i + 1}")
    out += [f"{float(a['n_below']):g}\t\t\t\t\t# n for medium below", "",
            "RAT #Reflectance, absorption, transmission. ",
            f"{float(ds['rsp']):<15.6g}\t#Specular reflectance [-]",
            f"{float(ds['rd']):<15.6g}\t#Diffuse reflectance [-]",
            f"{float(ds['a']):<15.6g}\t#Absorbed fraction [-]",
            f"{float(ds['tt']):<15.6g}\t#Transmittance [-]", "",
            "A_l #Absorption as a function of layer. [-]"]
    out += [f"{v:12.4f}" for v in ds["a_layer"].values]
    out += ["", "A_z #A[0], [1],..A[nz-1]. [1/cm]"] + _column(ds["a_z"].values * CM)
    has_r = "rd_r" in ds
    if has_r:
        out += ["", "Rd_r #Rd[0], [1],..Rd[nr-1]. [1/cm2]"] + _column(ds["rd_r"].values * CM**2)
    out += ["", "Rd_a #Rd[0], [1],..Rd[na-1]. [sr-1]"] + _column(ds["rd_a"].values)
    if has_r:
        out += ["", "Tt_r #Tt[0], [1],..Tt[nr-1]. [1/cm2]"] + _column(ds["tt_r"].values * CM**2)
    out += ["", "Tt_a #Tt[0], [1],..Tt[na-1]. [sr-1]"] + _column(ds["tt_a"].values)
    if has_r:
        out += ["", "# A[r][z]. [1/cm3]", "# A[0][0], [0][1],..[0][nz-1]", "# ...",
                "# A[nr-1][0], [nr-1][1],..[nr-1][nz-1]", "A_rz"] + _block(ds["a_rz"].values * CM**3)
        for key, name in (("rd_ra", "Rd"), ("tt_ra", "Tt")):
            out += ["", f"# {name}[r][angle]. [1/(cm2sr)].", f"# {name}[0][0], [0][1],..[0][na-1]",
                    "# ...", f"# {name}[nr-1][0], [nr-1][1],..[nr-1][na-1]", f"{name}_ra"]
            out += _block(ds[key].values * CM**2)
    p.write_text("\n".join(out) + "\n")
