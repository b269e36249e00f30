"""Assessment vendors' exports: the state test file and NWEA MAP Growth's AssessmentResults."""

from __future__ import annotations

from connectors.filespec import FileSpec

SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "assessment",
        "state_results",
        "state_assessment_*.csv",
        (
            "SchoolYear",
            "DistrictCode",
            "SchoolCode",
            "SASID",
            "LastName",
            "FirstName",
            "BirthDate",
            "TestedGrade",
            "Subject",
            "ScaleScore",
            "AchievementLevel",
        ),
        "Spring state test: one row per student per subject",
    ),
    FileSpec(
        "assessment",
        "map_results",
        "AssessmentResults*.csv",
        (
            "TermName",
            "DistrictName",
            "SchoolName",
            "StudentID",
            "StudentLastName",
            "StudentFirstName",
            "StudentMI",
            "StudentDateOfBirth",
            "StudentGender",
            "Grade",
            "Subject",
            "Course",
            "TestType",
            "TestName",
            "TestStartDate",
            "TestDurationMinutes",
            "TestRITScore",
            "TestStandardError",
            "TestPercentile",
            "AchievementQuintile",
        ),
        "NWEA MAP Growth benchmark results, fall/winter/spring",
    ),
)
