"""The school calendar: every weekday from late August to mid June, typed instructional/holiday/pd.

A school year (named by its ending year) starts on the Monday a week before Labor Day with two
professional-development days, keeps the usual US (Massachusetts) holidays and vacation weeks,
and ends on its 180th instructional day. All schools share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

INSTRUCTIONAL_DAYS = 180


@dataclass(frozen=True)
class SchoolYearCalendar:
    """One school year's weekdays, their types, and the instructional days in order."""

    school_year: int
    dates: np.ndarray  # datetime64[D], every weekday from the first to the last day
    day_types: np.ndarray  # 'instructional' | 'holiday' | 'pd'
    instructional: np.ndarray  # datetime64[D], the 180 instructional days in order

    @property
    def first_day(self) -> date:
        return self.dates[0].astype(date)

    @property
    def last_day(self) -> date:
        return self.dates[-1].astype(date)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon = 0) of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _week_of(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(5)]


def build_calendar(school_year: int) -> SchoolYearCalendar:
    """The calendar of the school year ending in `school_year`."""
    fall, spring = school_year - 1, school_year
    labor_day = _nth_weekday(fall, 9, 0, 1)
    start = labor_day - timedelta(days=7)
    thanksgiving = _nth_weekday(fall, 11, 3, 4)
    election_day = _nth_weekday(fall, 11, 0, 1) + timedelta(days=1)
    holidays = {
        labor_day,
        _nth_weekday(fall, 10, 0, 2),  # Indigenous Peoples' Day
        date(fall, 11, 11),  # Veterans Day
        thanksgiving,
        thanksgiving + timedelta(days=1),
        *(date(fall, 12, d) for d in range(24, 32)),  # winter break
        date(spring, 1, 1),
        _nth_weekday(spring, 1, 0, 3),  # Martin Luther King Jr. Day
        *_week_of(_nth_weekday(spring, 2, 0, 3)),  # Presidents' Day and February vacation
        *_week_of(_nth_weekday(spring, 4, 0, 3)),  # Patriots' Day and April vacation
        _nth_weekday(spring, 5, 0, -1),  # Memorial Day
        date(spring, 6, 19),  # Juneteenth
    }
    pd_days = {
        start,
        start + timedelta(days=1),
        election_day,
        _nth_weekday(spring, 1, 4, 4),  # end of the first semester
        _nth_weekday(spring, 3, 4, 2),
    }
    dates: list[date] = []
    types: list[str] = []
    day, n_instructional = start, 0
    while n_instructional < INSTRUCTIONAL_DAYS:
        if day.weekday() < 5:
            kind = "holiday" if day in holidays else "pd" if day in pd_days else "instructional"
            n_instructional += kind == "instructional"
            dates.append(day)
            types.append(kind)
        day += timedelta(days=1)
    dates_arr = np.array(dates, dtype="datetime64[D]")
    types_arr = np.array(types)
    return SchoolYearCalendar(
        school_year=school_year,
        dates=dates_arr,
        day_types=types_arr,
        instructional=dates_arr[types_arr == "instructional"],
    )
