"""The built sites in a real browser: headless Chromium (Debian's /usr/bin/chromium) via playwright.

Each site (the real book and the mini book, built once per session by
``_booksite``) is served by a real HTTP server on 127.0.0.1. Every page is opened and:

* every chart container (``div.hc-vega``) holds a drawn chart: an SVG (or canvas)
  with Vega marks, rendered by the JavaScript shipped in ``_static``;
* the console shows no error and no page script throws;
* no request leaves 127.0.0.1 (anything else is blocked and reported);
* every internal link and downloadable file resolves (HTTP 200), and every
  ``#fragment`` of an internal page link names an element of that page.

A screenshot of a chart page is kept in ``tests/artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

import _booksite

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.slow, pytest.mark.book]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def serve(directory: Path):
    """Start a threaded HTTP server for ``directory`` on 127.0.0.1; return (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def site_pages(html_dir: Path) -> list[str]:
    """Every HTML page of a site (relative paths), not the theme's template fragments in _static."""
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if p.relative_to(html_dir).parts[0] not in {"_static", "_sources", "_downloads"})


CHART_STATE = """() => Array.from(document.querySelectorAll('div.hc-vega')).map(el => ({
    id: el.id,
    state: el.dataset.hcRendered || null,
    marks: el.querySelectorAll('svg g[class*="role-mark"] > *').length,
    canvas: el.querySelectorAll('canvas').length,
}))"""

CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('div.hc-vega'))
    .every(el => el.dataset.hcRendered === 'yes' || el.dataset.hcRendered === 'error')"""


def check_site(browser, html_dir: Path, screenshot: Path | None) -> dict:
    """Open every page of the site at ``html_dir``; return what was found (asserting on the way)."""
    server, base = serve(html_dir)
    problems: list[str] = []
    links: dict[str, str] = {}  # absolute internal URL -> page it was found on
    charts_seen = 0
    shot_taken = False
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        outside: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        page.route("**/*", route)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))

        for rel in site_pages(html_dir):
            errors.clear()
            outside.clear()
            url = base + rel
            response = page.goto(url, wait_until="load")
            if response is None or response.status != 200:
                problems.append(f"{rel}: HTTP {response and response.status}")
                continue
            page.wait_for_function(CHARTS_SETTLED, timeout=30_000)
            for chart in page.evaluate(CHART_STATE):
                charts_seen += 1
                if chart["state"] != "yes" or (chart["marks"] == 0 and chart["canvas"] == 0):
                    problems.append(f"{rel}: chart {chart['id']} not drawn ({chart})")
            page.wait_for_timeout(100)  # late console messages
            problems += [f"{rel}: console error: {e}" for e in errors]
            problems += [f"{rel}: request left 127.0.0.1: {u}" for u in outside]
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                if href.startswith(base):
                    links.setdefault(href, rel)
            if screenshot is not None and not shot_taken and page.query_selector("div.hc-vega"):
                page.query_selector("div.hc-vega").scroll_into_view_if_needed()
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
                shot_taken = True
        context.close()

        # Every internal link resolves; fragments name an element of the target page.
        bodies: dict[str, str] = {}
        for href, found_on in sorted(links.items()):
            target, fragment = urldefrag(href)
            if target not in bodies:
                try:
                    with urllib.request.urlopen(target, timeout=10) as resp:
                        ctype = resp.headers.get("Content-Type", "")
                        bodies[target] = resp.read().decode("utf-8", "replace") if "html" in ctype else ""
                except urllib.error.HTTPError as exc:
                    problems.append(f"{found_on}: link {href} -> HTTP {exc.code}")
                    bodies[target] = ""
                    continue
            if fragment and bodies[target] and not re.search(
                    r'\b(id|name)="%s"' % re.escape(fragment), bodies[target]):
                problems.append(f"{found_on}: link {href}: no element #{fragment}")
    finally:
        server.shutdown()
        server.server_close()
    assert not problems, "\n".join(problems[:50])
    return {"pages": len(site_pages(html_dir)), "charts": charts_seen, "links": len(links),
            "screenshot": shot_taken}


def test_minibook_in_browser(browser):
    result = _booksite.minibook()
    shot = _booksite.ARTIFACTS / "minibook-chart.png"
    found = check_site(browser, result.html_dir, shot)
    assert found["charts"] >= 1 and found["screenshot"] and shot.stat().st_size > 10_000
    downloads = [p for p in result.html_dir.rglob("_downloads/*/*")]
    assert {p.suffix for p in downloads} >= {".svg", ".csv", ".json"}


def test_book_in_browser(browser):
    result = _booksite.main_book()
    shot = _booksite.ARTIFACTS / "book-chart.png"
    found = check_site(browser, result.html_dir, shot)
    assert found["pages"] >= 2 and found["links"] > 0
    figures = sum(1 for _ in (result.generated_dir / "figures").glob("*/*.svg"))
    assert found["charts"] >= figures, f"{figures} figures generated but {found['charts']} charts on pages"
