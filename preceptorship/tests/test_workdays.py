import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preceptorship.workdays import add_working_days, bank_holidays, is_working_day, working_days_between

D = datetime.date


def test_the_data_file_holds_each_years_bank_holidays():
    holidays = bank_holidays()
    assert {D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25)} <= holidays
    # Substitute days when Christmas or Boxing Day falls at a weekend, and the one-off holidays.
    assert {D(2026, 12, 28), D(2027, 12, 27), D(2027, 12, 28), D(2022, 9, 19), D(2023, 5, 8)} <= holidays
    assert D(2026, 12, 26) not in holidays  # a Saturday: its holiday is the Monday after
    assert all(8 <= sum(1 for h in holidays if h.year == year) <= 10 for year in range(2018, 2031))


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
