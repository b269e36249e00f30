"""A small Superset REST client (requests only): log in once, keep the CSRF token with its
session cookie, and create-or-update objects matched by their name, so publishing twice changes
nothing. Every failure names the object, the API call and Superset's own message.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import prison
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from dashboards.errors import SupersetError

log = logging.getLogger(__name__)

# Answers worth retrying: the server is starting, restarting or briefly overloaded.
RETRY_STATUS = frozenset({502, 503, 504})
# Every call, POST included (create-or-update is matched by name, so a repeat is harmless), is
# tried 4 times on a connection error or a RETRY_STATUS answer, 4 and 8 s apart at most 10.
RETRIES = Retry(
    total=3,
    status_forcelist=RETRY_STATUS,
    allowed_methods=None,
    backoff_factor=2,
    backoff_max=10,
    raise_on_status=False,
)


@dataclass(frozen=True)
class Upserted:
    """An object after create-or-update: its id and 'created', 'updated' or 'unchanged'."""

    id: int
    action: str
    # The object as Superset showed it before any update (None when just created).
    current: dict[str, Any] | None = None


def differs(current: Any, wanted: Any) -> bool:
    """True when `wanted` is not already contained in `current`.

    JSON strings (chart params, dashboard metadata) compare as parsed JSON; a dict compares only
    the keys we set (Superset adds its own defaults); a list of objects compares by their ids.
    """
    if isinstance(wanted, str) and isinstance(current, str) and wanted[:1] in "{[":
        try:
            return differs(json.loads(current), json.loads(wanted))
        except ValueError:
            return current != wanted
    if isinstance(wanted, dict):
        if not isinstance(current, dict):
            return True
        return any(differs(current.get(key), item) for key, item in wanted.items())
    if isinstance(wanted, list) and isinstance(current, list):
        ids = [item["id"] if isinstance(item, dict) and "id" in item else item for item in current]
        if len(ids) != len(wanted):
            return True
        if all(isinstance(item, int) for item in wanted):
            return sorted(ids) != sorted(wanted)
        return any(differs(c, w) for c, w in zip(current, wanted, strict=True))
    return current != wanted


def differs_whole(current: Any, wanted: Any) -> bool:
    """True when a JSON field that is ours entirely (a chart's params and saved query) is not
    `wanted` exactly: `differs` lets Superset's extra keys be, so a key the spec dropped (an
    old `"metrics": []`, a column's number format) would otherwise stay in Superset for good."""
    try:
        return json.loads(current) != json.loads(wanted)
    except (TypeError, ValueError):
        return current != wanted


class SupersetClient:
    """One logged-in session against one Superset server."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 60.0,
        ready_timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ready_timeout = ready_timeout
        self.session = requests.Session()
        self.session.mount(self.base_url, HTTPAdapter(max_retries=RETRIES))
        self.session.headers["Referer"] = self.base_url

    @classmethod
    def from_env(cls, base_url: str | None = None) -> SupersetClient:
        """Credentials from DISTRICTWIDE_SUPERSET_URL / _ADMIN_USER / _ADMIN_PASSWORD."""
        url = base_url or os.environ.get("DISTRICTWIDE_SUPERSET_URL", "http://127.0.0.1:8088")
        user = os.environ.get("DISTRICTWIDE_SUPERSET_ADMIN_USER", "admin")
        password = os.environ.get("DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD")
        if not password:
            raise SupersetError(
                "login", "environment", None, "DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD is not set"
            )
        return cls(url, user, password)

    # --- session ---------------------------------------------------------------------------

    def login(self) -> SupersetClient:
        """Wait for the server, log in, then fetch the CSRF token bound to this session's cookie."""
        self.wait_until_ready()
        token = self.request(
            "POST",
            "/api/v1/security/login",
            f"login as {self.username}",
            json={
                "username": self.username,
                "password": self._password,
                "provider": "db",
                "refresh": True,
            },
        )["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self.request("GET", "/api/v1/security/csrf_token/", "CSRF token")["result"]
        self.session.headers["X-CSRFToken"] = csrf
        return self

    def wait_until_ready(self) -> None:
        """Poll /health until it answers OK: a server still starting is not an error yet."""
        deadline = time.monotonic() + self.ready_timeout
        last = "no answer"
        while True:
            try:
                # Not through the session: its retries would stretch each poll.
                answer = requests.get(f"{self.base_url}/health", timeout=5)
                if answer.ok:
                    return
                last = f"HTTP {answer.status_code}"
            except requests.RequestException as exc:
                last = type(exc).__name__
            if time.monotonic() > deadline:
                raise SupersetError(
                    "server",
                    f"GET {self.base_url}/health",
                    None,
                    f"not ready after {self.ready_timeout:.0f} s ({last})",
                )
            time.sleep(1)

    def request(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        """One API call (retried by the session, see RETRIES); raises with context."""
        call = f"{method} {path}"
        try:
            answer = self.session.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise SupersetError(what, call, None, str(exc)) from exc
        if not answer.ok:
            raise SupersetError(what, call, answer.status_code, _message(answer))
        return answer.json() if answer.content else {}

    # --- generic create-or-update ----------------------------------------------------------

    def find(self, resource: str, what: str, **filters: Any) -> list[dict[str, Any]]:
        """Objects of `resource` whose columns equal `filters` (Superset's list endpoint)."""
        query = {
            "filters": [
                {"col": col, "opr": "eq", "value": value} for col, value in filters.items()
            ],
            "page_size": 100,
        }
        found = self.request(
            "GET", f"/api/v1/{resource}/", f"look up {what}", params={"q": prison.dumps(query)}
        )
        return found.get("result", [])

    def upsert(
        self,
        resource: str,
        what: str,
        key: dict[str, Any],
        payload: dict[str, Any],
        *,
        matches: Iterable[dict[str, Any]] | None = None,
        update: dict[str, Any] | None = None,
        read: str = "",
        whole: Iterable[str] = (),
    ) -> Upserted:
        """Create `payload`, or update the one object matching `key` where it differs.

        `matches` replaces the lookup by `key` when Superset cannot filter on it; `update` is the
        body for an update when it differs from the body for a create; `read` is the sub-path
        that shows the fields we set when the object's own page hides some (a database's URI);
        `whole` names JSON fields compared whole (`differs_whole`), not key by key.
        """
        found = list(matches) if matches is not None else self.find(resource, what, **key)
        if len(found) > 1:
            ids = sorted(item["id"] for item in found)
            raise SupersetError(
                what,
                f"GET /api/v1/{resource}/",
                None,
                f"{len(found)} objects match {key} (ids {ids}); remove the duplicates",
            )
        if not found:
            created = self.request("POST", f"/api/v1/{resource}/", f"create {what}", json=payload)
            log.info("created %s (id %s)", what, created["id"])
            return Upserted(int(created["id"]), "created")
        object_id = int(found[0]["id"])
        body = update if update is not None else payload
        path = f"/api/v1/{resource}/{object_id}" + (f"/{read}" if read else "")
        current = self.request("GET", path, f"read {what}")["result"]
        exact = set(whole)
        if not differs(current, {k: v for k, v in body.items() if k not in exact}) and not any(
            differs_whole(current.get(key), body[key]) for key in exact if key in body
        ):
            return Upserted(object_id, "unchanged", current)
        self.request("PUT", f"/api/v1/{resource}/{object_id}", f"update {what}", json=body)
        log.info("updated %s (id %s)", what, object_id)
        return Upserted(object_id, "updated", current)

    # --- security: roles, permissions, users ------------------------------------------------

    def role(self, name: str) -> Upserted:
        """The role named `name`, created when missing (a role has no other field we set)."""
        return self.upsert("security/roles", f"role {name!r}", {"name": name}, {"name": name})

    def role_id(self, name: str) -> int:
        """The id of an existing role (Superset's own, such as Gamma, or ours)."""
        found = self.find("security/roles", f"role {name!r}", name=name)
        if not found:
            raise SupersetError(
                f"role {name!r}", "GET /api/v1/security/roles/", None, "no such role"
            )
        return int(found[0]["id"])

    def permission_id(self, permission: str, view_menu: str) -> int:
        """The id of `permission` on `view_menu` (e.g. datasource_access on [db].[table](id:N))."""
        what = f"permission {permission} on {view_menu}"
        menus = self.find("security/resources", what, name=view_menu)
        if not menus:
            raise SupersetError(what, "GET /api/v1/security/resources/", None, "no such resource")
        query = prison.dumps(
            {
                "filters": [{"col": "view_menu", "opr": "rel_o_m", "value": menus[0]["id"]}],
                "page_size": 100,
            }
        )
        rows = self.request(
            "GET", "/api/v1/security/permissions-resources/", f"look up {what}", params={"q": query}
        )["result"]
        for row in rows:
            if row["permission"]["name"] == permission:
                return int(row["id"])
        raise SupersetError(
            what, "GET /api/v1/security/permissions-resources/", None, "no such permission"
        )

    def set_role_permissions(self, role_id: int, role_name: str, permission_ids: list[int]) -> str:
        """Make the role's permissions exactly `permission_ids`; 'unchanged' when they are."""
        what = f"permissions of role {role_name!r}"
        current = self.request(
            "GET", f"/api/v1/security/roles/{role_id}/permissions/", f"read {what}"
        )["result"]
        if sorted(p["id"] for p in current) == sorted(set(permission_ids)):
            return "unchanged"
        self.request(
            "POST",
            f"/api/v1/security/roles/{role_id}/permissions",
            f"set {what}",
            json={"permission_view_menu_ids": sorted(set(permission_ids))},
        )
        return "updated"

    def user(
        self, username: str, password: str, role_ids: list[int], *, email: str | None = None
    ) -> Upserted:
        """A database-login user with exactly `role_ids` (the password is set only on creation)."""
        body = {
            "first_name": username,
            "last_name": "districtwide",
            "username": username,
            "email": email or f"{username}@districtwide.invalid",
            "active": True,
            "roles": sorted(role_ids),
        }
        return self.upsert(
            "security/users",
            f"user {username!r}",
            {"username": username},
            body | {"password": password},
            update=body,
        )

    # --- data ---------------------------------------------------------------------------------

    def chart_data(self, chart_id: int, what: str) -> list[dict[str, Any]]:
        """The rows the chart's saved query returns now, as this session's user may see them."""
        answer = self.request(
            "GET", f"/api/v1/chart/{chart_id}/data/", what, params={"force": "true"}
        )
        return answer["result"][0]["data"]

    def chart_data_query(self, query_context: str | dict[str, Any], what: str) -> list[dict]:
        """The rows of a query context posted as the dashboard page posts it (POST
        /api/v1/chart/data), uncached: what a person waits for when a chart draws."""
        context = json.loads(query_context) if isinstance(query_context, str) else query_context
        answer = self.request("POST", "/api/v1/chart/data", what, json=context | {"force": True})
        return answer["result"][0]["data"]


def _message(answer: requests.Response) -> str:
    """Superset's own error message, whatever shape the answer has."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text.strip()[:500] or answer.reason
    for key in ("message", "msg", "errors", "error"):
        if key in body:
            value = body[key]
            return value if isinstance(value, str) else json.dumps(value)[:500]
    return json.dumps(body)[:500]
