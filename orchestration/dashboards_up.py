"""`make dashboards`: Superset started on 127.0.0.1 (its own venv, home under the data folder),
the dashboards published by the `publish_dashboards` job, and where to log in.

The server keeps running after this exits, as a separate process: `make superset-stop` stops it.
Rerunning publishes again into the same objects (nothing is duplicated).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from connectors.home import Home, default_home
from dashboards.server import SupersetAlreadyRunning, SupersetSettings, attach, start
from dashboards.specs import load_specs
from orchestration.demo import dagster_instance

log = logging.getLogger("districtwide.dashboards")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.dashboards_up", description=__doc__
    )
    parser.parse_args(argv)
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
    os.environ["DISTRICTWIDE_SUPERSET_URL"] = server.base_url
    os.environ["DISTRICTWIDE_SUPERSET_ADMIN_USER"] = settings.admin_user
    os.environ["DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD"] = settings.admin_password

    from orchestration.definitions import defs

    result = defs.resolve_job_def("publish_dashboards").execute_in_process(
        instance=dagster_instance(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    if not result.success:
        log.error("publishing failed: see the errors above (Superset log: %s)", settings.server_log)
        return 1
    password = "$DISTRICTWIDE_SUPERSET_ADMIN_PASSWORD" if chosen else settings.admin_password
    print(f"Superset: {server.base_url}  login: {settings.admin_user} / {password}")
    for board in load_specs().dashboards:
        print(f"  {board.title:<24} {server.base_url}/superset/dashboard/{board.slug}/")
    print("Stop the server with: make superset-stop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
