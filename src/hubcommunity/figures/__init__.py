"""Figures: Altair chart builders (one module per kind) and the offline renderer.

``render`` turns a chart into its Vega-Lite spec, a static SVG and the HTML the
site draws with the bundled Vega JavaScript. Chart builders live in
``distributions``, ``network`` and ``adoption``; chapters pass the charts they
build to :meth:`hubcommunity.results.ChapterResults.figure`.
"""

from hubcommunity.figures.render import to_html, to_spec, to_svg

__all__ = ["to_html", "to_spec", "to_svg"]
