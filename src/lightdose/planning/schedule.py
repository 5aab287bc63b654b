"""Treatment schedules written in words, parsed into typed steps.

In the spirit of PyBaMM's experiments ("Discharge at 1C for 1 hour"), a schedule is a short sentence of clauses
separated by commas, semicolons or "and":

- frequency: "3 times a week", "2–4 times a week", "3x per week", "once a week", "twice a week", "daily";
- course length: "for 4 weeks", "for 6–8 weeks" (the longer end is planned);
- session length: "20 min" (fixed), "start 10–15 min" and "build to 30–40 min", or "10 min building to 30 min".

>>> Schedule.parse("start 10–15 min, build to 30–40 min, 2–4 times a week").session_end
Span(low=1800.0, high=2400.0)

Session lengths are stored in seconds. Light plans take their exposure from the dose; a session length in their
schedule is reported but does not change the exposure.
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from lightdose.model_base import FrozenModel

_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = _NUMBER + r"(?:\s*(?:-|–|—|to)\s*" + _NUMBER + r")?"
_UNIT = r"\s*(min|mins|minutes?|h|hours?)"
_UNIT_SECONDS = {"min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0, "h": 3600.0, "hour": 3600.0,
                 "hours": 3600.0}
_WORDS = {"once": 1, "twice": 2, "daily": 7, "every day": 7}
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


def _span(match: re.Match, first: int = 1, scale: float = 1.0) -> Span:
    low = float(match.group(first))
    high = float(match.group(first + 1)) if match.group(first + 1) else low
    return Span(low=low * scale, high=high * scale)


def _seconds(match: re.Match, first: int) -> Span:
    """A duration range whose unit is the group after the range."""
    return _span(match, first, _UNIT_SECONDS[match.group(first + 2)])


class Schedule(FrozenModel):
    """Sessions per week, course length and session length (fixed, or building from a start to an end)."""

    sessions_per_week: Span = Span(low=3.0, high=3.0)
    weeks: Span | None = None
    session_start: Span | None = Field(default=None, description="first sessions' length [s]")
    session_end: Span | None = Field(default=None, description="session length built up to [s]")
    text: str = ""

    @model_validator(mode="after")
    def _sensible(self) -> Schedule:
        if not 1.0 <= self.sessions_per_week.low <= self.sessions_per_week.high <= 14.0:
            raise ValueError(f"{self.sessions_per_week.text()} sessions a week is outside 1–14")
        if self.weeks is not None and not 1.0 <= self.weeks.low <= self.weeks.high <= 104.0:
            raise ValueError(f"{self.weeks.text()} weeks is outside 1–104")
        return self

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Read a schedule written in words (see the module docstring); unknown clauses are errors."""
        fields: dict[str, Span] = {}
        normalised = re.sub(r"\s+for\s+", ", for ", text.strip().lower())
        for clause in (c.strip() for c in re.split(r",|;|\band\b", normalised)):
            if not clause:
                continue
            if m := re.fullmatch(_RANGE + r"\s*(?:times|x|sessions?)\s*(?:a|per|each|/)\s*week", clause):
                fields["sessions_per_week"] = _span(m)
            elif m := re.fullmatch(r"(once|twice|daily|every day)(?:\s+(?:a|per)\s+week)?", clause):
                fields["sessions_per_week"] = Span(low=_WORDS[m.group(1)], high=_WORDS[m.group(1)])
            elif m := re.fullmatch(r"for\s+" + _RANGE + r"\s*weeks?", clause):
                fields["weeks"] = _span(m)
            elif m := re.fullmatch(r"start(?:ing)?(?:\s+(?:at|with))?\s+" + _RANGE + _UNIT + r"(?:\s+sessions?)?",
                                   clause):
                fields["session_start"] = _seconds(m, 1)
            elif m := re.fullmatch(r"build(?:ing)?(?:\s+up)?\s+to\s+" + _RANGE + _UNIT, clause):
                fields["session_end"] = _seconds(m, 1)
            elif m := re.fullmatch(_RANGE + _UNIT + r"\s+build(?:ing)?(?:\s+up)?\s+to\s+" + _RANGE + _UNIT, clause):
                fields["session_start"], fields["session_end"] = _seconds(m, 1), _seconds(m, 4)
            elif m := re.fullmatch(_RANGE + _UNIT + r"(?:\s+(?:sessions?|each|per session|a session))?", clause):
                fields["session_start"] = fields["session_end"] = _seconds(m, 1)
            else:
                raise ValueError(f"cannot read {clause!r} in the schedule {text!r}; write e.g. {EXAMPLE}")
        if "session_end" in fields and "session_start" not in fields:
            raise ValueError(f"the schedule {text!r} builds up to a session length but has no start; "
                             "add e.g. 'start 10 min'")
        if "session_start" in fields and "session_end" not in fields:
            fields["session_end"] = fields["session_start"]
        return cls(text=text.strip(), **fields)

    @property
    def builds_up(self) -> bool:
        """Whether the session length grows over the course."""
        return self.session_start is not None and self.session_start != self.session_end

    @property
    def longest_session_s(self) -> float | None:
        """The longest session the schedule asks for [s]."""
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

    def weekly(self) -> list[dict[str, object]]:
        """Week-by-week steps: sessions a week and, when the schedule has one, the session length [min], built up
        linearly from the start to the end over the weeks (or given as start and target without a course length)."""
        per_week = self.sessions_per_week.text()
        if self.session_start is None or self.session_end is None:
            weeks = "every week" if self.weeks is None else f"weeks 1–{self.weeks.text()}"
            return [{"weeks": weeks, "sessions_per_week": per_week, "session_min": None}]
        if self.weeks is None or not self.builds_up:
            rows = [{"weeks": "start", "sessions_per_week": per_week, "session_min": self.session_start.text(60)}]
            if self.builds_up:
                rows.append({"weeks": "build up as tolerated to", "sessions_per_week": per_week,
                             "session_min": self.session_end.text(60)})
            elif self.weeks is not None:
                rows[0]["weeks"] = f"weeks 1–{self.weeks.text()}"
            return rows
        n = int(self.weeks.high)
        rows = []
        for week in range(1, n + 1):
            share = 0.0 if n == 1 else (week - 1) / (n - 1)
            low = self.session_start.low + share * (self.session_end.low - self.session_start.low)
            high = self.session_start.high + share * (self.session_end.high - self.session_start.high)
            rows.append({"weeks": f"week {week}", "sessions_per_week": per_week,
                         "session_min": Span(low=round(low / 60.0), high=round(high / 60.0)).text()})
        return rows

    def describe(self) -> str:
        """One line for people."""
        parts = [f"{self.sessions_per_week.text()} sessions a week"]
        if self.weeks is not None:
            parts.append(f"for {self.weeks.text()} weeks")
        if self.builds_up:
            parts.append(f"starting at {self.session_start.text(60)} min, building to {self.session_end.text(60)} min")
        elif self.session_start is not None:
            parts.append(f"{self.session_start.text(60)} min sessions")
        return ", ".join(parts)
