import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preceptorship.workdays import (
    add_working_days,
    bank_holidays,
    is_working_day,
    latest_start_for,
    working_days_between,
)

D = datetime.date


def test_each_years_bank_holidays_in_england_and_wales_with_substitute_and_one_off_days():
    assert set(bank_holidays(2025)) == {D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5),
                                        D(2025, 5, 26), D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)}
    # Christmas on a Saturday and Boxing Day on a Sunday: the holidays move to Monday and Tuesday.
    assert {D(2027, 12, 27), D(2027, 12, 28)} <= set(bank_holidays(2027))
    assert not {D(2027, 12, 25), D(2027, 12, 26)} & set(bank_holidays(2027))
    # One-off holidays: the state funeral of 2022 and the coronation of 2023.
    assert D(2022, 9, 19) in bank_holidays(2022) and D(2023, 5, 8) in bank_holidays(2023)
    # The package knows the years ahead: nothing runs out in a few years.
    assert all(8 <= len(bank_holidays(year)) <= 10 for year in range(2018, 2041))


def test_scotland_and_northern_ireland_have_their_own_bank_holidays():
    # 2 January and St Andrew's Day are Scottish holidays; Easter Monday is not.
    assert not is_working_day(D(2026, 1, 2), "scotland") and is_working_day(D(2026, 1, 2))
    assert not is_working_day(D(2026, 11, 30), "scotland") and is_working_day(D(2026, 11, 30))
    assert is_working_day(D(2026, 4, 6), "scotland") and not is_working_day(D(2026, 4, 6))
    # St Patrick's Day and the Twelfth (a Sunday in 2026, so Monday 13 July) in Northern Ireland.
    assert not is_working_day(D(2026, 3, 17), "northern-ireland") and is_working_day(D(2026, 3, 17))
    assert not is_working_day(D(2026, 7, 13), "northern-ireland") and is_working_day(D(2026, 7, 13))
    assert working_days_between(D(2026, 11, 27), D(2026, 12, 4), "scotland") == 4
    assert working_days_between(D(2026, 11, 27), D(2026, 12, 4)) == 5
    with pytest.raises(ValueError):
        is_working_day(D(2026, 1, 2), "atlantis")


@pytest.mark.parametrize(("today", "latest"), [
    (D(2026, 12, 5), D(2026, 11, 22)),  # a Saturday: a case reached on Sunday 22 November has waited 10
    (D(2026, 12, 7), D(2026, 11, 23)),  # a Monday
    (D(2027, 5, 3), D(2027, 4, 18)),  # a bank holiday (early May): as on the Sunday before
    (D(2027, 4, 1), D(2027, 3, 16)),  # Thursday after Easter in 2027: Good Friday and Easter Monday skipped
])
def test_latest_start_for_ten_working_days(today, latest):
    assert latest_start_for(today, 10) == latest
    assert working_days_between(latest, today) >= 10
    assert working_days_between(latest + datetime.timedelta(days=1), today) < 10


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(D(2025, 4, 17))  # Thursday before Easter
    assert not is_working_day(D(2025, 4, 18))  # Good Friday
    assert not is_working_day(D(2025, 4, 19))  # Saturday
    assert not is_working_day(D(2025, 4, 21))  # Easter Monday
    assert is_working_day(D(2025, 4, 22))


def test_ten_working_days_across_easter_and_the_early_may_bank_holiday():
    # 22-25 April (4), 28 April-2 May (5), 5 May is a bank holiday, 6 May is the tenth.
    assert add_working_days(D(2025, 4, 17), 10) == D(2025, 5, 6)
    assert working_days_between(D(2025, 4, 17), D(2025, 5, 5)) == 9
    assert working_days_between(D(2025, 4, 17), D(2025, 5, 6)) == 10


def test_ten_working_days_across_christmas_and_new_year():
    # 23, 24, 29, 30, 31 December, 2, 5, 6, 7, 8 January (25, 26 December and 1 January are holidays).
    assert add_working_days(D(2025, 12, 22), 10) == D(2026, 1, 8)


def test_ten_working_days_without_holidays_is_two_weeks():
    assert add_working_days(D(2026, 3, 2), 10) == D(2026, 3, 16)
    assert add_working_days(D(2026, 3, 6), 10) == D(2026, 3, 20)  # from a Friday
    assert add_working_days(D(2026, 3, 7), 10) == D(2026, 3, 20)  # from a Saturday: Monday is day 1


def test_counting_backwards_is_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 1)) == 0


@given(
    start=st.dates(min_value=D(2019, 1, 1), max_value=D(2029, 12, 31)),
    span=st.integers(min_value=0, max_value=400),
)
def test_counting_agrees_with_walking_day_by_day(start, span):
    end = start + datetime.timedelta(days=span)
    walked = sum(1 for n in range(1, span + 1) if is_working_day(start + datetime.timedelta(days=n)))
    assert working_days_between(start, end) == walked


@given(start=st.dates(min_value=D(2019, 1, 1), max_value=D(2029, 12, 31)), count=st.integers(1, 60))
def test_adding_then_counting_gives_the_same_number(start, count):
    later = add_working_days(start, count)
    assert is_working_day(later)
    assert working_days_between(start, later) == count
    assert working_days_between(start, later - datetime.timedelta(days=1)) == count - 1


@given(today=st.dates(min_value=D(2019, 1, 1), max_value=D(2039, 12, 31)), count=st.integers(1, 30),
       nation=st.sampled_from(["england-and-wales", "scotland", "northern-ireland"]))
def test_latest_start_is_the_boundary_of_having_waited(today, count, nation):
    latest = latest_start_for(today, count, nation)
    assert working_days_between(latest, today, nation) >= count
    assert working_days_between(latest + datetime.timedelta(days=1), today, nation) < count
