"""The schedule rules: month ends, leap years, pauses moving later dates, extensions."""

import datetime

import pytest

from programmes.schedule import (
    Period,
    add_months,
    build_schedule,
    months_elapsed,
    overlapping,
    progress_percent,
    shift_for_pauses,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 15), 3, D(2025, 4, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # no 31 February
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day, a year on
        (D(2025, 11, 30), 3, D(2026, 2, 28)),  # across the year end
        (D(2025, 8, 31), 18, D(2027, 2, 28)),
        (D(2025, 5, 10), 0, D(2025, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_reviews_every_three_months_for_eighteen_months():
    schedule = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18)
    assert schedule.reviews == (
        D(2025, 4, 6), D(2025, 7, 6), D(2025, 10, 6), D(2026, 1, 6), D(2026, 4, 6), D(2026, 7, 6)
    )
    assert schedule.completion == D(2026, 7, 6)
    assert schedule.review_due(1) == D(2025, 4, 6)
    assert schedule.review_due(7) is None
    assert schedule.review_due(0) is None


def test_month_end_start_never_drifts():
    schedule = build_schedule(start=D(2025, 8, 31), interval_months=3, length_months=12)
    # Counted from the start each time: November has 30 days, February 28, May 31 again.
    assert schedule.reviews == (D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31), D(2026, 8, 31))


def test_leap_year_start():
    schedule = build_schedule(start=D(2024, 2, 29), interval_months=6, length_months=12)
    assert schedule.reviews == (D(2024, 8, 29), D(2025, 2, 28))


def test_a_pause_moves_every_later_date_by_its_length():
    pause = Period(D(2025, 5, 1), D(2025, 5, 31))  # 31 days
    schedule = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18, pauses=[pause])
    assert schedule.reviews[0] == D(2025, 4, 6)  # before the pause: unchanged
    assert schedule.reviews[1] == D(2025, 7, 6) + datetime.timedelta(days=31)
    assert schedule.completion == D(2026, 7, 6) + datetime.timedelta(days=31)


def test_a_pause_starting_on_the_due_date_moves_it():
    assert shift_for_pauses(D(2025, 4, 6), [Period(D(2025, 4, 6), D(2025, 4, 6))]) == D(2025, 4, 7)


def test_two_pauses_add_up_and_a_later_pause_catches_a_moved_date():
    first = Period(D(2025, 3, 1), D(2025, 3, 10))  # 10 days
    second = Period(D(2025, 4, 10), D(2025, 4, 19))  # 10 days, after the moved review 1
    # Review 1 (6 April) moves to 16 April, which is now after the second pause began.
    assert shift_for_pauses(D(2025, 4, 6), [second, first]) == D(2025, 4, 26)


def test_an_extension_moves_the_end_only():
    plain = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18)
    extended = build_schedule(start=D(2025, 1, 6), interval_months=3, length_months=18, extension_months=3)
    assert extended.reviews == plain.reviews
    assert extended.completion == D(2026, 10, 6)


def test_extension_and_pause_together():
    schedule = build_schedule(
        start=D(2025, 1, 31), interval_months=3, length_months=18, extension_months=1,
        pauses=[Period(D(2025, 2, 1), D(2025, 2, 28))],
    )
    assert schedule.completion == add_months(D(2025, 1, 31), 19) + datetime.timedelta(days=28)


def test_overlapping_pauses_are_refused():
    a, b = Period(D(2025, 1, 1), D(2025, 1, 31)), Period(D(2025, 1, 31), D(2025, 2, 10))
    assert overlapping([b, a]) == (a, b)
    assert overlapping([a, Period(D(2025, 2, 1), D(2025, 2, 2))]) is None
    with pytest.raises(ValueError, match="overlap"):
        build_schedule(start=D(2025, 1, 1), interval_months=3, length_months=18, pauses=[a, b])


@pytest.mark.parametrize(("interval", "length", "extension"), [(0, 18, 0), (3, 0, 0), (3, 18, -1)])
def test_impossible_rules_are_refused(interval, length, extension):
    with pytest.raises(ValueError):
        build_schedule(start=D(2025, 1, 1), interval_months=interval, length_months=length, extension_months=extension)


def test_interval_not_dividing_length_stops_before_the_end():
    schedule = build_schedule(start=D(2025, 1, 1), interval_months=4, length_months=18)
    assert len(schedule.reviews) == 4
    assert schedule.reviews[-1] == D(2026, 5, 1)


def test_months_elapsed_and_progress():
    assert months_elapsed(D(2025, 1, 31), D(2025, 2, 27)) == 0
    assert months_elapsed(D(2025, 1, 31), D(2025, 2, 28)) == 1
    assert months_elapsed(D(2025, 1, 6), D(2024, 12, 1)) == 0
    assert progress_percent(D(2025, 1, 1), D(2025, 1, 11), D(2025, 1, 6)) == 50
    assert progress_percent(D(2025, 1, 1), D(2025, 1, 11), D(2024, 1, 6)) == 0
    assert progress_percent(D(2025, 1, 1), D(2025, 1, 11), D(2026, 1, 6)) == 100
    assert progress_percent(D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 1)) == 100
