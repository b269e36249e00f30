"""Photograph a Superset dashboard in headless Chromium and say which charts really drew data.

A dashboard that publishes without error can still show an error panel, an empty chart or a
spinner that never ends. This opens the dashboard the way a person does, waits until every chart
has settled, counts the charts that drew data, the error panels and the "No results" panels, and
saves a PNG, so a test or `make dashboards` can prove the dashboards work, not only that they exist.

Selectors come from Superset 6.1.0's rendered DOM (inspected on a real dashboard):
- each chart: `[data-test="chart-grid-component"]` carrying `data-test-chart-id`,
  `data-test-viz-type` and `data-test-chart-name`;
- still loading: `[data-test="loading-indicator"]` (class `loading`) inside it;
- a query error: an antd alert `.ant-alert-error[role="alert"]` (title in `.ant-alert-message`,
  e.g. "Data error") *instead of* the chart container;
- rendered: `[data-test="chart-container"]` holding ECharts `<canvas>`, a `<table>` with body rows,
  an SVG chart or a big number's `.header-line`; "No results" is an `.ant-empty` inside it.

Chart values never leave the browser: only counts, chart ids, names and error titles are returned
or logged (an error's description can quote data, so it is not read).
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The width the dashboards are built for: a 1,280-px laptop screen.
PAGE_WIDTH = 1280
# No network beyond loopback here: without these flags Chromium keeps dialling Google's hosts.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
CHART_SELECTOR = '[data-test="chart-grid-component"]'

# Runs in the page: one record per chart, with no chart values in it.
CHART_STATES_JS = r"""
const canvasDrawn = (c) => {
  if (!c.width || !c.height) return false;
  const ctx = c.getContext('2d');
  if (!ctx) return true;  // a WebGL canvas: it exists with a size, count it as drawn
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < data.length; i += 16) { if (data[i] !== 0) return true; }
  return false;
};
const svgDrawn = (s) => !s.closest('.anticon, th, button, [role="img"][aria-label="empty"]')
  && s.querySelectorAll('path, rect, circle, line, polyline, polygon').length > 0
  && s.getBoundingClientRect().width > 40;
