"""Laser-Doppler flowmetry (LDF) recordings: import of delimited-text exports and the standard analyses of a
local-heating test.

Import (:func:`read_ldf`) reads the text files that LDF acquisition software exports: optional metadata lines
(``Subject: S01``, ``Sampling rate;32 Hz``), one column header, an optional unit row under it, then one line per
sample. The field separator (tab, ``;`` or ``,``), the decimal separator (``.`` or ``,``; never ``,`` when ``,``
separates the fields), the time format (elapsed time in s, ms, min or h, or clock time ``hh:mm:ss``,
``hh:mm:ss.fff``, ``hh:mm:ss,ff``, which may pass midnight) and the text encoding (UTF-8, UTF-16 with a byte-order
mark, Windows-1252) are detected. Every malformed line raises :class:`~lightdose.errors.FileFormatError` naming its
1-based line number in the file. See docs/ldf.md for the formats with examples.

Analyses (:func:`analyse`) of one perfusion channel around a heating stimulus: baseline, peak, plateau, area
under the curve above baseline, % of the maximum (from a marked maximal-heating segment or given) and the time
back to baseline after the heat stops. The phases follow the local-heating protocol of Minson, Berry & Joyner
2001 (J Appl Physiol 91:1619; SCIENCE.md §7): baseline, heating to 42 °C (initial peak, nadir, plateau), heating to
43–44 °C for the maximum, heat off and recovery.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.errors import FileFormatError, InputError
from lightdose.model_base import FrozenModel
from lightdose.units import parse_quantity, ureg

DELIMITERS = ("\t", ";", ",")
"""Field separators tried, in this order of preference."""
DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}
MISSING_TOKENS = frozenset({"", "nan", "na", "n/a"})
"""Cells read as a missing value (NaN), compared case-insensitively. Time cells may never be missing."""
MIDNIGHT_JUMP_S = 43200.0
"""A clock time more than 12 h earlier than the previous one is read as the next day (the recording passed
midnight); a smaller step backwards is an error."""

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


# --------------------------------------------------------------------------------------------------- import


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
    """The first delimiter (tab, ';', ',') that splits at least half of the last 200 non-blank lines."""
    tail = [text for _, text in lines][-200:]
    for delimiter in DELIMITERS:
        if sum(len(_split(text, delimiter)) >= 2 for text in tail) >= 0.5 * len(tail):
            return delimiter
    return None


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
        ureg.parse_units(unit.replace("°C", "degC").replace("µ", "u"))
    except Exception:  # pint raises several unrelated exception types for unreadable strings
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
        candidate = i if candidate is None else candidate
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


def read_ldf(path: str | Path, *, delimiter: str | None = None, decimal: str | None = None,
             encoding: str | None = None) -> xr.Dataset:
    """Read a laser-Doppler export (delimited text) into a Dataset over time ``t`` [s].

    - `delimiter`: field separator (tab, ``";"`` or ``","``); default: detected from the data lines.
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
    header_index, unit_index = _find_header(lines, delimiter, where)
    header_line = lines[header_index][0]
    labels = _split(lines[header_index][1], delimiter)
    trailing = labels[-1] == ""  # every line ends with the delimiter: drop the empty last field
    labels = labels[:-1] if trailing else labels
    ncol = len(labels)
    unit_cells = _split(lines[unit_index][1], delimiter) if unit_index is not None else [""] * ncol
    if unit_index is not None and len(unit_cells) == ncol + 1 and unit_cells[-1] == "":
        unit_cells = unit_cells[:-1]
    if len(unit_cells) != ncol:
        raise FileFormatError(where, lines[unit_index][0], f"unit row has {len(unit_cells)} fields, expected {ncol} "
                                                           f"as in the column header (line {header_line})")

    names = _header_names(labels)
    bare: list[str] = []
    units: list[str | None] = []
    for j, label in enumerate(labels):
        match = _BRACKET_UNIT.match(label)
        bracketed = bool(match and match.group(1).strip())
        bare.append(match.group(1).strip() if bracketed else label)
        units.append(_normalise_unit(unit_cells[j]) or (_normalise_unit(match.group(2)) if bracketed else None))

    time_col = _time_column(names)
    event_cols = [j for j, name in enumerate(names) if j != time_col and EVENT_COLUMN.match(name)]
    date_cols = [j for j, name in enumerate(names) if j != time_col and DATE_COLUMN.match(name)]
    numeric_cols = [j for j in range(ncol) if j not in (time_col, *event_cols, *date_cols)]
    if not numeric_cols:
        raise FileFormatError(where, header_line, f"no numeric channel in the header {labels}; expected at least "
                                                  "one column besides time and markers")

    data = lines[(unit_index if unit_index is not None else header_index) + 1:]
    rows = [_split(text, delimiter) for _, text in data]
    rows = [fields[:-1] if len(fields) == ncol + 1 and fields[-1] == "" else fields for fields in rows]
    if decimal is None:
        decimal = "." if delimiter == "," else _sniff_decimal(rows, [time_col, *numeric_cols])
    elif decimal not in (".", ","):
        raise InputError("decimal", f"{decimal!r} is not supported; use '.' or ','")
    elif decimal == "," and delimiter == ",":
        raise InputError("decimal", "',' cannot be the decimal separator when ',' separates the fields")

    first_time = rows[0][time_col] if len(rows[0]) > time_col else ""
    clock = units[time_col] == "clock" or bool(_CLOCK_LIKE.match(first_time))
    if clock:
        scale = 1.0
    else:
        time_unit = units[time_col] or "s"
        if time_unit not in _TIME_UNIT_S:
            line = lines[unit_index][0] if unit_index is not None else header_line
            raise FileFormatError(where, line, f"time column {labels[time_col]!r} has unit {time_unit!r}; expected "
                                               "s, ms, min, h or a clock time hh:mm:ss")
        scale = _TIME_UNIT_S[time_unit]

    times = np.empty(len(rows))
    values = np.empty((len(rows), len(numeric_cols)))
    events: list[dict[str, Any]] = []
    date_value = None
    day_offset = 0.0
    origin = previous = previous_clock = None
    expect = (f"a number with '{decimal}' as the decimal separator, or an empty cell or NaN for a missing value")
    for i, ((line, _), fields) in enumerate(zip(data, rows, strict=True)):
        if len(fields) != ncol:
            raise FileFormatError(where, line, f"{len(fields)} {DELIMITER_NAMES[delimiter]}-separated fields, expected "
                                               f"{ncol} as in the column header (line {header_line})")
        cell = fields[time_col]
        if clock:
            seconds = _clock_seconds(cell)
            if seconds is None:
                raise FileFormatError(where, line, f"cannot read the time {cell!r}; expected a clock time hh:mm:ss, "
                                                   "hh:mm:ss.fff or hh:mm:ss,ff (hours 0–23)")
            if origin is None:
                origin = seconds
            if previous_clock is not None and previous_clock - seconds > MIDNIGHT_JUMP_S:
                day_offset += 86400.0  # the clock passed midnight
            previous_clock = seconds
            t = seconds + day_offset - origin
        else:
            number = _number(cell, decimal)
            if number is None or not math.isfinite(number):
                raise FileFormatError(where, line, f"cannot read the time {cell!r}; expected the elapsed time as a "
                                                   f"number with '{decimal}' as the decimal separator")
            t = number * scale
        if previous is not None and t <= previous:
            raise FileFormatError(where, line, f"time {cell!r} ({t:g} s) does not come after the previous sample "
                                               f"({previous:g} s); expected strictly increasing times")
        previous = t
        times[i] = t
        for k, j in enumerate(numeric_cols):
            number = _number(fields[j], decimal)
            if number is None or math.isinf(number):
                raise FileFormatError(where, line, f"cannot read {fields[j]!r} in column {labels[j]!r} as a number; "
                                                   f"expected {expect}")
            values[i, k] = number
        for j in event_cols:
            if fields[j]:
                events.append({"time_s": float(t), "label": fields[j]})
        if date_value is None and date_cols and fields[date_cols[0]]:
            date_value = fields[date_cols[0]]

    attrs: dict[str, Any] = {
        **_metadata(lines[:header_index], delimiter),
        "source_file": where,
        "lightdose_version": __version__,
        "delimiter": DELIMITER_NAMES[delimiter],
        "decimal_separator": decimal,
        "encoding": used_encoding,
        "time_format": "clock" if clock else "elapsed",
        "header_line": header_line,
        "events": events,
    }
    if clock:
        attrs["start_clock_time"] = rows[0][time_col]
    if date_value is not None:
        attrs.setdefault("date", date_value)
    if len(times) > 1:
        attrs["sampling_interval_s"] = float(np.median(np.diff(times)))

    variables = {}
    for k, j in enumerate(numeric_cols):
        unit = units[j]
        if unit is None:
            unit = "PU" if PERFUSION_NAME.search(bare[j]) else "degC" if TEMPERATURE_NAME.search(names[j]) else "AU"
        variables[names[j]] = ("t", values[:, k], {"units": unit, "label": bare[j]})
    t_attrs = {"units": "s", "long_name": "time from the first sample", "label": bare[time_col]}
    return xr.Dataset(variables, coords={"t": ("t", times, t_attrs)}, attrs=attrs)


