"""The children of the synthetic district: names, demographics, programs, IDs and latent traits.

A `People` holds one array per attribute, index = person index (true_student_id - 1). Latent
traits (ability, absence propensity, …) drive the attendance and assessment generators, so that
scores correlate and chronic absence is concentrated in a minority, as in real districts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from synthetic import names

#: OneRoster race flag columns, in demographics.csv order.
RACE_FLAGS = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
)
_RACE_P_NON_HISPANIC = np.array([0.004, 0.10, 0.15, 0.002, 0.68, 0.064])
_RACE_P_HISPANIC = np.array([0.03, 0.005, 0.05, 0.002, 0.70, 0.213])
_ASIAN, _BLACK, _TWO_OR_MORE = 1, 2, 5

#: Which system knows a person: every SIS student is known to all systems; the others are
#: children only one system has (the SIS never saw them).
IN_SIS, ONLY_ATTENDANCE, ONLY_STATE, ONLY_MAP = range(4)
KNOWN_TO_NAMES = ("sis", "attendance", "state", "map")

_COUNTRIES = {
    names.GENERAL: ("RU", "PL", "UA", "IE", "GB"),
    names.HISPANIC: ("MX", "GT", "SV", "DO", "HN", "CO", "BR", "CV", "PT"),
    names.EAST_ASIAN: ("CN", "VN", "KR", "JP", "PH"),
    names.SOUTH_ASIAN: ("IN", "BD", "NP", "PK"),
    names.AFRICAN: ("HT", "SO", "NG", "GH", "SN", "MA"),
}
_CITIES = {
    "MA": ("Boston", "Worcester", "Springfield", "Lowell", "Cambridge", "Brockton", "Quincy"),
    "US": ("New York", "Providence", "Hartford", "Miami", "Houston", "Chicago", "San Juan"),
    "abroad": ("Ciudad de México", "São Paulo", "Santo Domingo", "Port-au-Prince", "Mogadishu"),
}
_OTHER_STATES = ("NY", "RI", "CT", "NH", "FL", "TX", "CA", "PR")
RESIDENCE_CODES = ("01652", "01653", "01654")


@dataclass
class People:
    """Every true child, one array per attribute."""

    known_to: np.ndarray  # IN_SIS | ONLY_ATTENDANCE | ONLY_STATE | ONLY_MAP
    sex: np.ndarray  # 'male' | 'female'
    first_name: np.ndarray
    middle_name: np.ndarray  # '' when none
    last_name: np.ndarray
    birth_date: np.ndarray  # datetime64[D]
    race: np.ndarray  # (n, 5) bool, RACE_FLAGS order
    two_or_more: np.ndarray
    hispanic: np.ndarray
    country_of_birth: np.ndarray
    state_of_birth: np.ndarray
    city_of_birth: np.ndarray
    residence_status: np.ndarray
    ell: np.ndarray
    sped: np.ndarray
    frl: np.ndarray
    ela_ability: np.ndarray  # latent subject abilities (about standard normal)
    math_ability: np.ndarray
    absence_rate: np.ndarray  # per-day probability of an absence
    tardy_rate: np.ndarray
    suspension_prone: np.ndarray
    same_name_group: np.ndarray  # > 0 for the planted same-name-same-birth-date pairs
    lookalike_of: np.ndarray  # for a SIS-unknown look-alike: the twin's pid, else 0
    namesake_of: np.ndarray  # for a SIS-unknown namesake (id_traps.plant_namesakes): theirs
    # IDs, assigned once every person exists (see assign_ids)
    local_id: np.ndarray | None = None  # int, local_id_width digits (SIS sourcedId; MAP StudentID)
    state_id: np.ndarray | None = None  # int, 10 digits (SASID)
    stunum: np.ndarray | None = None  # int, 7 digits (attendance system)

    def __len__(self) -> int:
        return len(self.sex)

    @classmethod
    def concat(cls, parts: list[People]) -> People:
        return cls(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(cls)
                if getattr(parts[0], f.name) is not None
            }
        )


def pick_names(
    rng: np.random.Generator, lists: tuple[tuple[str, ...], ...], group: np.ndarray
) -> np.ndarray:
    """One name per person from the list of their name-origin group (Zipf-like weights)."""
    out = np.empty(len(group), dtype=object)
    for g, pool in enumerate(lists):
        at = np.flatnonzero(group == g)
        out[at] = np.array(pool, dtype=object)[
            rng.choice(len(pool), len(at), p=names.weights(len(pool)))
        ]
    return out


def birth_dates(rng: np.random.Generator, grade: np.ndarray, school_year: int) -> np.ndarray:
    """Birth dates for children in `grade` in `school_year`: 5 on September 1 in kindergarten.

    About 4% are a year older (held back or a late start).
    """
    cohort = school_year - 1 - 5 - grade - (rng.random(len(grade)) < 0.04)
    window_start = _september_2(cohort - 1)
    window_days = (_september_2(cohort) - window_start).astype(np.int64)
    return window_start + (rng.random(len(grade)) * window_days).astype(np.int64)


def _september_2(year: np.ndarray) -> np.ndarray:
    months = (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 8
    return months.astype("datetime64[D]") + 1


def new_people(
    rng: np.random.Generator, grade: np.ndarray, school_year: int, known_to: int = IN_SIS
) -> People:
    """New children entering in `school_year` at `grade` (array)."""
    n = len(grade)
    hispanic = rng.random(n) < 0.24
    race_cat = np.where(
        hispanic,
        rng.choice(6, n, p=_RACE_P_HISPANIC),
        rng.choice(6, n, p=_RACE_P_NON_HISPANIC),
    )
    race = np.zeros((n, 5), dtype=bool)
    single = race_cat < 5
    race[np.flatnonzero(single), race_cat[single]] = True
    multi = np.flatnonzero(~single)
    race[multi, 4] = True  # two or more: white and one other
    race[multi, rng.choice([0, 1, 2, 3], len(multi), p=[0.2, 0.3, 0.45, 0.05])] = True

    u = rng.random(n)
    group = np.full(n, names.GENERAL)
    group = np.where(hispanic & (u < 0.85), names.HISPANIC, group)
    asian = ~hispanic & (race_cat == _ASIAN)
    group = np.where(asian & (u < 0.55), names.EAST_ASIAN, group)
    group = np.where(asian & (u >= 0.55) & (u < 0.9), names.SOUTH_ASIAN, group)
    black = ~hispanic & (race_cat == _BLACK)
    group = np.where(black & (u < 0.25), names.AFRICAN, group)
    other = ~hispanic & ~asian & ~black
    group = np.where(other & (u < 0.03), names.HISPANIC, group)
    group = np.where(other & (u > 0.96), names.AFRICAN, group)

    male = rng.random(n) < 0.51
    first_f, first_m = pick_names(rng, names.FEMALE, group), pick_names(rng, names.MALE, group)
    mid_f, mid_m = pick_names(rng, names.FEMALE, group), pick_names(rng, names.MALE, group)
    first = np.where(male, first_m, first_f)
    middle = np.where(rng.random(n) < 0.65, np.where(male, mid_m, mid_f), "")
    last = pick_names(rng, names.LAST, group)

    p_ell = np.select(
        [group == names.HISPANIC, group == names.AFRICAN, group >= names.EAST_ASIAN],
        [0.28, 0.25, 0.2],
        0.02,
    )
    ell = rng.random(n) < p_ell
    sped = rng.random(n) < np.where(male, 0.18, 0.12)
    frl = rng.random(n) < 0.30 + 0.25 * hispanic + 0.2 * (race_cat == _BLACK)

    foreign = ell & (rng.random(n) < 0.6)
    country = np.full(n, "US", dtype=object)
    for g, options in _COUNTRIES.items():
        at = np.flatnonzero(foreign & (group == g))
        country[at] = np.array(options, dtype=object)[rng.integers(0, len(options), len(at))]
    in_ma = ~foreign & (rng.random(n) < 0.8)
    state = np.where(
        foreign,
        "",
        np.where(in_ma, "MA", np.array(_OTHER_STATES)[rng.integers(0, len(_OTHER_STATES), n)]),
    )
    city = np.where(
        foreign,
        np.array(_CITIES["abroad"])[rng.integers(0, len(_CITIES["abroad"]), n)],
        np.where(
            in_ma,
            np.array(_CITIES["MA"])[rng.integers(0, len(_CITIES["MA"]), n)],
            np.array(_CITIES["US"])[rng.integers(0, len(_CITIES["US"]), n)],
        ),
    )
    residence = np.array(RESIDENCE_CODES)[rng.choice(3, n, p=[0.95, 0.04, 0.01])]

    ability = rng.normal(0, 1, n) - 0.6 * sped - 0.5 * ell - 0.35 * frl + 0.3
    absence = rng.beta(1.0, 22.0, n) * (1 + 0.35 * frl)
    return People(
        known_to=np.full(n, known_to),
        sex=np.where(male, "male", "female"),
        first_name=first,
        middle_name=middle,
        last_name=last,
        birth_date=birth_dates(rng, grade, school_year),
        race=race,
        two_or_more=race_cat == _TWO_OR_MORE,
        hispanic=hispanic,
        country_of_birth=country,
        state_of_birth=state,
        city_of_birth=city,
        residence_status=residence,
        ell=ell,
        sped=sped,
        frl=frl,
        ela_ability=ability + rng.normal(0, 0.5, n),
        math_ability=ability + rng.normal(0, 0.5, n),
        absence_rate=np.clip(absence, 0, 0.8),
        tardy_rate=rng.beta(1.5, 60.0, n),
        suspension_prone=rng.random(n) < 0.04,
        same_name_group=np.zeros(n, dtype=np.int64),
        lookalike_of=np.zeros(n, dtype=np.int64),
        namesake_of=np.zeros(n, dtype=np.int64),
    )


def plant_same_name_pairs(
    rng: np.random.Generator,
    people: People,
    candidates: np.ndarray,
    grade: np.ndarray,
    n_pairs: int,
) -> None:
    """Make pairs of different children share first name, last name, sex and birth date.

    `candidates` are person indices (with their `grade` in one school year); pairs are drawn
    within a grade so the shared birth date fits both.
    """
    order = np.lexsort((rng.random(len(candidates)), grade))
    ranked, ranked_grade = candidates[order], grade[order]
    starts = np.arange(0, len(ranked) - 1, 2)
    starts = starts[ranked_grade[starts] == ranked_grade[starts + 1]]
    starts = rng.choice(starts, size=min(n_pairs, len(starts)), replace=False)
    a, b = ranked[starts], ranked[starts + 1]
    for attr in ("first_name", "last_name", "sex", "birth_date"):
        getattr(people, attr)[b] = getattr(people, attr)[a]
    people.same_name_group[a] = people.same_name_group[b] = np.arange(1, len(a) + 1)


def _unique_ids(rng: np.random.Generator, n: int, low: int, high: int) -> np.ndarray:
    return rng.choice(high - low, size=n, replace=False).astype(np.int64) + low


def local_id_width(n_people: int) -> int:
    """Digits of the local student ID: 6 as most districts print, 8 past 300,000 people.

    Six digits hold 900,000 IDs, too few to draw a million students from; the largest
    districts print longer local IDs, so the width grows with the district.
    """
    return 6 if n_people <= 300_000 else 8


def assign_ids(rng: np.random.Generator, people: People) -> None:
    """Unique local (6 or 8 digits), state (10-digit) and attendance (7-digit) IDs for everyone."""
    n = len(people)
    width = local_id_width(n)
    people.local_id = _unique_ids(rng, n, 10 ** (width - 1), 10**width)
    people.state_id = _unique_ids(rng, n, 1_000_000_000, 10_000_000_000)
    people.stunum = _unique_ids(rng, n, 1_000_000, 10_000_000)
