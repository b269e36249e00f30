"""The faults real legacy files hold, injected at small known rates, and the tools to inject them.

One dataclass holds every rate so a run can change or zero them (`--clean`). The fault tags here
are the vocabulary of the ground truth (`records.parquet`). The helpers work on whole arrays
(numpy) or whole tables (DuckDB SQL macros), never row by row.

The identity trap of architecture.md (a mistyped ID that is another real child's ID) is planted on
purpose: `plant_id_traps` rewrites a few children's IDs so that a transposition of a source child's
ID *is* the other child's ID, and `mistype_ids` then types exactly that transposition.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import duckdb
import numpy as np

from synthetic import names

#: Fault tags in the order they are listed in a record's `faults` value.
TAGS = (
    "duplicate",
    "bad_field_count",
    "malformed_date",
    "unmapped_code",
    "unknown_student",
    "missing_id",
    "mistyped_id",
    "name_typo",
    "swapped_names",
    "nickname",
)
#: Tags that make a row unreadable as delivered (it belongs in quarantine, not in a fact).
FORMAT_TAGS = ("bad_field_count", "malformed_date", "unmapped_code")


@dataclass(frozen=True)
class FaultRates:
    """Per-row probabilities of each fault, per file (unknown students: share of rows)."""

    # SIS (OneRoster)
    sis_missing_state_id: float = 0.002
    sis_duplicate_user: float = 0.001
    sis_duplicate_enrollment: float = 0.001
    # attendance_students.csv
    att_missing_sis_number: float = 0.13
    att_mistyped_sis_number: float = 0.015
    att_name_typo: float = 0.01
    att_swapped_names: float = 0.005
    att_nickname: float = 0.005
    att_unknown_student: float = 0.005
    # Share of SIS children, among those often absent, whose attendance record is held in
    # identity review (no SisNumber, first and last name swapped): their absences reach no fact.
    att_review_trap: float = 0.002
    # attendance_exceptions_<YYYY>-<YYYY>.csv
    exc_unmapped_code: float = 0.001
    exc_malformed_date: float = 0.001
    exc_bad_field_count: float = 0.0005
    exc_duplicate: float = 0.002
    # state_assessment_<YYYY>.csv
    state_missing_id: float = 0.005
    state_transposed_id: float = 0.003
    state_name_typo: float = 0.01
    state_swapped_names: float = 0.003
    state_unknown_student: float = 0.003
    state_duplicate: float = 0.001
    state_bad_field_count: float = 0.0005
    # AssessmentResults.csv (MAP)
    map_missing_id: float = 0.005
    map_mistyped_id: float = 0.005
    map_name_typo: float = 0.01
    map_unknown_student: float = 0.003
    map_duplicate: float = 0.001
    map_malformed_date: float = 0.001
    # Share of mistyped IDs that are made to equal another real child's ID (the identity trap).
    mistyped_id_collision_share: float = 0.35

    @classmethod
    def clean(cls) -> FaultRates:
        """Every rate zero: files exactly as a perfect system would deliver them."""
        return replace(cls(), **{f.name: 0.0 for f in fields(cls)})


def draw(
    rng: np.random.Generator, n: int, rate: float, eligible: np.ndarray | None = None
) -> np.ndarray:
    """Independent Bernoulli(rate) draws for n rows (only where eligible).

    With a non-zero rate at least one eligible row is drawn, so that even a small district
    exercises every fault; a zero rate never draws.
    """
    hit = rng.random(n) < rate
    if eligible is not None:
        hit &= eligible
    if rate > 0 and n > 0 and not hit.any():
        candidates = np.flatnonzero(eligible) if eligible is not None else np.arange(n)
        if candidates.size:
            hit[rng.choice(candidates)] = True
    return hit


# --- IDs as integers of a fixed width --------------------------------------------------------


def id_strings(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings of a fixed width."""
    if len(values) == 0:
        return np.array([], dtype=f"<U{width}")
    return np.char.zfill(values.astype(np.int64).astype(str), width)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def _from_digits(digits: np.ndarray) -> np.ndarray:
    width = digits.shape[1]
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (digits * powers).sum(axis=1)


def transposition_positions(
    rng: np.random.Generator, values: np.ndarray, width: int, keep_leading_digit: bool
) -> np.ndarray:
    """A random position p per value where digits p and p+1 differ (-1 where none does)."""
    d = _digits(values, width)
    ok = d[:, :-1] != d[:, 1:]
    if keep_leading_digit:
        ok[:, 0] &= d[:, 1] != 0
    keys = np.where(ok, rng.random(ok.shape), -1.0)
    pos = keys.argmax(axis=1)
    return np.where(ok.any(axis=1), pos, -1)


def transpose(values: np.ndarray, width: int, pos: np.ndarray) -> np.ndarray:
    """Swap digits pos and pos+1 of each value (pos >= 0)."""
    d = _digits(values, width)
    rows = np.arange(len(values))
    left = d[rows, pos].copy()
    d[rows, pos] = d[rows, pos + 1]
    d[rows, pos + 1] = left
    return _from_digits(d)


def change_digit(rng: np.random.Generator, values: np.ndarray, width: int) -> np.ndarray:
    """Change one random digit of each value to another digit."""
    d = _digits(values, width)
    rows = np.arange(len(values))
    pos = rng.integers(0, width, len(values))
    d[rows, pos] = (d[rows, pos] + rng.integers(1, 10, len(values))) % 10
    return _from_digits(d)


