"""`districtwide dashboards pictures`: the pictures of docs/dashboards.md, taken again.

Every dashboard of the server `make dashboards` started is photographed in headless Chromium at
1,280 px (devtools/screenshot.py), drawn at half scale by Chromium itself so each PNG stays small
enough to keep in the repository (MAX_BYTES), and refused when a chart drew no data, showed an
error or a table is cut off: a picture in the docs is also a check that the dashboard works.
"""

from __future__ import annotations

import logging
from pathlib import Path

from connectors.home import REPO_ROOT
from dashboards.specs import load_specs
from devtools.screenshot import PAGE_WIDTH, screenshot_dashboard
from devtools.superset_server import SupersetSettings, status

log = logging.getLogger("districtwide.dashboards")

IMAGES = REPO_ROOT / "docs" / "images"
SCALE = 0.5
MAX_BYTES = 300_000


def picture_path(slug: str, folder: Path = IMAGES) -> Path:
    return folder / f"{slug}-dashboard.png"


def main(folder: Path = IMAGES) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = SupersetSettings()
    running = status(settings)
    if running is None:
        log.error("no Superset running for this home: run `make demo` and `make dashboards` first")
        return 1
    failed = 0
    for board in load_specs().dashboards:
        path = picture_path(board.slug, folder)
        shot = screenshot_dashboard(
            running[1],
            board.slug,
            settings.admin_user,
            settings.admin_password,
            path,
            width=PAGE_WIDTH,
            scale=SCALE,
        )
        size = path.stat().st_size
        if not shot.ok or size > MAX_BYTES:
            failed += 1
            log.error(
                "%s: %d of %d charts with data, %d errors, tables cut off %s, %d bytes",
                board.slug,
                shot.charts_with_data,
                shot.charts,
                shot.errors,
                shot.clipped,
                size,
            )
        else:
            print(f"{path.relative_to(REPO_ROOT)}: {shot.charts} charts, {size / 1000:.0f} KB")
    return 1 if failed else 0