return Array.from(document.querySelectorAll(arguments[0])).map((h) => {
  const loading = h.querySelector('[data-test="loading-indicator"], .loading') !== null;
  const alert = h.querySelector('.ant-alert-error, [role="alert"]');
  const container = h.querySelector('[data-test="chart-container"]');
  const empty = container !== null && container.querySelector('.ant-empty') !== null;
  let rows = 0, drawn = false;
  if (container !== null && !empty) {
    rows = container.querySelectorAll('table tbody tr, [role="gridcell"]').length;
    drawn = rows > 0
      || Array.from(container.querySelectorAll('canvas')).some(canvasDrawn)
      || Array.from(container.querySelectorAll('svg')).some(svgDrawn)
      || Array.from(container.querySelectorAll('.header-line'))
           .some((e) => e.textContent.trim() !== '');
  }
  // A table wider than its chart: its last columns are cut off (or behind a scroll bar).
  const table = container !== null ? container.querySelector('table') : null;
  const clipped = table !== null
    && table.getBoundingClientRect().width > h.getBoundingClientRect().width + 1;
  const title = alert ? alert.querySelector('.ant-alert-message') : null;
  return {
    id: h.getAttribute('data-test-chart-id'),
    viz: h.getAttribute('data-test-viz-type'),
    name: h.getAttribute('data-test-chart-name'),
    loading: loading, error: alert !== null,
    error_title: title ? title.textContent.trim() : (alert ? 'error' : null),
    container: container !== null, empty: empty, drawn: drawn, clipped: clipped,
  };
});
"""

# The window height that shows the whole page: the page's height (the document's, or below the
# lowest chart holder) plus what the window itself takes (about 140 px even when headless).
WINDOW_HEIGHT_JS = r"""
const bottoms = Array.from(document.querySelectorAll(
  '[data-test="dashboard-component-chart-holder"], ' + arguments[0]
)).map((e) => e.getBoundingClientRect().bottom + window.scrollY);
const page = Math.max(document.documentElement.scrollHeight, 0, ...bottoms) + 24;
return Math.ceil(page + Math.max(0, window.outerHeight - window.innerHeight));
"""

# Superset's own 404 page (title "404: Not found | Superset"), and the dashboard grid.
PAGE_STATE_JS = r"""
return {
  not_found: document.title.startsWith('404') || document.title.startsWith('Not Found'),
  grid: document.querySelector('[data-test="grid-container"]') !== null,
};
"""


def browser_paths() -> tuple[Path, Path]:
    """(Chromium, ChromeDriver): Debian's (`make chromium`) unless DISTRICTWIDE_CHROMIUM and
    DISTRICTWIDE_CHROMEDRIVER name others (a browser unpacked where system packages cannot go)."""
    return (
        Path(os.environ.get("DISTRICTWIDE_CHROMIUM", str(CHROMIUM))),
        Path(os.environ.get("DISTRICTWIDE_CHROMEDRIVER", str(CHROMEDRIVER))),
    )


class ScreenshotError(RuntimeError):
    """The dashboard could not be opened or photographed (login, browser, missing dashboard)."""


@dataclass(frozen=True)
class ChartState:
    """What one chart showed: `state` is data, empty, error, loading or blank."""

    chart_id: int | None
    name: str
    viz_type: str
    state: str
    error_title: str | None = None
    clipped: bool = False  # a table wider than its chart: columns cut off


@dataclass(frozen=True)
class ScreenshotResult:
    """The PNG and the per-chart verdicts; a good dashboard has charts_with_data == charts."""

    path: Path
    charts: int
    charts_with_data: int
    errors: int
    empty: int
    loading: int
    seconds: float
    chart_states: list[ChartState] = field(default_factory=list)

    @property
    def clipped(self) -> list[str]:
        """Names of the tables that do not fit the page's width."""
        return [s.name for s in self.chart_states if s.clipped]

    @property
    def ok(self) -> bool:
        return (
            self.charts > 0
            and self.charts_with_data == self.charts
            and self.errors == 0
            and not self.clipped
        )


def _state(record: dict) -> str:
    if record["error"]:
        return "error"
    if record["loading"]:
        return "loading"
    if record["empty"]:
        return "empty"
    if record["drawn"]:
        return "data"
    return "blank"


def login_session(base_url: str, username: str, password: str, timeout: float = 30) -> str:
    """Log in through Superset's form (CSRF token from the login page); return the session cookie.

    The form login gives a browser session cookie, which the REST API's bearer token does not.
    """
    http = requests.Session()
    page = http.get(f"{base_url}/login/", timeout=timeout)
    page.raise_for_status()
    match = re.search(r'id="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page.text
    )
    if not match:
        raise ScreenshotError(f"no csrf_token on {base_url}/login/")
    response = http.post(
        f"{base_url}/login/",
        data={"csrf_token": match.group(1), "username": username, "password": password},
        allow_redirects=False,
        timeout=timeout,
    )
    # A good login redirects away from /login/; a bad one redirects back to it.
    location = response.headers.get("Location", "")
    if response.status_code not in (302, 303) or "/login" in location:
        raise ScreenshotError(f"Superset login failed for user {username!r} at {base_url}")
    cookie = http.cookies.get("session")
    if not cookie:
        raise ScreenshotError("Superset login returned no session cookie")
    return cookie


def _driver(profile: Path, width: int, height: int):  # -> selenium WebDriver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths()
    for binary in (chromium, chromedriver):
        if not binary.exists():
            raise ScreenshotError(f"{binary} is missing: run `make chromium` (Debian chromium)")
    options = webdriver.ChromeOptions()
    # With both paths given Selenium never starts selenium-manager (no driver download).
    options.binary_location = str(chromium)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(str(chromedriver)), options=options)


