"""Import of laser-Doppler flowmetry (LDF) recordings: the delimited-text files that acquisition software exports,
read into an :class:`xarray.Dataset` over time ``t`` [s] (:func:`read_ldf`).

An export is: optional metadata lines (``Subject: S01``, ``Sampling rate;32 Hz``), one column header, an optional
unit row under it, then one line per sample. The field separator (tab, ``;`` or ``,``), the decimal separator
(``.`` or ``,``; never ``,`` when ``,`` separates the fields), the time format (elapsed time in s, ms, min or h, or
clock time ``hh:mm:ss``, ``hh:mm:ss.fff``, ``hh:mm:ss,ff``, which may pass midnight) and the text encoding (UTF-8,
UTF-16 with a byte-order mark, Windows-1252) are detected. Every malformed line raises
:class:`~lightdose.errors.FileFormatError` naming its 1-based line number in the file. See docs/ldf.md for the
formats with examples; the analyses of a recording are in :mod:`lightdose.physiology.ldf_analysis`.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.errors import FileFormatError, InputError
from lightdose.units import parse_unit

DELIMITERS = ("\t", ";", ",")
"""Field separators tried, in this order of preference."""
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
MISSING_TOKENS = frozenset({"", "nan", "na", "n/a"})
"""Cells read as a missing value (NaN), compared case-insensitively. Time cells may never be missing."""
MIDNIGHT_JUMP_S = 43200.0
"""A clock time more than 12 h earlier than the previous one is read as the next day (the recording passed
midnight); a smaller step backwards is an error."""
PERFUSION_UNITS = frozenset({"PU", "AU", "BPU"})
"""Units of the channels that hold perfusion (perfusion units, arbitrary units): what the analyses and the fit
accept."""

EVENT_COLUMN = re.compile(r"^(mark|marks|marker|markers|event|events|comment|comments|note|notes|label|labels|"
                          r"annotation|annotations|remark|remarks)(_\d+)?$")
"""Identifiers of text columns whose non-empty cells are event markers."""
DATE_COLUMN = re.compile(r"^(date|datum|fecha)$")
TIME_COLUMN = re.compile(r"^(t|time|tid|zeit|temps|tiempo|elapsed|clock)(_.*)?$")
PERFUSION_NAME = re.compile(r"perf|flux|flow|ldf|cmbc|blood", re.IGNORECASE)
TEMPERATURE_NAME = re.compile(r"temp|skin_?t|heater|probe_?t", re.IGNORECASE)

LINE_END = re.compile(r"\r\n|\r|\n")
"""Line ends accepted: LF, CRLF and CR, also mixed within one file."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (all but tab and the line ends) that never occur in a text export: binary data."""
_METADATA_LINE = re.compile(r"^\s*[^\W\d][^:=\t;,]*[:=](\s|$)")
"""A ``Key: value`` or ``Key = value`` line (a key of words, then ':' or '=' and a space): metadata, whose free
text does not vote on the field separator."""
_CLOCK_LIKE = re.compile(r"^\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d*)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$")
_NUMBER_LIKE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_BRACKET_UNIT = re.compile(r"^(.*?)\s*[\[(]([^\[\]()]*)[\])]\s*$")
_CLOCK_UNIT = re.compile(r"^h{1,2}:m{1,2}:s{1,2}(?:[.,]f+)?$", re.IGNORECASE)

_UNIT_SPELLINGS = {
    "°c": "degC", "ºc": "degC", "degc": "degC", "deg c": "degC", "° c": "degC", "c": "degC", "oc": "degC",
    "celsius": "degC", "pu": "PU", "au": "AU", "a.u.": "AU", "a.u": "AU", "arb. units": "AU",
    "arbitrary units": "AU", "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s", "ms": "ms",
    "min": "min", "minutes": "min", "h": "h", "hours": "h", "%": "%",
}
_TIME_UNIT_S = {"s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0}
_RESERVED_ATTRS = frozenset({"source_file", "lightdose_version", "delimiter", "decimal_separator", "encoding",
                             "time_format", "start_clock_time", "events", "header_line", "sampling_interval_s",
                             "units", "comment"})


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(str(path), None, f"cannot read the file ({exc.strerror or exc})") from None
    if encoding is not None:
        candidates = [encoding]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "cp1252", "latin-1"]
    for name in candidates:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise InputError("encoding", f"unknown text encoding {name!r}; e.g. 'utf-8' or 'cp1252'") from None
    raise FileFormatError(str(path), None, f"cannot decode the file as {encoding} text")