# ------------------------------------------------------------------------------------------------- analyses

_ON = re.compile(r"\b(heat(ing|er)?|stim(ulus|ulation)?|warm(ing)?)[\s_-]*(on|start|begin)\b|"
                 r"\b(start|begin)[\s_-]*(of[\s_-]*)?(heat(ing)?|stim(ulus|ulation)?)\b|^on$", re.IGNORECASE)
_OFF = re.compile(r"\b(heat(ing|er)?|stim(ulus|ulation)?|warm(ing)?)[\s_-]*(off|stop|end)\b|"
                  r"\b(stop|end)[\s_-]*(of[\s_-]*)?(heat(ing)?|stim(ulus|ulation)?)\b|^off$", re.IGNORECASE)
_MAX = re.compile(r"\bmax(imum|imal)?\b", re.IGNORECASE)
PERFUSION_UNITS = frozenset({"PU", "AU", "BPU"})
"""Units of channels the analyses accept (perfusion units, arbitrary units)."""


class LdfAnalysis(FrozenModel):
    """Standard analyses of one perfusion channel around a heating stimulus. Times are recording times [s] from
    the first sample unless named ``latency``/``time_to``; ``_pu`` values are in the channel's perfusion units."""

    channel: str
    units: str
    stimulus_on_s: float
    stimulus_off_s: float
    heating_end_s: float
    """End of the local-heating phase analysed for peak, plateau and AUC: the start of a maximal-heating segment
    inside the stimulus, else the stimulus end."""
    baseline_start_s: float
    baseline_end_s: float
    baseline_pu: float
    baseline_sd_pu: float
    peak_pu: float
    peak_time_s: float
    peak_latency_s: float
    nadir_pu: float
    nadir_time_s: float
    plateau_start_s: float
    plateau_end_s: float
    plateau_pu: float
    plateau_sd_pu: float
    auc_pu_s: float
    maximum_pu: float | None
    maximum_source: str
    maximum_start_s: float | None
    maximum_end_s: float | None
    baseline_pct_max: float | None
    peak_pct_max: float | None
    plateau_pct_max: float | None
    recovery_threshold_pu: float
    time_to_baseline_s: float | None
    smoothing_s: float
    recovery_k_sd: float
    missing_samples: int


