"""Schedules written in words become typed steps."""

import pytest

from lightdose.planning.schedule import Schedule, Span


def test_sauna_protocol_in_words():
    s = Schedule.parse("start 10–15 min, build to 30–40 min, 2–4 times a week")
    assert s.session_start == Span(low=600.0, high=900.0)
    assert s.session_end == Span(low=1800.0, high=2400.0)
    assert s.sessions_per_week == Span(low=2.0, high=4.0)
    assert s.weeks is None and s.builds_up and s.longest_session_s == 2400.0
    assert [r["weeks"] for r in s.weekly()] == ["start", "build up as tolerated to"]
    assert s.interval_days.text(digits=2) == "1.8–3.5"


def test_course_building_up_week_by_week():
    s = Schedule.parse("3 times a week for 4 weeks, 10 min building to 30 min")
    assert s.sessions_per_week == Span(low=3.0, high=3.0) and s.weeks == Span(low=4.0, high=4.0)
    assert [r["session_min"] for r in s.weekly()] == ["10", "17", "23", "30"]
    assert s.total_sessions == Span(low=12.0, high=12.0)


@pytest.mark.parametrize(("text", "per_week", "minutes"), [
    ("twice a week for 4 weeks", 2.0, None),
    ("20 min, 3x per week", 3.0, 1200.0),
    ("daily; 1 h sessions", 7.0, 3600.0),
    ("once a week and for 6-8 weeks", 1.0, None),
])
def test_other_phrasings(text, per_week, minutes):
    s = Schedule.parse(text)
    assert s.sessions_per_week.low == per_week
    assert s.longest_session_s == minutes


@pytest.mark.parametrize("text", ["3 times a fortnight", "build to 30 min", "20 times a week"])
def test_unreadable_schedules_are_errors(text):
    with pytest.raises(ValueError):
        Schedule.parse(text)
