"""How the generator's children move from one school year to the next (synthetic.district): one
grade up or the same grade for a repeater, graduates and leavers gone, promotions to the feeder
school of the next level, a few school changes within a level, a new kindergarten cohort and
transfers in. Pure numpy: the year-to-year step on a large made-up cohort."""

from __future__ import annotations

import numpy as np
import pytest

from synthetic.config import LEVELS
from synthetic.district import (
    ENTER,
    FULL_YEAR,
    LEVEL_OF_GRADE,
    P_CHANGE_SCHOOL,
    P_LEAVE_SUMMER,
    P_REPEAT,
    TRANSFER,
    WITHDRAW,
    _Cohort,
    _Population,
)

#: Schools per level (elementary, middle, high) of a district of about 12,000 students.
COUNTS = np.array([12, 4, 3])
STARTS = np.concatenate([[0], np.cumsum(COUNTS)[:-1]])
N = 200_000


def _population(seed: int = 0) -> _Population:
    rng = np.random.default_rng(seed)
    return _Population(rng, STARTS, COUNTS, np.random.default_rng(seed + 1))


def _cohort(population: _Population) -> _Cohort:
    rng = np.random.default_rng(7)
    grade = rng.integers(0, 13, N)
    school = population.random_school(grade)
    category = rng.choice([FULL_YEAR, TRANSFER, ENTER, WITHDRAW], N, p=[0.93, 0.03, 0.02, 0.02])
    return _Cohort(
        pid=np.arange(N), grade=grade, school=school, first_school=school, category=category
    )


def _level_of_school(school: np.ndarray) -> np.ndarray:
    return np.searchsorted(STARTS, school, side="right") - 1


@pytest.fixture(scope="module")
def step() -> tuple[_Population, _Cohort, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    population = _population()
    prev = _cohort(population)
    return population, prev, population.next_year(prev)


def test_a_child_goes_one_grade_up_or_repeats_it(step) -> None:
    _, prev, (pid, grade, _) = step
    before = prev.grade[pid]
    assert set(np.unique(grade - before)) == {0, 1}
    repeat_share = np.mean(grade == before)
    assert abs(repeat_share - P_REPEAT) < 0.2 * P_REPEAT


def test_graduates_withdrawals_and_summer_leavers_do_not_come_back(step) -> None:
    _, prev, (pid, grade, _) = step
    assert grade.max() == 12
    assert not np.isin(pid, np.flatnonzero(prev.category == WITHDRAW)).any()
    back_12 = np.isin(np.flatnonzero(prev.grade == 12), pid).mean()
    assert back_12 == pytest.approx(P_REPEAT * (1 - P_LEAVE_SUMMER) * 0.98, rel=0.25)
    eligible = (prev.category != WITHDRAW) & (prev.grade < 12)
    left = 1 - np.isin(np.flatnonzero(eligible), pid).mean()
    assert abs(left - P_LEAVE_SUMMER) < 0.1 * P_LEAVE_SUMMER


def test_promoted_children_go_to_their_schools_feeder_school(step) -> None:
    population, prev, (pid, grade, school) = step
    assert (_level_of_school(school) == LEVEL_OF_GRADE[grade]).all()
    promoted = LEVEL_OF_GRADE[grade] != LEVEL_OF_GRADE[prev.grade[pid]]
    assert promoted.sum() > 0.1 * len(pid)
    old = prev.school[pid][promoted]
    feeder = population.feeder_school(old, LEVEL_OF_GRADE[grade][promoted])
    assert (school[promoted] == feeder).all()
    # Every school of the next level is fed by some school of the level below.
    for level in (1, 2):
        below = np.arange(STARTS[level - 1], STARTS[level - 1] + COUNTS[level - 1])
        fed = population.feeder_school(below, np.full(len(below), level))
        assert set(fed) == set(range(STARTS[level], STARTS[level] + COUNTS[level]))


def test_a_few_children_change_school_within_their_level(step) -> None:
    _, prev, (pid, grade, school) = step
    same_level = LEVEL_OF_GRADE[grade] == LEVEL_OF_GRADE[prev.grade[pid]]
    moved = school[same_level] != prev.school[pid][same_level]
    assert abs(moved.mean() - P_CHANGE_SCHOOL) < 0.1 * P_CHANGE_SCHOOL


def test_a_new_year_has_its_size_a_kindergarten_cohort_and_transfers_in() -> None:
    population = _population(3)
    n = 13_000
    first = population.year_of_sis(2025, n, None)
    second = population.year_of_sis(2026, n, first)
    assert len(second.pid) == n
    new = ~np.isin(second.pid, first.pid)
    assert (second.grade[new] == 0).sum() >= round(n / 13)
    assert (second.grade[new] > 0).sum() > 0.02 * n, "transfers enter in every grade"
    assert set(np.unique(second.grade)) == set(range(13))
    assert (second.category[new] == ENTER).sum() == round(0.02 * n)
    # Each level's schools exist: LEVELS' grade spans give the level of each grade.
    for level, (_, low, high, _) in enumerate(LEVELS):
        assert (LEVEL_OF_GRADE[low : high + 1] == level).all()
