"""Mistyped IDs: the planted identity trap and the typed IDs every exporter prints.

architecture.md's trap: an ID with two digits transposed can be another real child's ID. After the
exporters have drawn which rows carry a mistyped ID (and which of those should collide), the
collision sources get a trap: another SIS child's ID is rewritten to the transposition of the
source's ID (`plant`). When the files are written, `typed_ids_table` types exactly that
transposition for a trapped child and a random typo for everyone else, and records whose real
ID the typed one is.

The namesake trap (`plant_namesakes`): a child only MAP knows, with the first name, last name,
sex and birth date of a SIS child of their grade who sits the same MAP tests that year, under
their own MAP ID and middle name. Nothing but the ID, which matches no SIS student, tells them
apart, so a name and birth date link merges two children (at 100,000 students a chance
namesake did, and the SIS child's natural key held two results of one test).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from synthetic import faults
from synthetic.people import IN_SIS, ONLY_MAP, People, local_id_width

if TYPE_CHECKING:
    from synthetic.district import District
from synthetic.tables import put_table

log = logging.getLogger(__name__)

#: Per ID kind: the People attribute and `ids` column.
KINDS = {"local": "local_id", "state": "state_id"}


def _kind(people: People, kind: str) -> tuple[str, int]:
    """The attribute and printed width of one ID kind."""
    attr = KINDS[kind]
    return attr, local_id_width(len(people)) if kind == "local" else 10


def plant(district: District, sources: dict[str, np.ndarray]) -> None:
    """Plant the traps for the source children (pids per ID kind) and re-register the IDs."""
    people = district.people
    victim_pool = np.flatnonzero(people.known_to == IN_SIS)
    for kind, pids in sources.items():
        attr, width = _kind(people, kind)
        rng = district.config.stream(f"traps.{kind}")
        new_ids, trap_pos, trap_victim = faults.plant_id_traps(
            rng, getattr(people, attr), width, np.asarray(pids, dtype=np.int64) - 1, victim_pool
        )
        setattr(people, attr, new_ids)
        district.trap_pos[kind] = trap_pos
        district.trap_victim[kind] = trap_victim
        log.info("%s IDs: %d traps planted", kind, int((trap_pos >= 0).sum()))
    district.register_ids()


def typed_ids_table(
    district: District, table: str, rows: dict, *, kind: str, digit_change_share: float
) -> None:
    """Table `table(seq, typed, owner)`: the mistyped ID of each row and whose real ID it is.

    `rows` holds `seq` and `pid` of the mistyped rows; `kind` is 'local' or 'state'. `owner`
    is the SIS child whose true ID equals the typed one (NULL when none does).
    """
    people = district.people
    pidx = np.asarray(rows["pid"], dtype=np.int64) - 1
    attr, width = _kind(people, kind)
    ids = getattr(people, attr)
    trap = district.trap_pos[kind]
    rng = district.config.stream(f"typed.{table}")
    typed = faults.mistype_ids(rng, ids[pidx], width, trap[pidx], digit_change_share)
    put_table(
        district.con,
        f"{table}_raw",
        seq=np.asarray(rows["seq"], dtype=np.int64),
        typed=faults.id_strings(typed, width),
    )
    district.con.execute(
        f"""
        create or replace table {table} as
        select t.seq, t.typed, o.pid as owner
        from {table}_raw t
        left join (select i.pid, i.{attr} from ids i join people p using (pid)
                   where p.known_to = {IN_SIS}) o on o.{attr} = t.typed;
        drop table {table}_raw;
        """
    )


def plant_namesakes(
    rng: np.random.Generator, people: People, spans: dict[str, np.ndarray], n_namesakes: int
) -> np.ndarray:
    """Give up to `n_namesakes` children only MAP knows a SIS child's names and birth date.

    `spans` holds the enrollment span arrays (`pid` as person index, `year`, `school`, `grade`,
    `span_no`, `b`, `e`, `known_to`). The SIS child is enrolled all year in the stranger's year
    and grade (so both sit every MAP window), at another school where the level has one, and is
    neither in a same-name pair nor a look-alike's twin. Returns the strangers' person indices.
    """
    stranger_span = np.flatnonzero(spans["known_to"] == ONLY_MAP)
    # Strangers who are no one's look-alike first: a look-alike keeps its own first name.
    stranger_span = stranger_span[
        np.argsort(people.lookalike_of[spans["pid"][stranger_span]] > 0, kind="stable")
    ]
    full_year = (
        (spans["known_to"] == IN_SIS)
        & (spans["span_no"] == 0)
        & (spans["b"] == 0)
        & (spans["e"] == spans["e"].max())
    )
    taken = np.zeros(len(people), dtype=bool)
    taken[people.same_name_group > 0] = True
    taken[people.lookalike_of[people.lookalike_of > 0] - 1] = True
    planted = []
    for at in stranger_span[:n_namesakes]:
        stranger = spans["pid"][at]
        fits = (
            full_year
            & (spans["year"] == spans["year"][at])
            & (spans["grade"] == spans["grade"][at])
        )
        fits &= ~taken[spans["pid"]]
        elsewhere = fits & (spans["school"] != spans["school"][at])
        pool = np.flatnonzero(elsewhere if elsewhere.any() else fits)
        if not len(pool):
            continue
        twin = spans["pid"][pool[rng.integers(len(pool))]]
        for attr in ("first_name", "last_name", "sex", "birth_date"):
            getattr(people, attr)[stranger] = getattr(people, attr)[twin]
        people.lookalike_of[stranger] = 0
        people.namesake_of[stranger] = twin + 1
        taken[twin] = True
        planted.append(stranger)
    log.info("namesakes: %d planted", len(planted))
    return np.asarray(planted, dtype=np.int64)