def screenshot_dashboard(
    base_url: str,
    slug: str,
    username: str,
    password: str,
    out: Path,
    timeout: float = 120.0,
    width: int = PAGE_WIDTH,
    settle: float = 1.5,
    scale: float = 1.0,
) -> ScreenshotResult:
    """Open `/superset/dashboard/<slug>/?standalone=1` logged in, wait for every chart, save a PNG.

    Waits until each chart shows data, an error or "No results" (or `timeout` passes), then
    `settle` seconds more for ECharts' animations, then resizes the window to the whole page so
    charts below the fold render too and the PNG holds the full dashboard. A `scale` below 1
    has Chromium itself draw the PNG smaller (for pictures kept in the repository).
    """
    base_url = base_url.rstrip("/")
    started = time.monotonic()
    cookie = login_session(base_url, username, password)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="districtwide-chromium-"))
    driver = _driver(profile, width, 1000)
    try:
        driver.set_page_load_timeout(timeout)
        # A loopback page of the server first, so the cookie's domain is the server's.
        driver.get(f"{base_url}/health")
        driver.add_cookie({"name": "session", "value": cookie, "path": "/", "httpOnly": True})
        driver.get(f"{base_url}/superset/dashboard/{slug}/?standalone=1")
        deadline = started + timeout
        records = _wait_for_charts(driver, deadline)
        # Charts below the fold may be virtualised: show the whole page and wait again.
        height = int(driver.execute_script(WINDOW_HEIGHT_JS, CHART_SELECTOR))
        driver.set_window_size(width, max(height, 600))
        if records:
            _wait_for_charts(driver, deadline)
            time.sleep(settle)
        records = driver.execute_script(CHART_STATES_JS, CHART_SELECTOR)
        _save_png(driver, out, scale)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)

    states = [
        ChartState(
            chart_id=int(r["id"]) if r["id"] and r["id"].isdigit() else None,
            name=r["name"] or "",
            viz_type=r["viz"] or "",
            state=_state(r),
            error_title=r["error_title"],
            clipped=bool(r.get("clipped")),
        )
        for r in records
    ]
    result = ScreenshotResult(
        path=out,
        charts=len(states),
        charts_with_data=sum(s.state == "data" for s in states),
        errors=sum(s.state == "error" for s in states),
        empty=sum(s.state == "empty" for s in states),
        loading=sum(s.state == "loading" for s in states),
        seconds=time.monotonic() - started,
        chart_states=states,
    )
    log.info(
        "dashboard %s: %d charts, %d with data, %d errors, %d empty, %d loading (%.1f s) -> %s",
        slug,
        result.charts,
        result.charts_with_data,
        result.errors,
        result.empty,
        result.loading,
        result.seconds,
        out,
    )
    return result


def _save_png(driver, out: Path, scale: float) -> None:
    """The window as a PNG; below scale 1 through the DevTools protocol, which draws the page
    at that scale (no image library needed, and text stays sharp)."""
    if scale >= 1:
        if not driver.save_screenshot(str(out)):
            raise ScreenshotError(f"Chromium could not write {out}")
        return
    size = driver.execute_script(
        "return [document.documentElement.clientWidth, window.innerHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": scale},
        },
    )
    out.write_bytes(base64.b64decode(shot["data"]))


def _wait_for_charts(driver, deadline: float, poll: float = 0.5, grace: float = 5.0) -> list[dict]:
    """Poll until the dashboard has charts and none is loading or still blank, or the deadline.

    A dashboard whose grid shows no chart for `grace` seconds has none (returns []); Superset's
    404 page raises at once instead of waiting out the timeout.
    """
    from selenium.common.exceptions import JavascriptException

    records: list[dict] = []
    empty_since: float | None = None
    while time.monotonic() < deadline:
        try:
            records = driver.execute_script(CHART_STATES_JS, CHART_SELECTOR)
            page = driver.execute_script(PAGE_STATE_JS)
        except JavascriptException:
            records, page = [], {}
        if records and all(_state(r) in ("data", "error", "empty") for r in records):
            return records
        if not records:
            if "/login" in driver.current_url:
                raise ScreenshotError("the browser was sent to the login page: session refused")
            if page.get("not_found"):
                raise ScreenshotError(f"Superset answered 404 for {driver.current_url}")
            if page.get("grid"):
                empty_since = empty_since or time.monotonic()
                if time.monotonic() - empty_since >= grace:
                    return []
        time.sleep(poll)
    if not records:
        raise ScreenshotError("no charts appeared on the dashboard before the timeout")
    return records
