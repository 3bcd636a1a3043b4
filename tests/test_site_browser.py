"""The built sites in a real browser: headless Chromium (Debian's /usr/bin/chromium) via playwright.

Each site (the real book and the mini book, built once per session by
``_booksite``) is served by a real HTTP server on 127.0.0.1. Every page is opened at
1400×1000 and at 390×844 (a phone), and:

* every chart container (``div.hc-vega``) holds a drawn chart: an SVG (or canvas)
  with Vega marks, rendered by the JavaScript shipped in ``_static``, no wider than
  the text column and scaled down by no more than :data:`MIN_CHART_SCALE` (a chart
  too wide for a phone is laid out again, narrower, rather than shrunk);
* the console shows no error and no page script throws;
* no request leaves 127.0.0.1 (anything else is blocked and reported);
* the page itself never scrolls sideways;
* tables are readable (measured, see :data:`MEASURE`): no table wider than the text
  column unless it sits in a container that scrolls sideways (and that container fits
  the column); at 1400 px no table row taller than :data:`MAX_ROW_PX`; no header cell
  that is a code identifier (:data:`IDENTIFIER`) or ``index``; no number cell
  (:data:`NUMBER`) whose text wraps onto a second line;
* every figure and table has a visible caption inside the text column (a table that
  is a code cell's printed output, a worked example under its code, needs none);
* code is folded and one click away: every code toggle (myst-nb ``details.hide``) is
  closed when the page loads and opens on a click, showing its code;
* every labelled figure and table has exactly one "Cite" control, collapsed, holding
  a text citation and a BibTeX entry;
* every internal link and downloadable file resolves (HTTP 200), and every
  ``#fragment`` of an internal page link names an element of that page.

Failures name the page, the width, the table (its label or number) and the
measurement. A full-page screenshot of every page at both widths is saved under
``_build/screenshots/<site>/`` for a human look.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag

import pytest

import _booksite

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

#: (width, height) of the two viewports every page is checked at: a desktop and a phone.
VIEWPORTS = ((1400, 1000), (390, 844))
#: Tallest table row allowed at the desktop width, in CSS pixels.
MAX_ROW_PX = 160
#: Smallest factor a chart may be scaled down by to fit the column (it is laid out again,
#: narrower, first: hubcommunity-charts.js); below it, its text would be too small to read.
MIN_CHART_SCALE = 0.75
#: A header that is a code identifier (a superset of ``^[a-z]+(_[a-z0-9]+)+$``), or ``index``.
IDENTIFIER = r"^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|index)$"
#: A cell whose text is one number (``12,345``, ``-0.5``, ``73.1%``, ``1e-05``, ``< 0.001``) or a date.
NUMBER = r"^(?:[<>≤≥~≈]\s?)?[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+−]?\d+)?\s?%?$|^\d{4}-\d{2}(?:-\d{2})?$"
#: Where screenshots go.
SCREENSHOTS = _booksite.ROOT / "_build" / "screenshots"

pytestmark = [pytest.mark.slow, pytest.mark.book]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that navigates on drops its pending requests: not an error of the site."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


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
    server = _Server(("127.0.0.1", 0), handler)
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

#: Code toggles (myst-nb's hide-input/hide-output ``details``): their state before any click.
TOGGLES = """() => Array.from(document.querySelectorAll('article details.hide')).map((d, i) => {
    d.dataset.hcToggle = String(i);
    return {i: i, open: d.open, cls: d.className};
})"""

#: After clicking toggle ``i``'s summary: is it open, and is code visible inside it?
TOGGLE_OPENED = """(i) => {
    const d = document.querySelector(`article details.hide[data-hc-toggle="${i}"]`);
    const code = d && d.querySelector('pre');
    const r = code ? code.getBoundingClientRect() : null;
    return {open: !!(d && d.open), code: r ? Math.round(r.height) : 0,
            text: code ? code.textContent.trim().length : 0};
}"""

#: Every "Cite" control: collapsed on load; what it holds.
CITES = """() => {
    const items = Array.from(document.querySelectorAll('article figure[id], article div.hc-table[id]'));
    return {
        labelled: items.map(el => el.id),
        cites: Array.from(document.querySelectorAll('article details.hc-cite')).map(d => {
            let item = d.closest('div.hc-table[id]');
            for (let s = d.previousElementSibling; !item && s; s = s.previousElementSibling)
                if (s.matches('figure[id]')) item = s;
            return {item: item ? item.id : null, open: d.open,
                    summary: d.querySelector('summary').textContent.trim(),
                    bibtex: (d.querySelector('pre.hc-cite-bibtex') || {textContent: ''}).textContent,
                    text: (d.querySelector('.hc-cite-text') || {textContent: ''}).textContent};
        }),
    };
}"""

OPEN_ALL_DETAILS = """() => document.querySelectorAll('article details').forEach(d => { d.open = true; })"""

#: The measurements of the issue, in the page; returns a list of problems (strings) and counts.
MEASURE = r"""(args) => {
    const idRe = new RegExp(args.identifier), numRe = new RegExp(args.number, 'u');
    const out = {problems: [], tables: 0, figures: 0, numberCells: 0, scrolling: 0, chartScales: []};
    const page = document.scrollingElement || document.documentElement;
    if (page.scrollWidth > window.innerWidth + 1)
        out.problems.push(`the page scrolls sideways: ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
    const article = document.querySelector('article.bd-article');
    if (!article) return out;
    const styleOf = el => getComputedStyle(el);
    const col = article.getBoundingClientRect();
    const padL = parseFloat(styleOf(article).paddingLeft) || 0, padR = parseFloat(styleOf(article).paddingRight) || 0;
    const left = col.left + padL - 1, right = col.right - padR + 1;
    const inColumn = r => r.left >= left && r.right <= right;
    const px = v => `${Math.round(v)} px`;
    const scroller = el => {
        for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
            const o = styleOf(a).overflowX;
            if (o === 'auto' || o === 'scroll') return a;
        }
        return null;
    };
    const tables = Array.from(article.querySelectorAll('table'))
        .filter(t => !t.closest('.highlight') && !t.classList.contains('indextable'));
    tables.forEach((t, i) => {
        out.tables += 1;
        const holder = t.closest('div.hc-table');
        const number = holder ? holder.querySelector('.caption-number') : t.querySelector('caption .caption-number');
        const name = (holder && holder.id) || t.id || (number && number.textContent.trim()) || `table #${i + 1}`;
        const where = `table ${name}`;
        const tr = t.getBoundingClientRect();
        const box = scroller(t);
        if (box) {
            if (tr.width > box.clientWidth + 1) out.scrolling += 1;
            const br = box.getBoundingClientRect();
            if (!inColumn(br))
                out.problems.push(`${where}: its scrolling container (${px(br.width)}) sticks out of the text column (${px(right - left)})`);
        } else if (!inColumn(tr)) {
            out.problems.push(`${where}: ${px(tr.width)} wide, text column ${px(right - left)}, and not in a scrolling container`);
        }
        // caption: present, non-empty, visible, inside the text column (a code cell's printed
        // output, a worked example shown under its code, is not a table of the book)
        const cap = holder ? holder.querySelector(':scope > .hc-table-caption') : t.querySelector('caption');
        if (t.closest('.cell_output')) { /* code output: measured, no caption required */ }
        else if (!cap || !cap.textContent.trim()) out.problems.push(`${where}: no caption`);
        else {
            const cr = cap.getBoundingClientRect();
            if (cr.width < 1 || cr.height < 1 || styleOf(cap).visibility === 'hidden')
                out.problems.push(`${where}: caption not visible (${px(cr.width)} × ${px(cr.height)})`);
            else if (!inColumn(cr))
                out.problems.push(`${where}: caption ${px(cr.width)} wide runs out of the ${px(right - left)} text column`);
        }
        Array.from(t.querySelectorAll('th')).forEach(th => {
            const text = th.textContent.trim();
            if (idRe.test(text)) out.problems.push(`${where}: header "${text}" is an identifier, not a label`);
        });
        Array.from(t.rows).forEach((row, r) => {
            const h = row.getBoundingClientRect().height;
            if (args.maxRow && h > args.maxRow)
                out.problems.push(`${where}: row ${r + 1} is ${px(h)} tall (limit ${args.maxRow} px)`);
        });
        Array.from(t.querySelectorAll('td, th')).forEach(cell => {
            const text = cell.textContent.trim();
            if (!numRe.test(text)) return;
            out.numberCells += 1;
            // the line boxes of the cell's text (text nodes only: an element's own box is not a line)
            const tops = new Set(), walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.textContent.trim()) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                Array.from(range.getClientRects()).filter(r => r.width > 0).forEach(r => tops.add(Math.round(r.top)));
            }
            if (tops.size > 1) out.problems.push(`${where}: number "${text}" wraps onto ${tops.size} lines`);
        });
    });
    Array.from(article.querySelectorAll('figure')).forEach((f, i) => {
        out.figures += 1;
        const name = f.id || `figure #${i + 1}`;
        const cap = f.querySelector('figcaption');
        if (!cap || !cap.textContent.trim()) { out.problems.push(`figure ${name}: no caption`); return; }
        const cr = cap.getBoundingClientRect();
        if (cr.width < 1 || cr.height < 1) out.problems.push(`figure ${name}: caption not visible`);
        else if (!inColumn(cr)) out.problems.push(`figure ${name}: caption runs out of the text column`);
    });
    Array.from(article.querySelectorAll('div.hc-vega svg.marks')).forEach(svg => {
        const r = svg.getBoundingClientRect(), id = svg.closest('div.hc-vega').id;
        const scale = r.width / (parseFloat(svg.getAttribute('width')) || r.width);
        if (!inColumn(r)) out.problems.push(`chart ${id}: ${px(r.width)} wide, text column ${px(right - left)}`);
        else if (scale < args.minScale)
            out.problems.push(`chart ${id}: drawn at ${Math.round(scale * 100)}% of its size to fit the column ` +
                              `(its text shrinks below legibility; at least ${args.minScale * 100}%)`);
        out.chartScales.push(Math.round(scale * 100) / 100);
    });
    return out;
}"""


def check_page_layout(page, rel: str, width: int) -> tuple[list[str], dict]:
    """At the current viewport: code toggles, cite controls, then (everything opened) the
    measurements of :data:`MEASURE`. Returns ``(problems, counts)``."""
    where = f"{rel} @{width}px"
    problems = []
    toggles = page.evaluate(TOGGLES)
    for toggle in toggles:
        if toggle["open"]:
            problems.append(f"{where}: code toggle {toggle['i']} ({toggle['cls']}) is open on load: code must be folded")
            continue
        page.click(f'article details.hide[data-hc-toggle="{toggle["i"]}"] > summary')
        state = page.evaluate(TOGGLE_OPENED, toggle["i"])
        if not state["open"] or state["code"] < 5 or state["text"] == 0:
            problems.append(f"{where}: code toggle {toggle['i']} does not open onto code ({state})")
    cites = page.evaluate(CITES)
    cited = [c["item"] for c in cites["cites"]]
    for label in cites["labelled"]:
        if cited.count(label) != 1:
            problems.append(f"{where}: {label} has {cited.count(label)} Cite controls (expected one)")
    for cite in cites["cites"]:
        if cite["open"] or cite["summary"] != "Cite":
            problems.append(f"{where}: Cite control of {cite['item']} is open or not labelled 'Cite' ({cite['summary']!r})")
        if "@misc{" not in cite["bibtex"] or cite["item"] not in cite["text"]:
            problems.append(f"{where}: Cite control of {cite['item']} lacks BibTeX or text naming the item")
    page.evaluate(OPEN_ALL_DETAILS)
    measured = page.evaluate(MEASURE, {"identifier": IDENTIFIER, "number": NUMBER, "minScale": MIN_CHART_SCALE,
                                       "maxRow": MAX_ROW_PX if width >= 1000 else 0})
    problems += [f"{where}: {p}" for p in measured["problems"]]
    counts = {k: measured[k] for k in ("tables", "figures", "numberCells", "scrolling")}
    counts.update(toggles=len(toggles), cites=len(cites["cites"]))
    return problems, counts


def _screenshot_name(rel: str, width: int) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", rel.removesuffix(".html")) + f"-{width}.png"


def check_site(browser, html_dir: Path, name: str) -> dict:
    """Open every page of the site at ``html_dir`` at both widths; return what was found
    (asserting on the way). Screenshots go to ``_build/screenshots/<name>/``."""
    server, base = serve(html_dir)
    problems: list[str] = []
    links: dict[str, str] = {}  # absolute internal URL -> page it was found on
    totals = {"charts": 0, "tables": 0, "figures": 0, "numberCells": 0, "scrolling": 0, "toggles": 0,
              "cites": 0, "screenshots": 0}
    shots = SCREENSHOTS / name
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    try:
        for width, height in VIEWPORTS:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            outside: list[str] = []

            def route(r, outside=outside):
                url = r.request.url
                if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
                    r.continue_()
                else:
                    outside.append(url)
                    r.abort()

            page.route("**/*", route)
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc, errors=errors: errors.append(f"uncaught: {exc}"))

            for rel in site_pages(html_dir):
                errors.clear()
                outside.clear()
                where = f"{rel} @{width}px"
                response = page.goto(base + rel, wait_until="load")
                if response is None or response.status != 200:
                    problems.append(f"{where}: HTTP {response and response.status}")
                    continue
                page.wait_for_function(CHARTS_SETTLED, timeout=30_000)
                for chart in page.evaluate(CHART_STATE):
                    totals["charts"] += width == VIEWPORTS[0][0]
                    if chart["state"] != "yes" or (chart["marks"] == 0 and chart["canvas"] == 0):
                        problems.append(f"{where}: chart {chart['id']} not drawn ({chart})")
                page.wait_for_timeout(100)  # late console messages
                problems += [f"{where}: console error: {e}" for e in errors]
                problems += [f"{where}: request left 127.0.0.1: {u}" for u in outside]
                page.screenshot(path=str(shots / _screenshot_name(rel, width)), full_page=True)
                totals["screenshots"] += 1
                found, counts = check_page_layout(page, rel, width)
                problems += found
                if width == VIEWPORTS[0][0]:
                    for key, value in counts.items():
                        totals[key] += value
                    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                        if href.startswith(base):
                            links.setdefault(href, rel)
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
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])
    return {"pages": len(site_pages(html_dir)), "links": len(links), **totals}


def test_minibook_in_browser(browser):
    result = _booksite.minibook()
    found = check_site(browser, result.html_dir, "minibook")
    assert found["charts"] >= 1 and found["tables"] >= 2 and found["figures"] >= 1
    assert found["toggles"] >= 1, "the mini book has a hide-input cell: its toggle was not found"
    assert found["scrolling"] >= 0 and found["numberCells"] > 0
    assert found["cites"] == found["tables"] + found["figures"]
    assert found["screenshots"] == 2 * found["pages"]
    assert (SCREENSHOTS / "minibook" / "book_demo-390.png").stat().st_size > 10_000
    # stable reuse paths, listed in the results JSON and linked from the page
    record = json.loads((result.html_dir / "results" / "demo.json").read_text())
    files = [f for item in record["figures"] + record["tables"]
             for k, f in item.items() if k in ("svg", "csv", "spec", "full_csv")]
    assert {Path(f).suffix for f in files} >= {".svg", ".csv", ".json"}
    page = (result.html_dir / "book" / "demo.html").read_text()
    for f in files:
        assert (result.html_dir / f).is_file(), f
        assert f'href="../{f}"' in page, f"{f} is not linked from the page"


def test_book_in_browser(browser):
    result = _booksite.main_book()
    found = check_site(browser, result.html_dir, "book")
    assert found["pages"] >= 2 and found["links"] > 0
    figures = sum(1 for _ in (result.generated_dir / "data").glob("*/*.svg"))
    assert found["charts"] >= figures, f"{figures} figures generated but {found['charts']} charts on pages"
    tables = sum(1 for _ in (result.generated_dir / "cells").glob("*/*.json"))
    assert found["tables"] >= tables, f"{tables} tables generated but {found['tables']} measured on pages"
    assert found["toggles"] > 0 and found["numberCells"] > 0
