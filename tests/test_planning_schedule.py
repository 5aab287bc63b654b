"""Schedules written in words become typed steps."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lightdose.errors import FileFormatError, InputError
from lightdose.planning import scenario_from_text
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


@pytest.mark.parametrize(("text", "per_week", "said"), [
    ("twice a week for 4 weeks", 2.0, "2 a week"),
    ("20 min, 3x per week", 3.0, "3 a week"),
    ("daily; 1 h sessions", 7.0, "1 a day"),
    ("once a week and for 6-8 weeks", 1.0, "1 a week"),
    ("twice daily for 2 weeks", 14.0, "2 a day"),
    ("once daily", 7.0, "1 a day"),
    ("twice a day", 14.0, "2 a day"),
    ("2 a day", 14.0, "2 a day"),
    ("1-2 times a day", 7.0, "1–2 a day"),
    ("three times a week", 3.0, "3 a week"),
    ("twice weekly", 2.0, "2 a week"),
    ("weekly", 1.0, "1 a week"),
    ("every other day", 3.5, "3.5 a week"),
    ("3/week", 3.0, "3 a week"),
    ("2 to 4 sessions per week", 2.0, "2–4 a week"),
])
def test_common_phrasings(text, per_week, said):
    s = Schedule.parse(text)
    assert s.sessions_per_week.low == per_week and s.frequency_text() == said
    assert s.interval_days.high == pytest.approx(7.0 / per_week)


def test_course_length_ranges_label_the_whole_course():
    assert Schedule.parse("3 times a week for 4-6 weeks").weekly()[0]["weeks"] == "4–6 weeks"
    assert Schedule.parse("3 times a week for 4 weeks").weekly()[0]["weeks"] == "weeks 1–4"
    assert Schedule.parse("20 min, twice a week for 1 week").weekly() == [
        {"weeks": "week 1", "sessions": "2 a week", "session_min": "20"}]
    assert len(Schedule.parse("3 times a week for 4-6 weeks, 10 min building to 30 min").weekly()) == 6


@pytest.mark.parametrize(("text", "message"), [
    ("3 times a fortnight", "cannot read '3 times a fortnight'"),
    ("build to 30 min", "has no start"),
    ("20 times a week", "20 a week is outside the allowed range 1–14 sessions a week"),
    ("3 times a day", "3 a day is outside the allowed range 1–14 sessions a week"),
    ("for 4 weeks for 6 weeks", "gives the course length twice ('for 4 weeks' and 'for 6 weeks')"),
    ("twice a week, 3 times a week", "gives the frequency twice"),
    ("start 10 min, 20 min", "gives the session length twice"),
    ("", "'' says nothing"),
    ("and", "'and' says nothing"),
    ("start 60 min, build to 10 min", "sessions would shrink from 60 min to 10 min"),
    ("start 10–40 min, build to 30 min", "sessions would shrink from 10–40 min to 30 min"),
    ("0 min", "a session of 0 min is outside the allowed range"),
    ("5 h", "a session of 300 min is outside the allowed range"),
])
def test_unreadable_or_impossible_schedules_are_clear_errors(text, message):
    with pytest.raises(InputError) as direct:
        Schedule.parse(text)
    assert direct.value.field == "schedule" and message in direct.value.reason
    # the scenario says the same thing, under the field's path and line
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(f"name: s\ndevices: [{{device: pad-890}}]\nsites: [{{site: heel}}]\nschedule: '{text}'\n",
                           "s.yaml")
    assert str(info.value) == f"s.yaml, line 4: {direct.value}"


def test_typed_schedules_are_checked_too():
    with pytest.raises(ValueError, match="sessions would shrink"):
        Schedule(session_start=Span(low=3600, high=3600), session_end=Span(low=600, high=600))
    with pytest.raises(ValueError, match="give both session_start and session_end"):
        Schedule(session_end=Span(low=600, high=600))


# Property tests: a schedule assembled from random parts, its clauses in any order, reads back to those parts.
COUNT_WORDS = {1: ["once", "one time"], 2: ["twice", "two times"], 3: ["three times", "3x", "3"]}


@st.composite
def schedules(draw):
    per = draw(st.sampled_from(["week", "day"]))
    count = draw(st.integers(1, 7 if per == "week" else 2))
    word = draw(st.sampled_from([str(count), f"{count} times"] + COUNT_WORDS.get(count, [])))
    frequency = draw(st.sampled_from([f"{word} a {per}", f"{word} per {per}", f"{word}/{per}",
                                      f"{word} {'daily' if per == 'day' else 'weekly'}"]))
    weeks = draw(st.integers(1, 104))
    start = draw(st.integers(1, 120))
    end = draw(st.integers(start, 240))
    clauses = [frequency, f"for {weeks} weeks", f"start {start} min", f"build to {end} min"]
    order = draw(st.permutations(clauses))
    joiners = draw(st.lists(st.sampled_from([", ", "; ", " and "]), min_size=3, max_size=3))
    text = order[0] + "".join(j + c for j, c in zip(joiners, order[1:], strict=True))
    return text, count * (7 if per == "day" else 1), per, weeks, start * 60.0, end * 60.0


@given(schedules())
def test_any_order_of_clauses_reads_to_the_same_schedule(case):
    text, per_week, per, weeks, start_s, end_s = case
    s = Schedule.parse(text)
    assert s.sessions_per_week == Span(low=per_week, high=per_week) and s.said_per == per
    assert s.weeks == Span(low=weeks, high=weeks)
    assert s.session_start == Span(low=start_s, high=start_s) and s.session_end == Span(low=end_s, high=end_s)
    assert s.longest_session_s == max(s.session_lengths_s) == end_s  # one definition of the longest session
    again = Schedule.parse(s.describe())  # the description is a schedule that reads back to the same one
    assert again.model_copy(update={"text": ""}) == s.model_copy(update={"text": ""})
    assert len(s.weekly()) == (weeks if start_s != end_s else 1)
