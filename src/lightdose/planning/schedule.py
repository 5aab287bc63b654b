"""Treatment schedules written in words, parsed into typed steps.

In the spirit of PyBaMM's experiments ("Discharge at 1C for 1 hour"), a schedule is a short sentence of clauses
separated by commas, semicolons or "and"; each kind of clause may appear once:

- frequency: "3 times a week", "2–4 times a week", "3x per week", "3/week", "three times a week", "once a week",
  "twice weekly", "daily", "once daily", "twice a day", "2 a day", "every other day" (3.5 a week); a daily
  frequency is stored as sessions per week (7 × per day) and still said per day;
- course length: "for 4 weeks", "for 6–8 weeks" (the longer end is planned);
- session length: "20 min" (fixed), "start 10–15 min" and "build to 30–40 min", or "10 min building to 30 min".
  Session lengths are positive, at most :data:`MAX_SESSION_S`, and never shrink over the course.

>>> Schedule.parse("start 10–15 min, build to 30–40 min, 2–4 times a week").session_end
Span(low=1800.0, high=2400.0)

Session lengths are stored in seconds. Light plans take their exposure from the dose; a session length in their
schedule is reported but does not change the exposure.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from lightdose.errors import InputError
from lightdose.limits import MAX_SESSION_S
from lightdose.model_base import FrozenModel, describe_validation_error

_COUNT_WORDS = {"one": 1.0, "once": 1.0, "two": 2.0, "twice": 2.0, "three": 3.0, "thrice": 3.0, "four": 4.0,
                "five": 5.0, "six": 6.0, "seven": 7.0}
_COUNT = r"(\d+(?:\.\d+)?|" + "|".join(_COUNT_WORDS) + ")"
_TO = r"\s*(?:-|–|—|to)\s*"
_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = _NUMBER + r"(?:" + _TO + _NUMBER + r")?"
_UNIT = r"\s*(min|mins|minutes?|h|hours?)"
_UNIT_SECONDS = {"min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0, "h": 3600.0, "hour": 3600.0,
                 "hours": 3600.0}
_COUNTS = _COUNT + r"(?:" + _TO + _COUNT + r")?(?:\s*(?:times?|x|sessions?))?"
_FREQUENCY = (  # a count (or a range) per week or per day: "3 times a week", "3/week", "twice daily", "daily"
    re.compile(_COUNTS + r"\s*(?:(?:a|per|each|every)\s+|/\s*)(week|day)"),
    re.compile(_COUNTS + r"\s+(week|dai)ly"),
    re.compile(r"()()(?:every\s+(week|day)|(?:week|dai)ly)"),
)
EVERY_OTHER_DAY = 3.5
"""Sessions a week of "every other day"."""
MAX_SESSIONS_PER_WEEK = 14.0
"""Most sessions a week (twice a day)."""
_CLAUSE_NAMES = {"sessions_per_week": "frequency", "said_per": "frequency", "weeks": "course length",
                 "session_start": "session length", "session_end": "session length built up to"}
EXAMPLE = "'3 times a week for 4 weeks, 10 min building to 30 min'"


class Span(FrozenModel):
    """A value or a range, `low` ≤ `high` (a fixed value has low = high)."""

    low: float = Field(ge=0.0)
    high: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.high < self.low:
            raise ValueError(f"range {self.low:g}–{self.high:g} runs backwards")
        return self

    def text(self, scale: float = 1.0, digits: int = 3) -> str:
        """'10' or '10–15' (values divided by `scale`)."""
        low, high = self.low / scale, self.high / scale
        return f"{low:.{digits}g}" if low == high else f"{low:.{digits}g}–{high:.{digits}g}"


def _count(word: str | None) -> float | None:
    """'3' → 3, 'twice' → 2; None or '' → None."""
    return _COUNT_WORDS.get(word) or float(word) if word else None


def _span(match: re.Match[str], first: int = 1, scale: float = 1.0) -> Span:
    low = float(match.group(first))
    high = float(match.group(first + 1)) if match.group(first + 1) else low
    return Span(low=low * scale, high=high * scale)


def _seconds(match: re.Match[str], first: int) -> Span:
    """A duration range whose unit is the group after the range."""
    return _span(match, first, _UNIT_SECONDS[match.group(first + 2)])


def _frequency(clause: str) -> tuple[Span, Literal["week", "day"]] | None:
    """Sessions per week and the unit it was said in, or None if `clause` is no frequency."""
    if re.fullmatch(r"every\s+(?:other|second)\s+day", clause):
        return Span(low=EVERY_OTHER_DAY, high=EVERY_OTHER_DAY), "week"
    for pattern in _FREQUENCY:
        if m := pattern.fullmatch(clause):
            low = _count(m.group(1)) or 1.0
            high = _count(m.group(2)) or low
            per: Literal["week", "day"] = "week" if (m.group(3) or clause).startswith("week") else "day"
            days = 7.0 if per == "day" else 1.0
            return Span(low=low * days, high=high * days), per
    return None


class Schedule(FrozenModel):
    """Sessions per week, course length and session length (fixed, or building from a start to an end)."""

    sessions_per_week: Span = Span(low=3.0, high=3.0)
    said_per: Literal["week", "day"] = Field(default="week", description="say the frequency per week or per day")
    weeks: Span | None = None
    session_start: Span | None = Field(default=None, description="first sessions' length [s]")
    session_end: Span | None = Field(default=None, description="session length built up to [s]")
    text: str = ""

    @model_validator(mode="after")
    def _sensible(self) -> Schedule:
        if not 1.0 <= self.sessions_per_week.low <= self.sessions_per_week.high <= MAX_SESSIONS_PER_WEEK:
            raise ValueError(f"{self.frequency_text()} is outside the allowed range 1–{MAX_SESSIONS_PER_WEEK:g} "
                             "sessions a week (twice a day at most)")
        if self.weeks is not None and not 1.0 <= self.weeks.low <= self.weeks.high <= 104.0:
            raise ValueError(f"{self.weeks.text()} weeks is outside the allowed range 1–104 weeks")
        if (self.session_start is None) != (self.session_end is None):
            raise ValueError("give both session_start and session_end (equal for a fixed length), or neither")
        if self.session_start is not None and self.session_end is not None:
            for span in (self.session_start, self.session_end):
                if not 0.0 < span.low <= span.high <= MAX_SESSION_S:
                    raise ValueError(f"a session of {span.text(60)} min is outside the allowed range: longer than "
                                     f"0 min, at most {MAX_SESSION_S / 60:g} min")
            if self.session_end.low < self.session_start.low or self.session_end.high < self.session_start.high:
                raise ValueError(f"sessions would shrink from {self.session_start.text(60)} min to "
                                 f"{self.session_end.text(60)} min; build up to a length at least the start's")
        return self

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Read a schedule written in words (see the module docstring). Raises :class:`InputError` (field
        ``schedule``) for an unknown clause, a clause given twice, an empty schedule or an impossible value."""
        fields: dict[str, object] = {}
        said: dict[str, str] = {}

        def put(clause: str, **values: object) -> None:
            for name in values:
                if name in said:
                    raise InputError("schedule", f"{text!r} gives the {_CLAUSE_NAMES[name]} twice "
                                                 f"({said[name]!r} and {clause!r}); give it once")
                said[name] = clause
            fields.update(values)

        normalised = re.sub(r"\s+for\s+", ", for ", text.strip().lower())
        for clause in (c.strip() for c in re.split(r",|;|\band\b", normalised)):
            if not clause:
                continue
            if found := _frequency(clause):
                put(clause, sessions_per_week=found[0], said_per=found[1])
            elif m := re.fullmatch(r"for\s+" + _RANGE + r"\s*weeks?", clause):
                put(clause, weeks=_span(m))
            elif m := re.fullmatch(r"start(?:ing)?(?:\s+(?:at|with))?\s+" + _RANGE + _UNIT + r"(?:\s+sessions?)?",
                                   clause):
                put(clause, session_start=_seconds(m, 1))
            elif m := re.fullmatch(r"build(?:ing)?(?:\s+up)?\s+to\s+" + _RANGE + _UNIT, clause):
                put(clause, session_end=_seconds(m, 1))
            elif m := re.fullmatch(_RANGE + _UNIT + r"\s+build(?:ing)?(?:\s+up)?\s+to\s+" + _RANGE + _UNIT, clause):
                put(clause, session_start=_seconds(m, 1), session_end=_seconds(m, 4))
            elif m := re.fullmatch(_RANGE + _UNIT + r"(?:\s+(?:sessions?|each|per session|a session))?", clause):
                put(clause, session_start=_seconds(m, 1), session_end=_seconds(m, 1))
            else:
                raise InputError("schedule", f"cannot read {clause!r} in the schedule {text!r}; write e.g. {EXAMPLE}")
        if not said:
            raise InputError("schedule", f"{text!r} says nothing; write e.g. {EXAMPLE}")
        if "session_end" in fields and "session_start" not in fields:
            raise InputError("schedule", f"{text!r} builds up to a session length but has no start; add e.g. "
                                         "'start 10 min'")
        if "session_start" in fields and "session_end" not in fields:
            fields["session_end"] = fields["session_start"]
        try:
            return cls(text=text.strip(), **fields)
        except ValidationError as exc:
            raise InputError("schedule", describe_validation_error(exc)) from None

    @property
    def builds_up(self) -> bool:
        """Whether the session length grows over the course."""
        return self.session_start is not None and self.session_start != self.session_end

    @property
    def session_lengths_s(self) -> list[float]:
        """Every session length the schedule names [s], shortest first (empty without session lengths)."""
        if self.session_start is None or self.session_end is None:
            return []
        return sorted({self.session_start.low, self.session_start.high, self.session_end.low, self.session_end.high})

    @property
    def longest_session_s(self) -> float | None:
        """The longest session the schedule asks for [s]: the upper end of the length built up to (sessions never
        shrink, so no other length is longer)."""
        return None if self.session_end is None else self.session_end.high

    @property
    def total_sessions(self) -> Span | None:
        """Number of treatments over the course (None without a course length)."""
        if self.weeks is None:
            return None
        return Span(low=self.sessions_per_week.low * self.weeks.low, high=self.sessions_per_week.high * self.weeks.high)

    @property
    def interval_days(self) -> Span:
        """Days between sessions, 7 / sessions per week."""
        return Span(low=7.0 / self.sessions_per_week.high, high=7.0 / self.sessions_per_week.low)

    def frequency_text(self, noun: bool = False) -> str:
        """'3 a week', '2–4 a week', '2 a day'; with `noun` '3 sessions a week', '1 session a day'."""
        count = self.sessions_per_week.text(scale=7.0 if self.said_per == "day" else 1.0)
        word = (" session" if count == "1" else " sessions") if noun else ""
        return f"{count}{word} a {self.said_per}"

    def _course(self) -> str:
        """'weeks 1–4', 'week 1', '4–6 weeks' (the whole course), or 'every week' without a course length."""
        if self.weeks is None:
            return "every week"
        if self.weeks.low != self.weeks.high:
            return f"{self.weeks.text()} weeks"
        return "week 1" if self.weeks.low == 1 else f"weeks 1–{self.weeks.text()}"

    def weekly(self) -> list[dict[str, object]]:
        """Week-by-week steps: sessions and, when the schedule has one, the session length [min], built up linearly
        from the start to the end over the weeks (or given as start and target without a course length)."""
        sessions = self.frequency_text()
        if self.session_start is None or self.session_end is None:
            return [{"weeks": self._course(), "sessions": sessions, "session_min": None}]
        if not self.builds_up:
            return [{"weeks": self._course(), "sessions": sessions, "session_min": self.session_start.text(60)}]
        if self.weeks is None:
            return [{"weeks": "start", "sessions": sessions, "session_min": self.session_start.text(60)},
                    {"weeks": "build up as tolerated to", "sessions": sessions,
                     "session_min": self.session_end.text(60)}]
        n = int(self.weeks.high)
        rows: list[dict[str, object]] = []
        for week in range(1, n + 1):
            share = 0.0 if n == 1 else (week - 1) / (n - 1)
            low = self.session_start.low + share * (self.session_end.low - self.session_start.low)
            high = self.session_start.high + share * (self.session_end.high - self.session_start.high)
            rows.append({"weeks": f"week {week}", "sessions": sessions,
                         "session_min": Span(low=round(low / 60.0), high=round(high / 60.0)).text()})
        return rows

    def describe(self) -> str:
        """One line for people (and for :meth:`parse`: it reads back to the same schedule)."""
        parts = [self.frequency_text(noun=True)]
        if self.weeks is not None:
            parts.append(f"for {self.weeks.text()} weeks")
        if self.builds_up and self.session_start is not None and self.session_end is not None:
            parts.append(f"starting at {self.session_start.text(60)} min, building to {self.session_end.text(60)} min")
        elif self.session_start is not None:
            parts.append(f"{self.session_start.text(60)} min sessions")
        return ", ".join(parts)
