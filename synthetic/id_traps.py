"""Mistyped IDs: the planted identity trap and the typed IDs every exporter prints.

architecture.md's trap: an ID with two digits transposed can be another real child's ID. After the
exporters have drawn which rows carry a mistyped ID (and which of those should collide), the
collision sources get a trap: another SIS child's ID is rewritten to the transposition of the
source's ID (`plant`). When the files are written, `typed_ids_table` types exactly that
transposition for a trapped child and a random typo for everyone else, and records whose real
ID the typed one is.
"""

from __future__ import annotations

import logging

import numpy as np

from synthetic import faults
from synthetic.district import District
from synthetic.people import IN_SIS, People, local_id_width
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
