"""The SIS snapshot as a OneRoster 1.2 CSV export (`--sis oneroster-1.2`).

1.2 moved a user's role and organizations out of users.csv into roles.csv, added userProfiles.csv
and new users columns (docs/oneroster.md; layouts `connectors/layouts/sis/oneroster_1_2_*.yaml`);
every other file keeps its 1.1 header. Real 1.2 exports also tend to send GUIDs as `sourcedId`s
and the district's student number in `userIds` (`{district:123456}`), so this export does too:
every user's sourcedId is a GUID derived from their number, and the district reading it sets
`sis.local_id: userIds:district`. programs.csv (districtwide's own file) keeps the local number.
The district, its faults and its truth are those of the 1.1 export.
"""

from __future__ import annotations

from pathlib import Path

from synthetic.district import District
from synthetic.tables import columns, write_csv

USERS_COLUMNS = columns(
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
    "resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,"
    "primaryOrgSourcedId,pronouns"
)
ROLES_COLUMNS = columns(
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)
PROFILES_COLUMNS = columns(
    "sourcedId,status,dateLastModified,userSourcedId,profileType,vendorId,applicationId,"
    "description,credentialType,username,password"
)
#: The 1.2 manifest's files: those written (bulk) and the rest of the specification's (absent).
BULK = (
    "academicSessions",
    "classes",
    "courses",
    "demographics",
    "enrollments",
    "orgs",
    "roles",
    "userProfiles",
    "users",
)
ABSENT = (
    "categories",
    "classResources",
    "courseResources",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "scoreScales",
    "userResources",
)


def define_user_ref(district: District, version: str) -> None:
    """SQL macro `user_ref(number)`: the sourcedId a user with that number has in the export.

    1.1: the number itself. 1.2: a version-4-shaped GUID hashed from the seed and the number, so
    the same seed gives the same GUIDs and nothing in the GUID gives the number away.
    """
    if version == "oneroster-1.1":
        district.con.execute("create or replace macro user_ref(n) as n")
        return
    salt = f"maple-valley-{district.config.seed}:"
    district.con.execute(
        f"""
        create or replace macro user_ref(n) as regexp_replace(
            md5('{salt}' || n), '^(.{{8}})(.{{4}}).(.{{3}}).(.{{3}})(.{{12}})$',
            '\\1-\\2-4\\3-a\\4-\\5'
        )
        """
    )


def write_roles_and_profiles(district: District, out: Path, ts: str) -> dict[str, int]:
    """roles.csv (each user's one primary role at their school) and userProfiles.csv (their
    account in the district's learning platform), from the users before any faults."""
    con = district.con
    con.execute(
        f"""
        create or replace table sis_roles as
        select seq as rid, 'R' || lpad(seq::varchar, 7, '0') as sourcedId, 'active' as status,
               '{ts}' as dateLastModified, user_ref(sid) as userSourcedId,
               'primary' as roleType, role, '' as beginDate, '' as endDate,
               org as orgSourcedId, 'UP' || lpad(seq::varchar, 7, '0') as userProfileSourcedId
        from sis_users_rows order by seq
        """
    )
    con.execute(
        f"""
        create or replace table sis_user_profiles as
        select seq as rid, 'UP' || lpad(seq::varchar, 7, '0') as sourcedId, 'active' as status,
               '{ts}' as dateLastModified, user_ref(sid) as userSourcedId,
               'lms' as profileType, 'maple-lms' as vendorId, 'maple-lms-prod' as applicationId,
               'Learning platform account' as description, 'username' as credentialType,
               username, '' as password
        from sis_users_rows order by seq
        """
    )
    rows = {
        "roles.csv": write_csv(con, "sis_roles", out / "roles.csv", ROLES_COLUMNS),
        "userProfiles.csv": write_csv(
            con, "sis_user_profiles", out / "userProfiles.csv", PROFILES_COLUMNS
        ),
    }
    con.execute("drop table sis_roles; drop table sis_user_profiles")
    return rows
