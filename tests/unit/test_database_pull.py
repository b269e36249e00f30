"""The pure parts of a database pull: drift wording, and no secret in what is logged."""

from connectors.databases.extract import safe_url, scrub
from connectors.databases.pull import _drift
from connectors.databases.schemas import ONEROSTER, POWERSCHOOL


def test_drift_names_what_was_added_dropped_or_renamed() -> None:
    before = ["ID", "Att_Date", "Att_Comment"]
    assert _drift("ATTENDANCE", before, ("ID", "Att_Date", "Att_Comment")) is None
    assert (
        _drift("ATTENDANCE", before, ("ID", "Att_Date", "Att_Note"))
        == "ATTENDANCE: column Att_Comment renamed to Att_Note?"
    )
    assert (
        _drift("ATTENDANCE", before, ("ID", "Att_Date", "Att_Comment", "A", "B"))
        == "ATTENDANCE: added A, B"
    )
    assert _drift("ATTENDANCE", before, ("ID",)) == "ATTENDANCE: dropped Att_Date, Att_Comment"


def test_the_url_is_named_without_its_password_and_errors_are_scrubbed() -> None:
    url = "mysql+pymysql://reader:pa55word@ps-replica:3306/powerschool"
    assert "pa55word" not in safe_url(url) and "ps-replica:3306/powerschool" in safe_url(url)
    said = scrub(
        "Access denied for user 'reader' (using password: pa55word) at mysql://reader:pa55word@h",
        url,
    )
    assert "pa55word" not in said and "reader" not in said


def test_every_feed_reads_tables_its_schema_declares_and_needs_their_keys() -> None:
    for schema in (POWERSCHOOL, ONEROSTER):
        names = {t.name for t in schema.tables}
        for feed in schema.feeds:
            assert set(feed.tables) <= names
        for table in schema.tables:
            assert table.key in table.needs
