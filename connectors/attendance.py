"""The attendance system's export: its own student list and its exception records."""

from __future__ import annotations

from connectors.filespec import FileSpec

SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "attendance",
        "students",
        "attendance_students.csv",
        (
            "StuNum",
            "LastName",
            "FirstName",
            "MiddleInit",
            "BirthDate",
            "Gender",
            "Grade",
            "SchoolCode",
            "SisNumber",
        ),
        "The attendance system's student list, with the SIS number where a clerk typed it",
    ),
    FileSpec(
        "attendance",
        "exceptions",
        "attendance_exceptions_*.csv",
        ("StuNum", "SchoolCode", "AbsenceDate", "AttCode", "Minutes", "Comment"),
        "Absences, tardies and early dismissals: one row per student per day with an exception",
    ),
)