def plant_id_traps(
    rng: np.random.Generator,
    ids: np.ndarray,
    width: int,
    sources: np.ndarray,
    victim_pool: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give some other child the ID that a transposition of each source child's ID makes.

    `ids` holds one ID per person (index = person index); `sources` and `victim_pool` are person
    indices. Returns the new ids, and per person the trap position (-1 if none) and the victim
    (-1 if none). Sources whose transposition would clash with an existing ID are left without a
    trap; a victim is never a source nor another source's victim.
    """
    ids = ids.copy()
    trap_pos = np.full(len(ids), -1, dtype=np.int64)
    trap_victim = np.full(len(ids), -1, dtype=np.int64)
    sources = np.unique(sources)
    if sources.size == 0:
        return ids, trap_pos, trap_victim
    pos = transposition_positions(rng, ids[sources], width, keep_leading_digit=True)
    sources, pos = sources[pos >= 0], pos[pos >= 0]
    new_ids = transpose(ids[sources], width, pos)
    _, first = np.unique(new_ids, return_index=True)
    unique_new = np.zeros(len(new_ids), dtype=bool)
    unique_new[first] = True
    keep = unique_new & ~np.isin(new_ids, ids)
    sources, pos, new_ids = sources[keep], pos[keep], new_ids[keep]
    pool = np.setdiff1d(victim_pool, sources)
    n = min(len(sources), len(pool))
    sources, pos, new_ids = sources[:n], pos[:n], new_ids[:n]
    victims = rng.choice(pool, size=n, replace=False)
    ids[victims] = new_ids
    trap_pos[sources] = pos
    trap_victim[sources] = victims
    return ids, trap_pos, trap_victim


def mistype_ids(
    rng: np.random.Generator,
    true_ids: np.ndarray,
    width: int,
    trap_pos: np.ndarray,
    digit_change_share: float,
) -> np.ndarray:
    """The ID as mistyped: the planted transposition where the child has one, else a random typo.

    A random typo changes one digit (with probability `digit_change_share`) or transposes two
    adjacent differing digits; the result always differs from the true ID.
    """
    typed = true_ids.astype(np.int64).copy()
    trapped = trap_pos >= 0
    if trapped.any():
        typed[trapped] = transpose(typed[trapped], width, trap_pos[trapped])
    free = np.flatnonzero(~trapped)
    pos = transposition_positions(rng, typed[free], width, keep_leading_digit=False)
    by_change = (rng.random(len(free)) < digit_change_share) | (pos < 0)
    typed[free[by_change]] = change_digit(rng, typed[free[by_change]], width)
    swap = free[~by_change]
    typed[swap] = transpose(typed[swap], width, pos[~by_change])
    return typed


# --- names, in SQL --------------------------------------------------------------------------


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """SQL pieces the name faults use: the `nicknames` table and the `name_typo` macro.

    `name_typo(s, u, r)` changes one character of a name, keeping its first letter: u in [0, 1)
    picks the position (2..length), r is the replacement letter; if the character there already
    is r, 'a' (or 'o' for r = 'a') is used, so the result always differs from s.
    """
    con.execute(
        "create or replace table nicknames (formal varchar, k integer, nick varchar, n integer)"
    )
    con.executemany(
        "insert into nicknames values (?, ?, ?, ?)",
        [
            (formal, k, nick, len(nicks))
            for formal, nicks in names.NICKNAMES.items()
            for k, nick in enumerate(nicks)
        ],
    )
    con.execute(
        """
        create or replace macro typo_k(s, u) as cast(floor(u * (length(s) - 1)) as bigint);
        create or replace macro name_typo(s, u, r) as
            substr(s, 1, typo_k(s, u) + 1)
            || case when lower(substr(s, typo_k(s, u) + 2, 1)) = r
                    then case when r = 'a' then 'o' else 'a' end
                    else r end
            || substr(s, typo_k(s, u) + 3);
        """
    )


def name_fault_draws(
    rng: np.random.Generator,
    first_names: np.ndarray,
    *,
    typo: float,
    swapped: float,
    nickname: float,
) -> dict[str, np.ndarray]:
    """Fault flags and parameters for the name faults of n rows (see `shown_names_sql`)."""
    n = len(first_names)
    has_nick = np.isin(first_names, list(names.NICKNAMES))
    share = has_nick.mean() if n else 0.0
    return {
        "f_name_typo": draw(rng, n, typo),
        "typo_u": rng.random(n),
        "typo_r": np.array(list("aeinorstl"))[rng.integers(0, 9, n)],
        "typo_first": rng.random(n) < 0.5,
        "f_swapped_names": draw(rng, n, swapped),
        "f_nickname": draw(rng, n, min(1.0, nickname / share) if share else 0.0, has_nick),
        "nick_u": rng.random(n),
    }


def shown_names_sql(table: str) -> str:
    """A select of `table` with `shown_first`/`shown_last`: the names as the file shows them.

    Order of application: nickname, then a one-character typo (first or last name), then the swap.
    """
    return f"""
        with nicked as (
            select t.*, case when t.f_nickname then nk.nick else t.first_name end as first0
            from {table} t
            left join nicknames nk
                   on nk.formal = t.first_name and nk.k = cast(floor(t.nick_u * nk.n) as integer)
        ),
        typoed as (
            select *,
                   case when f_name_typo and typo_first then name_typo(first0, typo_u, typo_r)
                        else first0 end as first1,
                   case when f_name_typo and not typo_first
                        then name_typo(last_name, typo_u, typo_r)
                        else last_name end as last1
            from nicked
        )
        select *,
               case when f_swapped_names then last1 else first1 end as shown_first,
               case when f_swapped_names then first1 else last1 end as shown_last
        from typoed
    """
