"""The district's people file (dashboards/people.py): a line that cannot be granted stops the
publish, naming the line."""

from __future__ import annotations

import pytest

from dashboards.people import PeopleFileError, read_people_file


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("someone@district.example,principal,", "line 2: a principal needs a school_id"),
        ("someone@district.example,teacher,", "line 2: access 'teacher' is not one of"),
        ("someone,district,", "line 2: email 'someone' is not an address"),
    ],
)
def test_the_people_file_is_checked(tmp_path, line, message):
    bad = tmp_path / "people.csv"
    bad.write_text(f"email,access,school_id\n{line}\n")
    with pytest.raises(PeopleFileError, match=message):
        read_people_file(bad)