def _time(value: Any, field: str) -> float:
    return parse_quantity(value, "time", field)


def _window(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(field, f"expected a (start, end) pair of times in s or with units, got {value!r}")
    start, end = _time(value[0], f"{field}[0]"), _time(value[1], f"{field}[1]")
    if end <= start:
        raise InputError(field, f"end {end:g} s must come after start {start:g} s")
    return start, end


def _events(ds: xr.Dataset) -> list[tuple[float, str]]:
    return sorted((float(e["time_s"]), str(e["label"])) for e in ds.attrs.get("events", []))


def _stimulus_from_markers(events: list[tuple[float, str]]) -> tuple[float, float]:
    on = next((t for t, label in events if _ON.search(label)), None)
    if on is None:
        raise InputError("stimulus", "the recording has no 'heat on' marker; give the stimulus window in s, "
                                     "e.g. stimulus=(600, 3300)")
    off = next((t for t, label in events if t > on and _OFF.search(label)), None)
    if off is None:
        raise InputError("stimulus", f"the recording has a 'heat on' marker at {on:g} s but no 'heat off' marker "
                                     "after it; give the stimulus window in s, e.g. stimulus=(600, 3300)")
    return on, off


def _segment(t: np.ndarray, x: np.ndarray, start: float, end: float, what: str, minimum: int = 1
             ) -> tuple[np.ndarray, np.ndarray]:
    """The samples in the half-open window [start, end)."""
    inside = (t >= start) & (t < end)
    if inside.sum() < minimum:
        raise InputError(what, f"the window {start:g}…{end:g} s holds {int(inside.sum())} valid samples, "
                               f"need at least {minimum} (recording spans {t[0]:g}…{t[-1]:g} s)")
    return t[inside], x[inside]


def smooth(t: np.ndarray, x: np.ndarray, width_s: float) -> np.ndarray:
    """Centred moving average of `x` over a time window of `width_s` [s] (samples with |tⱼ − tᵢ| ≤ width/2;
    the window shrinks at the ends). `width_s` = 0 returns `x` unchanged."""
    if width_s <= 0.0 or len(x) < 2:
        return np.asarray(x, dtype=float).copy()
    cumulative = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.searchsorted(t, t - width_s / 2.0, side="left")
    hi = np.searchsorted(t, t + width_s / 2.0, side="right")
    return (cumulative[hi] - cumulative[lo]) / (hi - lo)


def _integrate(t: np.ndarray, x: np.ndarray, start: float, end: float) -> float:
    """∫ x dt over [start, end], x linear between samples (interpolated at the window's ends)."""
    inside = (t > start) & (t < end)
    tt = np.concatenate([[start], t[inside], [end]])
    xx = np.concatenate([[np.interp(start, t, x)], x[inside], [np.interp(end, t, x)]])
    return float(np.trapezoid(xx, tt))


def analyse(ds: xr.Dataset, channel: str | None = None, stimulus: Any = None, maximum: Any = None, *,
            baseline: Any = None, baseline_window_s: Any = 300.0, peak_window_s: Any = 600.0,
            plateau_window_s: Any = 300.0, maximum_window_s: Any = 120.0, smoothing_s: Any = 30.0,
            recovery_k_sd: float = 2.0) -> LdfAnalysis:
    """Baseline, peak, plateau, area under the curve, % of maximum and time back to baseline of one channel.

    Inputs (times in s, or strings with units such as ``"10 min"``):

    - `channel`: the variable to analyse (default: the first channel in PU/AU, i.e. the first perfusion channel).
    - `stimulus`: the heating window ``(on, off)``; default: the first ``heat on`` marker and the first
      ``heat off`` marker after it (also ``stimulus start``/``stop``, ``heating on``/``off`` …). Neither: InputError.
    - `maximum`: the maximal perfusion, as a value in the channel's units, or a window ``(start, end)`` whose
      last `maximum_window_s` are averaged. Default: the segment from a ``max`` marker to the next event (or the end
      of the recording), its last `maximum_window_s` averaged; with no such marker, no % of maximum (None).
    - `baseline`: the baseline window; default the last `baseline_window_s` before the stimulus.

    Rules (all on the channel's valid samples; missing values are skipped and counted in `missing_samples`;
    a window [start, end) holds the samples with start ≤ t < end):

    - baseline: mean and sample SD (ddof = 1) of the raw signal over the baseline window.
    - heating phase: stimulus on → the start of a ``max`` segment inside the stimulus, else → stimulus off.
      A 42 °C test followed by 44 °C for the maximum thus gives the 42 °C peak and plateau.
    - peak (the initial, axon-reflex peak): the highest value, within the first `peak_window_s` of the heating
      phase, of the signal smoothed by a centred moving average over `smoothing_s` (computed within the heating
      phase only), and its time; `peak_latency_s` counts from stimulus on. Give a `peak_window_s` as long as the
      stimulus for the highest value of the whole heating phase.
    - plateau: mean and SD of the raw signal over the last `plateau_window_s` of the heating phase.
    - nadir: the lowest smoothed value between the peak and the plateau window (the peak itself if there is
      nothing between them).
    - AUC: ∫ (signal − baseline) dt over the heating phase [PU·s], signal linear between samples; parts below
      baseline count negative.
    - % of maximum: 100 · value / maximum for baseline, peak and plateau (no biological-zero subtraction).
    - time to baseline: the first time after stimulus off at which the signal, smoothed over `smoothing_s`
      within the recovery segment only, is at or below baseline + `recovery_k_sd` · baseline SD, counted from
      stimulus off; None if it never gets there before the recording ends (or before a ``max`` segment that
      starts after the stimulus).

    Windows longer than their phase are shortened to it; the windows used are part of the result.
    """
    names = [name for name, var in ds.data_vars.items() if var.dims == ("t",)]
    if channel is None:
        channel = next((n for n in names if ds[n].attrs.get("units") in PERFUSION_UNITS), None)
        if channel is None:
            raise InputError("channel", f"no perfusion channel (units PU or AU) among {names}; name one")
    if channel not in names:
        raise InputError("channel", f"no channel {channel!r} in the recording; available: {', '.join(names)}")
    units = str(ds[channel].attrs.get("units", "PU"))
    if units not in PERFUSION_UNITS:
        accepted = "/".join(sorted(PERFUSION_UNITS))
        raise InputError("channel", f"{channel!r} is in {units}, not a perfusion channel ({accepted})")
    smoothing = _time(smoothing_s, "smoothing_s")
    if smoothing < 0.0:
        raise InputError("smoothing_s", f"must be ≥ 0 s, got {smoothing:g} s")
    if not (isinstance(recovery_k_sd, int | float) and math.isfinite(recovery_k_sd) and recovery_k_sd >= 0.0):
        raise InputError("recovery_k_sd", f"must be a finite number ≥ 0, got {recovery_k_sd!r}")
    windows = {}
    for field, value in (("baseline_window_s", baseline_window_s), ("peak_window_s", peak_window_s),
                         ("plateau_window_s", plateau_window_s), ("maximum_window_s", maximum_window_s)):
        windows[field] = _time(value, field)
        if windows[field] <= 0.0:
            raise InputError(field, f"must be > 0 s, got {windows[field]:g} s")

    t_all = np.asarray(ds["t"].values, dtype=float)
    x_all = np.asarray(ds[channel].values, dtype=float)
    valid = np.isfinite(x_all)
    t, x = t_all[valid], x_all[valid]
    if t.size < 3:
        raise InputError("channel", f"{channel!r} has {t.size} valid samples; need at least 3")

    events = _events(ds)
    on, off = _window(stimulus, "stimulus") if stimulus is not None else _stimulus_from_markers(events)
    if on < t[0] or off > t[-1]:
        raise InputError("stimulus", f"window {on:g}…{off:g} s lies outside the recording ({t[0]:g}…{t[-1]:g} s)")

    max_marker = next((time for time, label in events if _MAX.search(label) and time > on), None)
    heating_end = max_marker if max_marker is not None and max_marker < off else off

    if baseline is not None:
        b_start, b_end = _window(baseline, "baseline")
    else:
        b_start, b_end = max(t[0], on - windows["baseline_window_s"]), on
    _, b_x = _segment(t, x, b_start, b_end, "baseline", minimum=2)
    base, base_sd = float(np.mean(b_x)), float(np.std(b_x, ddof=1))

    h_t, h_x = _segment(t, x, on, heating_end, "stimulus", minimum=2)
    h_smooth = smooth(h_t, h_x, smoothing)
    k = int(np.argmax(np.where(h_t < on + windows["peak_window_s"], h_smooth, -np.inf)))
    peak, peak_time = float(h_smooth[k]), float(h_t[k])

    p_start = max(on, heating_end - windows["plateau_window_s"])
    between = np.nonzero((h_t >= peak_time) & (h_t < p_start))[0]
    n = int(between[np.argmin(h_smooth[between])]) if between.size else k
    nadir, nadir_time = float(h_smooth[n]), float(h_t[n])
    _, p_x = _segment(t, x, p_start, heating_end, "plateau_window_s", minimum=1)
    plateau = float(np.mean(p_x))
    plateau_sd = float(np.std(p_x, ddof=1)) if p_x.size > 1 else 0.0

    auc = _integrate(t, x, on, heating_end) - base * (heating_end - on)

    source, max_value, m_start, m_end = "none", None, None, None
    if maximum is not None and not isinstance(maximum, list | tuple):
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or not math.isfinite(maximum) \
                or maximum <= 0:
            raise InputError("maximum", f"expected a positive value in {units} or a (start, end) window, "
                                        f"got {maximum!r}")
        source, max_value = "given", float(maximum)
    else:
        if maximum is not None:
            window, source = _window(maximum, "maximum"), "window"
        elif max_marker is not None:
            following = next((time for time, _ in events if time > max_marker), float(t[-1]))
            window, source = (max_marker, following), "marker"
        else:
            window = None
        if window is not None:
            m_end = window[1]
            m_start = max(window[0], m_end - windows["maximum_window_s"])
            _, m_x = _segment(t, x, m_start, m_end, "maximum", minimum=1)
            max_value = float(np.mean(m_x))
            if max_value <= 0.0:
                raise InputError("maximum", f"the mean over {m_start:g}…{m_end:g} s is {max_value:g} {units}; "
                                            "a maximum must be positive")

    def pct(value: float) -> float | None:
        return None if max_value is None else 100.0 * value / max_value

    threshold = base + recovery_k_sd * base_sd
    recovery_end = max_marker if max_marker is not None and max_marker > off else math.inf
    r_inside = (t >= off) & (t < recovery_end)
    time_to_baseline = None
    if r_inside.sum() >= 1:
        r_t = t[r_inside]
        below = np.nonzero(smooth(r_t, x[r_inside], smoothing) <= threshold)[0]
        if below.size:
            time_to_baseline = float(r_t[below[0]] - off)

    result = LdfAnalysis(
        channel=channel, units=units, stimulus_on_s=on, stimulus_off_s=off, heating_end_s=heating_end,
        baseline_start_s=b_start, baseline_end_s=b_end, baseline_pu=base, baseline_sd_pu=base_sd,
        peak_pu=peak, peak_time_s=peak_time, peak_latency_s=peak_time - on, nadir_pu=nadir, nadir_time_s=nadir_time,
        plateau_start_s=p_start, plateau_end_s=heating_end, plateau_pu=plateau, plateau_sd_pu=plateau_sd,
        auc_pu_s=auc, maximum_pu=max_value, maximum_source=source, maximum_start_s=m_start, maximum_end_s=m_end,
        baseline_pct_max=pct(base), peak_pct_max=pct(peak), plateau_pct_max=pct(plateau),
        recovery_threshold_pu=threshold, time_to_baseline_s=time_to_baseline, smoothing_s=smoothing,
        recovery_k_sd=float(recovery_k_sd), missing_samples=int((~valid).sum()),
    )
    for key, value in result.model_dump().items():
        if isinstance(value, float) and not math.isfinite(value):  # a guard: no silent NaN leaves the analysis
            raise InputError(key, f"came out as {value}; check the channel's values and the windows")
    return result


def analyse_all(ds: xr.Dataset, **options: Any) -> dict[str, LdfAnalysis]:
    """:func:`analyse` of every perfusion channel (units PU/AU) of a recording, by channel name, with the same
    `options` (stimulus, maximum, windows …). For ``lightdose ldf analyse FILE``."""
    channels = [name for name, var in ds.data_vars.items()
                if var.dims == ("t",) and var.attrs.get("units") in PERFUSION_UNITS]
    if not channels:
        raise InputError("channel", f"no perfusion channel (units PU or AU) among {list(ds.data_vars)}")
    return {name: analyse(ds, name, **options) for name in channels}
