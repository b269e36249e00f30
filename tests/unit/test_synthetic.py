"""The generator's pieces that need no district: names fit Windows-1252, the identity traps make a
transposition another child's ID, and the command refuses a district too small to draw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synthetic import names
from synthetic.__main__ import main
from synthetic.faults import id_strings, mistype_ids, plant_id_traps, transpose
from synthetic.people import _unique_ids, local_id_width


def test_names_fit_windows_1252() -> None:
    for name in names.all_names():
        name.encode("cp1252")
    for needed in ("José", "Zoë", "Peña", "Muñoz", "O'Brien", "D'Angelo"):
        assert needed in names.all_names()
    assert names.NICKNAMES["William"][0] == "Bill"
    for lists in (names.FEMALE, names.MALE, names.LAST):
        assert sum(len(group) for group in lists) > 300


def test_id_traps_make_a_transposition_another_childs_id() -> None:
    rng = np.random.default_rng(0)
    ids = rng.choice(900_000, 1000, replace=False) + 100_000
    new_ids, pos, victim = plant_id_traps(rng, ids, 6, np.arange(10), np.arange(10, 1000))
    assert len(np.unique(new_ids)) == 1000
    sources = np.flatnonzero(pos >= 0)
    assert len(sources) >= 8
    typed = mistype_ids(rng, new_ids[sources], 6, pos[sources], digit_change_share=0.5)
    assert (typed == new_ids[victim[sources]]).all()
    assert (typed == transpose(new_ids[sources], 6, pos[sources])).all()
    free = mistype_ids(rng, new_ids[100:200], 6, np.full(100, -1), digit_change_share=0.5)
    assert (free != new_ids[100:200]).all()


def test_a_million_children_get_unique_eight_digit_local_ids() -> None:
    """Six digits hold 900,000 IDs: past 300,000 people the local ID is 8 digits wide (as the
    largest districts print), below it stays 6 (every smaller fixture keeps its IDs)."""
    assert local_id_width(5_000) == local_id_width(300_000) == 6
    n = 1_009_157  # the children of a 1,000,000-student district (SIS and the others)
    width = local_id_width(n)
    assert width == 8
    ids = _unique_ids(np.random.default_rng(2026), n, 10 ** (width - 1), 10**width)
    assert len(np.unique(ids)) == n
    printed = id_strings(ids, width)
    assert {len(s) for s in printed} == {8}
    # The trap's transposition of an 8-digit ID is another 8-digit ID.
    swapped = transpose(ids[:1000], width, np.full(1000, 3))
    assert ((swapped >= 10**7) & (swapped < 10**8)).all()


def test_cli_rejects_a_district_too_small(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--students", "10", "--seed", "1", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert not (tmp_path / "landing").exists()
