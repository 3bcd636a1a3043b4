"""Unit tests for hubcommunity.figures.render: spec, SVG, HTML fragment, JavaScript bundle."""

import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from hubcommunity.figures import render


def _chart(n=3):
    df = pd.DataFrame({"x": np.arange(n), "y": np.arange(n) ** 2, "label": ["a</script>b"] * n})
    return alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q", tooltip="label:N")


def test_spec_is_plain_json_with_inlined_data():
    spec = render.to_spec(_chart())
    assert json.loads(json.dumps(spec)) == spec
    (values,) = spec["datasets"].values()
    assert [row["y"] for row in values] == [0, 1, 4]
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")


def test_spec_refuses_too_many_rows():
    with pytest.raises(ValueError, match="aggregate"):
        render.to_spec(_chart(render.MAX_INLINE_ROWS + 1))
    with pytest.raises(ValueError, match="not an Altair chart"):
        render.to_spec("chart")


def test_svg_draws_the_marks():
    svg = render.to_svg(render.to_spec(_chart()))
    assert svg.startswith("<svg")
    assert 'class="mark-line role-mark' in svg
    # axis labels are drawn as text
    assert re.search(r"<text[^>]*>4(\.0)?</text>", svg)


def test_html_fragment_keeps_spec_inert_and_intact():
    spec = render.to_spec(_chart())
    fragment = render.to_html(spec, "fig-x")
    assert fragment.startswith('<div class="hc-vega" id="hc-vega-fig-x"')
    # the label contains "</script>": it must be escaped so the page's HTML stays valid
    assert fragment.count("</script>") == 1
    payload = re.search(r'<script type="application/json" class="hc-vega-spec">(.*)</script>', fragment).group(1)
    assert json.loads(payload) == spec


def test_chart_display_mimebundle():
    display = render.ChartDisplay("fig-x", render.to_spec(_chart()))
    bundle = display._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"} and "hc-vega" in bundle["text/html"]


def test_versions_agree_with_vl_convert():
    assert render.vegalite_version() in vlc.get_vegalite_versions()
    versions = render.library_versions()
    assert versions["vega"] == vlc.get_vega_version()


def test_bundle_written_once(tmp_path):
    target = render.write_bundle(tmp_path / "static")
    text = target.read_text()
    assert "vegaEmbed" in text and len(text) > 100_000
    mtime = target.stat().st_mtime_ns
    assert render.write_bundle(tmp_path / "static") == target
    assert target.stat().st_mtime_ns == mtime  # unchanged: not rewritten
    assert sorted(p.name for p in (tmp_path / "static").iterdir()) == [render.BUNDLE_NAME]