def _text_lines(text: str, path: str) -> list[tuple[int, str]]:
    """The lines of `text` with their 1-based numbers; LF, CRLF and CR (mixed, too) each end a line.

    Raises :class:`FileFormatError` at the first line holding a control character (binary data, e.g. a
    spreadsheet or an image rather than a text export) or longer than the csv module reads.
    """
    numbered = list(enumerate(LINE_END.split(text), start=1))
    for n, line in numbered:
        control = _CONTROL.search(line)
        if control:
            raise FileFormatError(path, n, f"not a delimited text export (binary data: control character "
                                           f"{control.group()!r}); expected text in UTF-8, UTF-16 with a byte-order "
                                           "mark or Windows-1252, e.g. exported 'as text' or 'as CSV'")
        if len(line) > csv.field_size_limit():
            raise FileFormatError(path, n, f"line of {len(line)} characters, longer than the {csv.field_size_limit()} "
                                           "a delimited text export may have; expected one line per sample")
    return numbered


def _split(text: str, delimiter: str) -> list[str]:
    fields = next(csv.reader([text], delimiter=delimiter, quotechar='"', skipinitialspace=True))
    return [field.strip() for field in fields] or [""]


def _sniff_delimiter(lines: list[tuple[int, str]]) -> str | None:
    """The delimiter under which the most lines split into one and the same number (≥ 2) of fields.

    The lines counted are the first 50 non-blank ones (which hold the column header and any unit row) and the last
    200, without ``Key: value`` metadata lines (whose free text may hold commas); ties go to tab, then ';', then
    ','. A header, its unit row and the data lines split alike only under the right delimiter, also in a file of
    one or two samples. None when no delimiter splits any line.
    """
    texts = [text for _, text in lines if not _METADATA_LINE.match(text)]
    sample = texts[:50] + texts[max(50, len(texts) - 200):]
    best, best_count = None, 0
    for delimiter in DELIMITERS:
        widths = Counter(n for n in (len(_split(text, delimiter)) for text in sample) if n >= 2)
        count = max(widths.values(), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _time_like(field: str) -> bool:
    return bool(_CLOCK_LIKE.match(field) or _NUMBER_LIKE.match(field))


def _normalise_unit(text: str) -> str | None:
    """The unit a unit-row cell or header bracket names, in lightdose's spelling, or None if it is not a unit."""
    unit = text.strip().strip("[]()").strip()
    if not unit:
        return None
    if _CLOCK_UNIT.match(unit):
        return "clock"
    known = _UNIT_SPELLINGS.get(unit.lower())
    if known:
        return known
    try:
        parse_unit(unit)
    except InputError:
        return None
    return unit


def _is_unit_row(fields: list[str]) -> bool:
    filled = [field for field in fields if field]
    return bool(filled) and all(_normalise_unit(field) is not None for field in filled)


def _time_column(names: list[str]) -> int:
    """Index of the time column: the first named like a time (identifiers), else the first column."""
    return next((j for j, name in enumerate(names) if TIME_COLUMN.match(name)), 0)


def _header_names(labels: list[str]) -> list[str]:
    taken: set[str] = set()
    names = []
    for j, label in enumerate(labels):
        match = _BRACKET_UNIT.match(label)
        names.append(_identifier(match.group(1) if match and match.group(1).strip() else label, taken, j))
    return names


def _find_header(lines: list[tuple[int, str]], delimiter: str, path: str) -> tuple[int, int | None]:
    """Indices into `lines` of the column header and of the unit row (None when there is none).

    The header is the first line of ≥ 2 fields, not starting with a time, which is followed either by a data line
    (a number or clock time in the header's time column) or by a unit row and then a data line.
    """
    split = [_split(text, delimiter) for _, text in lines]

    def is_data(k: int, column: int) -> bool:
        return k < len(split) and column < len(split[k]) and _time_like(split[k][column])

    candidate = None
    for i, fields in enumerate(split):
        if _time_like(fields[0]):
            raise FileFormatError(path, lines[i][0], f"data line {lines[i][1][:40]!r} before any column header; "
                                                     "expected a header line naming the columns "
                                                     "(e.g. 'Time;Perfusion [PU]')")
        if len(fields) < 2:
            continue
        candidate = i if candidate is None or len(fields) > len(split[candidate]) else candidate
        column = _time_column(_header_names(fields))
        if is_data(i + 1, column):
            return i, None
        if i + 2 < len(split) and _is_unit_row(split[i + 1]) and is_data(i + 2, column):
            return i, i + 1
    if candidate is not None:
        header = lines[candidate][1][:60]
        after = f"found {lines[candidate + 1][1][:40]!r}" if candidate + 1 < len(lines) else "found the end of the file"
        raise FileFormatError(path, lines[candidate][0], f"no data lines follow the header {header!r}; expected the "
                                                         "next line, or the one after a unit row, to start with a "
                                                         f"time (a number or hh:mm:ss), {after}")
    raise FileFormatError(path, None, f"no column header with {DELIMITER_NAMES[delimiter]}-separated fields found; "
                                      "expected a header line naming the columns, an optional unit row, then one line "
                                      "per sample starting with its time")


def _identifier(label: str, taken: set[str], index: int) -> str:
    name = re.sub(r"[^0-9a-z]+", "_", label.lower().replace("°", "")).strip("_") or f"column_{index + 1}"
    if name[0].isdigit():
        name = f"ch_{name}"
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}_{n}", n + 1
    taken.add(unique)
    return unique


