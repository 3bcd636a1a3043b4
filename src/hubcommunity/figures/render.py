"""Offline rendering of Altair charts: Vega-Lite spec, static SVG, and HTML for the site.

A chart is rendered three ways, all without a network:

* its Vega-Lite JSON specification, with the data inlined (``to_spec``);
* a static SVG drawn by ``vl-convert`` (the Deno/Rust build of Vega that ships in
  the ``vl-convert-python`` wheel), the same drawing a reader downloads (``to_svg``);
* an HTML fragment (``to_html``) that the built site draws in the browser with the
  Vega, Vega-Lite and vega-embed JavaScript *shipped with the site*
  (``javascript_bundle``, also taken from ``vl-convert``, so the browser and the
  SVG use the same library versions). The fragment holds the spec as inert JSON;
  ``static/hubcommunity-charts.js`` finds every ``div.hc-vega`` and calls
  ``vegaEmbed`` on it.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

#: Most rows a chart may inline in its spec (and so in the page); above this a
#: chapter should aggregate (e.g. bin a CCDF) before charting.
MAX_INLINE_ROWS = 20_000

#: Directory of the site-side JavaScript and CSS (copied into ``_static``).
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: File name of the Vega + Vega-Lite + vega-embed bundle in the site's ``_static``.
BUNDLE_NAME = "hubcommunity-vega.js"


def vegalite_version() -> str:
    """Return the Vega-Lite ``major.minor`` version used for SVG and in the browser.

    It is Altair's schema version when ``vl-convert`` supports it, else the
    newest version ``vl-convert`` knows.
    """
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    known = vlc.get_vegalite_versions()
    return wanted if wanted in known else known[-1]


def library_versions() -> dict[str, str]:
    """Return the versions of the JavaScript libraries the figures are drawn with."""
    return {
        "vega": vlc.get_vega_version(),
        "vega-lite": vegalite_version(),
        "vega-embed": vlc.get_vega_embed_version(),
        "altair": alt.__version__,
    }


def to_spec(chart: Any) -> dict:
    """Return the Vega-Lite spec (a JSON-ready dict, data inlined) of ``chart``.

    ``chart`` is an Altair chart (any top-level chart object) or an already
    built Vega-Lite dict. Raises ``ValueError`` if the chart would inline more
    than :data:`MAX_INLINE_ROWS` rows or is not a chart.
    """
    if isinstance(chart, dict):
        spec = chart
    elif hasattr(chart, "to_dict"):
        try:
            with alt.data_transformers.enable("default", max_rows=MAX_INLINE_ROWS):
                spec = chart.to_dict()
        except alt.MaxRowsError as exc:
            raise ValueError(
                f"chart data has more than {MAX_INLINE_ROWS} rows; aggregate it "
                "(bin, sample a CCDF on a log grid) before charting"
            ) from exc
    else:
        raise ValueError(f"not an Altair chart or Vega-Lite dict: {type(chart).__name__}")
    # Round-trip through JSON: plain types only, and a copy the caller cannot mutate.
    return json.loads(json.dumps(spec, allow_nan=False, default=_json_default))


def _json_default(obj: Any) -> Any:
    """JSON fallback for numpy scalars and timestamps that Altair may leave in a spec."""
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    raise TypeError(f"cannot serialise {type(obj).__name__} in a chart spec")


def to_svg(spec: dict) -> str:
    """Return the static SVG drawing (text) of a Vega-Lite ``spec``, drawn offline."""
    return vlc.vegalite_to_svg(spec, vl_version=vegalite_version())


def to_html(spec: dict, key: str) -> str:
    """Return the HTML fragment that draws ``spec`` in the site.

    The fragment is ``<div class="hc-vega" id="hc-vega-<key>">`` holding the spec
    as a ``<script type="application/json">`` (never executed, so no inline JS);
    the site's ``hubcommunity-charts.js`` renders it with the bundled vega-embed.
    """
    payload = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    ident = html.escape(f"hc-vega-{key}", quote=True)
    return (
        f'<div class="hc-vega" id="{ident}" data-hc-key="{html.escape(key, quote=True)}">'
        f'<script type="application/json" class="hc-vega-spec">{payload}</script>'
        "</div>"
    )


@lru_cache(maxsize=2)
def javascript_bundle(vl_version: str | None = None) -> str:
    """Return one self-contained script defining ``vega``, ``vegaLite`` and ``vegaEmbed``.

    Built by ``vl-convert`` from the libraries inside its wheel (no network).
    """
    return vlc.javascript_bundle(vl_version=vl_version or vegalite_version())


def write_bundle(directory: Path) -> Path:
    """Write :data:`BUNDLE_NAME` into ``directory`` unless an identical one is there.

    Returns the path. The file is rewritten only when its content changes, so
    Sphinx sees an unchanged static file on warm builds.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / BUNDLE_NAME
    stamp = directory.parent / f"{directory.name}.version"  # outside the copied folder
    version = json.dumps(library_versions(), sort_keys=True)
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return target
    text = javascript_bundle()
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    stamp.write_text(version)
    return target


class ChartDisplay:
    """What a glued figure displays: the offline HTML in the site, a label elsewhere.

    IPython (and so ``myst_nb.glue``) calls :meth:`_repr_mimebundle_`; the site
    uses ``text/html``, plain-text front ends see ``text/plain``.
    """

    def __init__(self, key: str, spec: dict):
        self.key = key
        self.spec = spec

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": to_html(self.spec, self.key), "text/plain": f"<figure {self.key}>"}

    def __repr__(self) -> str:
        return f"<figure {self.key}>"
