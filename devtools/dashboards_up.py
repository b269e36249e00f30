"""`make dashboards` (`districtwide dashboards up`): Superset started on 127.0.0.1 (its own venv,
home under the data folder), the dashboards published by their Dagster asset, and where to log in.

The server keeps running after this exits, as a separate process: `make superset-stop` stops it.
Rerunning publishes again into the same objects (nothing is duplicated).
"""

from __future__ import annotations

import logging
import os

from dagster import materialize

from connectors.home import Home, default_home
from dashboards.people import PASSWORD_ENV
from dashboards.specs import load_specs
from devtools.demo import dagster_instance
from devtools.superset_server import SupersetAlreadyRunning, SupersetSettings, attach, start
from orchestration.defs.dashboards.assets import superset_dashboards
from orchestration.resources import DistrictwideHome, SupersetResource

log = logging.getLogger("districtwide.dashboards")


def main() -> int:
    """Start (or attach to) Superset, publish the dashboards, say where to log in."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    home = Home(default_home()).ensure()
    if not home.serving.exists():
        log.error("no served marts at %s yet: run `make demo` (or a load) first", home.serving)
        return 1

    settings = SupersetSettings()
    # A password the user chose is never printed; the documented local default is.
    chosen = "DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD" in os.environ
    try:
        server = attach(settings) or start(settings)
    except SupersetAlreadyRunning:
        server = attach(settings)
    # The publishing asset with this server's login, not the environment's.
    superset = SupersetResource(
        url=server.base_url, username=settings.admin_user, password=settings.admin_password
    )
    result = materialize(
        [superset_dashboards],
        resources={"home": DistrictwideHome(root=str(home.root)), "superset": superset},
        instance=dagster_instance(),
        raise_on_error=False,
    )
    if not result.success:
        log.error("publishing failed: see the errors above (Superset log: %s)", settings.server_log)
        return 1
    password = "$DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD" if chosen else settings.admin_password
    print(f"Superset: {server.base_url}  login: {settings.admin_user} / {password}")
    for board in load_specs().dashboards:
        print(f"  {board.title:<24} {server.base_url}/superset/dashboard/{board.slug}/")
    # The roster's staff are users too (docs/access.md); their password is only ever set by
    # the environment, or by an admin.
    if os.environ.get(PASSWORD_ENV):
        print(f"Staff users from the roster: their email / ${PASSWORD_ENV} (docs/access.md)")
    else:
        print(
            f"Staff users from the roster have no usable password until ${PASSWORD_ENV} is set "
            "before they are first published, or an admin sets one (docs/access.md)"
        )
    print("Stop the server with: make superset-stop")
    return 0