def _metadata(lines: list[tuple[int, str]], delimiter: str) -> dict[str, str]:
    """`Key: value`, `Key = value` or `Key<delimiter>value` lines before the header; other lines become `comment`."""
    meta: dict[str, str] = {}
    comments = []
    for _, text in lines:
        match = re.match(r"^\s*([^:=]+?)\s*[:=]\s*(.*)$", text)
        if match and not _CLOCK_LIKE.match(text.strip()):
            key, value = match.group(1), match.group(2).strip(f" {delimiter}")
        else:
            fields = [field for field in _split(text, delimiter) if field]
            key, value = (fields[0].rstrip(":"), " ".join(fields[1:])) if len(fields) >= 2 else ("", "")
        key = re.sub(r"[^0-9a-z]+", "_", key.lower()).strip("_")
        if key and value:
            key = f"meta_{key}" if key in _RESERVED_ATTRS or key[0].isdigit() else key
            meta[key] = value.replace(delimiter, " ").strip() if delimiter != "," else value
        elif text.strip():
            comments.append(text.strip())
    if comments:
        meta["comment"] = "\n".join(comments)
    return meta


def _sniff_decimal(rows: list[list[str]], columns: list[int]) -> str:
    comma = point = 0
    for fields in rows[:2000]:
        for j in columns:
            if j < len(fields):
                comma += bool(_COMMA_DECIMAL.match(fields[j]))
                point += bool(_POINT_DECIMAL.match(fields[j]))
    return "," if comma > point else "."


def _number(text: str, decimal: str) -> float | None:
    """The float a cell holds, NaN for a missing value, None if it is not a number in this file's notation."""
    if text.lower() in MISSING_TOKENS:
        return math.nan
    if not _NUMBER_LIKE.match(text):
        return None
    if decimal == ",":
        if "." in text:
            return None
        text = text.replace(",", ".")
    elif "," in text:
        return None
    return float(text)


def _clock_seconds(text: str) -> float | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    fraction = float(f"0.{match.group(4)}") if match.group(4) else 0.0
    return hours * 3600.0 + minutes * 60.0 + seconds + fraction


@dataclass(frozen=True)
class _Layout:
    """Where things are in an export: its delimiter, header, unit row and the role of each column."""

    delimiter: str
    header: int
    """Index of the column header in the non-blank lines."""
    unit_row: int | None
    labels: list[str]
    """The column names as written."""
    names: list[str]
    """Identifiers of the columns (``Perfusion 1 [PU]`` → ``perfusion_1``)."""
    bare: list[str]
    """The column names without a bracketed unit."""
    units: list[str | None]
    time: int
    events: list[int]
    dates: list[int]
    channels: list[int]

    @property
    def first_data(self) -> int:
        """Index of the first data line in the non-blank lines."""
        return (self.unit_row if self.unit_row is not None else self.header) + 1

    def fields(self, text: str) -> list[str]:
        """The fields of a line, without the empty one after a trailing delimiter."""
        fields = _split(text, self.delimiter)
        return fields[:-1] if len(fields) == len(self.labels) + 1 and fields[-1] == "" else fields


def _layout(lines: list[tuple[int, str]], delimiter: str, where: str) -> _Layout:
    """The header, the unit row, each column's name and unit, and which columns are time, events, date, channels."""
    header, unit_row = _find_header(lines, delimiter, where)
    labels = _split(lines[header][1], delimiter)
    labels = labels[:-1] if labels[-1] == "" else labels  # every line ends with the delimiter: drop the empty field
    ncol = len(labels)
    unit_cells = _split(lines[unit_row][1], delimiter) if unit_row is not None else [""] * ncol
    if unit_row is not None and len(unit_cells) == ncol + 1 and unit_cells[-1] == "":
        unit_cells = unit_cells[:-1]
    if len(unit_cells) != ncol:
        raise FileFormatError(where, lines[unit_row][0], f"unit row has {len(unit_cells)} fields, expected {ncol} "
                                                         f"as in the column header (line {lines[header][0]})")
    names = _header_names(labels)
    bare: list[str] = []
    units: list[str | None] = []
    for label, cell in zip(labels, unit_cells, strict=True):
        match = _BRACKET_UNIT.match(label)
        bracketed = bool(match and match.group(1).strip())
        bare.append(match.group(1).strip() if match and bracketed else label)
        units.append(_normalise_unit(cell) or (_normalise_unit(match.group(2)) if match and bracketed else None))
    time = _time_column(names)
    events = [j for j, name in enumerate(names) if j != time and EVENT_COLUMN.match(name)]
    dates = [j for j, name in enumerate(names) if j != time and DATE_COLUMN.match(name)]
    channels = [j for j in range(ncol) if j not in (time, *events, *dates)]
    if not channels:
        raise FileFormatError(where, lines[header][0], f"no numeric channel in the header {labels}; expected at least "
                                                       "one column besides time and markers")
    return _Layout(delimiter, header, unit_row, labels, names, bare, units, time, events, dates, channels)


def _clock_reader(where: str) -> Callable[[str, int], float]:
    """Reads clock times as seconds from the first one, adding a day each time the clock passes midnight."""
    origin = previous = None
    day_offset = 0.0

    def read(cell: str, line: int) -> float:
        nonlocal origin, previous, day_offset
        seconds = _clock_seconds(cell)
        if seconds is None:
            raise FileFormatError(where, line, f"cannot read the time {cell!r}; expected a clock time hh:mm:ss, "
                                               "hh:mm:ss.fff or hh:mm:ss,ff (hours 0–23)")
        origin = seconds if origin is None else origin
        if previous is not None and previous - seconds > MIDNIGHT_JUMP_S:
            day_offset += 86400.0  # the clock passed midnight
        previous = seconds
        return seconds + day_offset - origin

    return read


def _elapsed_reader(scale: float, decimal: str, where: str) -> Callable[[str, int], float]:
    """Reads elapsed times in the file's notation, times `scale` [s per unit of the column]."""

    def read(cell: str, line: int) -> float:
        number = _number(cell, decimal)
        if number is None or not math.isfinite(number):
            raise FileFormatError(where, line, f"cannot read the time {cell!r}; expected the elapsed time as a "
                                               f"number with '{decimal}' as the decimal separator")
        return number * scale

    return read


def _time_reader(layout: _Layout, lines: list[tuple[int, str]], first_time: str, decimal: str, where: str
                 ) -> tuple[Callable[[str, int], float], bool]:
    """The reader of the time column and whether it holds clock times (from the unit row, else the first cell)."""
    if layout.units[layout.time] == "clock" or _CLOCK_LIKE.match(first_time):
        return _clock_reader(where), True
    time_unit = layout.units[layout.time] or "s"
    if time_unit not in _TIME_UNIT_S:
        line = lines[layout.unit_row if layout.unit_row is not None else layout.header][0]
        raise FileFormatError(where, line, f"time column {layout.labels[layout.time]!r} has unit {time_unit!r}; "
                                           "expected s, ms, min, h or a clock time hh:mm:ss")
    return _elapsed_reader(_TIME_UNIT_S[time_unit], decimal, where), False


@dataclass
class _Samples:
    times: np.ndarray
    values: np.ndarray
    events: list[dict[str, Any]]
    date: str | None


def _samples(data: list[tuple[int, str]], rows: list[list[str]], layout: _Layout, decimal: str,
             read_time: Callable[[str, int], float], where: str, header_line: int) -> _Samples:
    """Times [s], channel values (NaN where missing), event markers and the first date of the data lines."""
    ncol = len(layout.labels)
    samples = _Samples(np.empty(len(rows)), np.empty((len(rows), len(layout.channels))), [], None)
    expect = f"a number with '{decimal}' as the decimal separator, or an empty cell or NaN for a missing value"
    previous = None
    for i, ((line, _), fields) in enumerate(zip(data, rows, strict=True)):
        if len(fields) != ncol:
            raise FileFormatError(where, line, f"{len(fields)} {DELIMITER_NAMES[layout.delimiter]}-separated fields, "
                                               f"expected {ncol} as in the column header (line {header_line})")
        cell = fields[layout.time]
        t = read_time(cell, line)
        if previous is not None and t <= previous:
            raise FileFormatError(where, line, f"time {cell!r} ({t:g} s) does not come after the previous sample "
                                               f"({previous:g} s); expected strictly increasing times")
        previous = samples.times[i] = t
        for k, j in enumerate(layout.channels):
            number = _number(fields[j], decimal)
            if number is None or math.isinf(number):
                raise FileFormatError(where, line, f"cannot read {fields[j]!r} in column {layout.labels[j]!r} as a "
                                                   f"number; expected {expect}")
            samples.values[i, k] = number
        samples.events += [{"time_s": float(t), "label": fields[j]} for j in layout.events if fields[j]]
        if samples.date is None and layout.dates and fields[layout.dates[0]]:
            samples.date = fields[layout.dates[0]]
    return samples


def _choose_decimal(decimal: str | None, delimiter: str, rows: list[list[str]], layout: _Layout) -> str:
    if decimal is None:
        return "." if delimiter == "," else _sniff_decimal(rows, [layout.time, *layout.channels])
    if decimal not in (".", ","):
        raise InputError("decimal", f"{decimal!r} is not supported; use '.' or ','")
    if decimal == "," and delimiter == ",":
        raise InputError("decimal", "',' cannot be the decimal separator when ',' separates the fields")
    return decimal


def read_ldf(path: str | Path, *, delimiter: str | None = None, decimal: str | None = None,
             encoding: str | None = None) -> xr.Dataset:
    """Read a laser-Doppler export (delimited text) into a Dataset over time ``t`` [s].

    - `delimiter`: field separator (tab, ``";"`` or ``","``); default: the one under which the most lines — the
      header and unit row among them — split into the same number of fields (see :func:`_sniff_delimiter`).
    - `decimal`: ``"."`` or ``","``; default: detected (the more frequent of ``12,5``-like and ``12.5``-like cells).
    - `encoding`: text encoding; default: UTF-16 when the file starts with its byte-order mark, else UTF-8,
      falling back to Windows-1252.

    Layout: metadata lines (``Key: value`` or ``Key;value``; stored in ``attrs`` under an identifier such as
    ``sampling_rate``; other lines before the header go to ``attrs["comment"]``), the column header, an optional
    unit row (``hh:mm:ss``, ``PU``, ``°C``, ``s``; recognised when every filled cell is a unit), then the samples.
    Lines end with LF, CRLF or CR (mixed, too); blank lines are skipped.

    Columns: the time column is the first one named like a time (``Time``, ``t``, ``Zeit``, ``Clock`` …), else the
    first column. Clock times ``hh:mm:ss[.fff|,ff]`` become seconds from the first sample (a step back by more
    than 12 h is read as passing midnight; the first clock time is kept as ``attrs["start_clock_time"]``);
    elapsed times in s, ms, min or h (from the unit; s if none) are kept as written, converted to s.
    Columns named ``Mark``, ``Event``, ``Comment``, ``Note`` … hold event markers: each non-empty cell becomes
    ``{"time_s": t, "label": text}`` in ``attrs["events"]``. A ``Date`` column is kept as ``attrs["date"]``
    (its first value). Every other column is a numeric channel: a variable over ``t`` named by an identifier
    (``Perfusion 1 [PU]`` → ``perfusion_1``), with ``attrs["label"]`` the original name and ``attrs["units"]``
    from the unit row, else the header's bracket, else ``PU`` for perfusion-like names, ``degC`` for
    temperature-like names and ``AU`` (arbitrary units) otherwise. Temperature units are spelled ``degC``.
    Empty cells and ``NaN``/``NA``/``N/A`` are missing values (NaN) in a channel; the analyses skip them.

    Raises :class:`FileFormatError` with the line number for: binary data (a control character, as in a
    spreadsheet or an image), a line with the wrong number of fields, a cell that is not a number in the file's
    notation, an unreadable or missing time, a time that does not increase, a data line before any header, no
    header, no data, or no numeric channel.
    """
    path = Path(path)
    where = str(path)
    text, used_encoding = _decode(path, encoding)
    lines = [(n, line) for n, line in _text_lines(text, where) if line.strip()]
    if not lines:
        raise FileFormatError(where, None, "the file is empty; expected a column header and data lines")
    if delimiter is not None and delimiter not in DELIMITERS:
        raise InputError("delimiter", f"{delimiter!r} is not supported; use '\\t', ';' or ','")
    delimiter = delimiter or _sniff_delimiter(lines)
    if delimiter is None:
        raise FileFormatError(where, lines[-1][0], "no tab-, semicolon- or comma-separated columns found; expected "
                                                   "a header line and data lines with ≥ 2 fields each")
    layout = _layout(lines, delimiter, where)
    header_line = lines[layout.header][0]
    data = lines[layout.first_data:]
    rows = [layout.fields(text) for _, text in data]
    decimal = _choose_decimal(decimal, delimiter, rows, layout)
    first_time = rows[0][layout.time] if len(rows[0]) > layout.time else ""
    read_time, clock = _time_reader(layout, lines, first_time, decimal, where)
    samples = _samples(data, rows, layout, decimal, read_time, where, header_line)

    attrs: dict[str, Any] = {
        **_metadata(lines[:layout.header], delimiter),
        "source_file": where,
        "lightdose_version": __version__,
        "delimiter": DELIMITER_NAMES[delimiter],
        "decimal_separator": decimal,
        "encoding": used_encoding,
        "time_format": "clock" if clock else "elapsed",
        "header_line": header_line,
        "events": samples.events,
    }
    if clock:
        attrs["start_clock_time"] = first_time
    if samples.date is not None:
        attrs.setdefault("date", samples.date)
    if len(samples.times) > 1:
        attrs["sampling_interval_s"] = float(np.median(np.diff(samples.times)))
    variables = {layout.names[j]: ("t", samples.values[:, k], {"units": _channel_unit(layout, j),
                                                                "label": layout.bare[j]})
                 for k, j in enumerate(layout.channels)}
    t_attrs = {"units": "s", "long_name": "time from the first sample", "label": layout.bare[layout.time]}
    return xr.Dataset(variables, coords={"t": ("t", samples.times, t_attrs)}, attrs=attrs)


def _channel_unit(layout: _Layout, j: int) -> str:
    """The unit of column `j`: as the file gives it, else PU for perfusion-like and degC for temperature-like
    names, else AU."""
    given = layout.units[j]
    if given is not None:
        return given
    if PERFUSION_NAME.search(layout.bare[j]):
        return "PU"
    return "degC" if TEMPERATURE_NAME.search(layout.names[j]) else "AU"


def pick_channel(ds: xr.Dataset, name: str | None, field: str, units: frozenset[str], what: str) -> str:
    """The channel of a recording called `name`, or by default the first whose units are in `units`; an
    :class:`InputError` naming `field` when there is none, or when it is not in `units` (`what` names the kind of
    channel in messages: 'perfusion', 'temperature')."""
    names = [n for n, var in ds.data_vars.items() if var.dims == ("t",)]
    accepted = "/".join(sorted(units))
    if name is None:
        name = next((n for n in names if ds[n].attrs.get("units") in units), None)
        if name is None:
            raise InputError(field, f"no {what} channel (units {accepted}) among {names}; name one")
    if name not in names:
        raise InputError(field, f"no channel {name!r} in the recording; available: {', '.join(names)}")
    if ds[name].attrs.get("units") not in units:
        raise InputError(field, f"{name!r} is in {ds[name].attrs.get('units')}, not a {what} channel ({accepted})")
    return name
