/* Draw every glued Altair chart of the page with the bundled vega-embed (no network).
 * Each chart is <div class="hc-vega"> holding its Vega-Lite spec as
 * <script type="application/json" class="hc-vega-spec">; see hubcommunity/figures/render.py.
 * When drawn, the div gets data-hc-rendered="yes" (or "error", logged to the console).
 *
 * Charts follow the width of the text column. A chart drawn at its designed size that is
 * wider than its column is laid out again, narrower, keeping its text legible:
 * small multiples wrap onto fewer columns, a row of panels becomes a column of panels,
 * a legend moves below the plot (in one column), and the plot area narrows (never below MIN_PLOT px). Only if that is not enough does
 * the stylesheet scale the drawing down (hubcommunity-charts.css). The layout is redone
 * when the column width changes (a phone turned sideways). data-hc-layout records what
 * was done ("designed" or the changes made). */
(function () {
  "use strict";
  var MIN_PLOT = 150;   // narrowest plot area (px) a re-layout may use
  var MAX_PASSES = 6;   // re-layouts tried before falling back to scaling

  function naturalWidth(el) {
    var svg = el.querySelector("svg.marks");
    return svg ? parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width : 0;
  }

  function available(el) {
    return Math.floor(el.clientWidth || (el.parentElement && el.parentElement.clientWidth) || 0);
  }

  /* One step towards fitting `spec` into `avail` px when it draws `natural` px wide.
   * Returns [newSpec, what] or null when nothing more can be done. */
  function narrower(spec, natural, avail) {
    var s = JSON.parse(JSON.stringify(spec));
    var excess = natural - avail;
    if (typeof s.columns === "number" && s.columns > 1) {
      s.columns = Math.max(1, Math.floor(s.columns * avail / natural));
      if (s.columns === spec.columns) s.columns -= 1;
      return [s, "columns " + s.columns];
    }
    if (s.facet && s.facet.column && !s.facet.row) {
      s.facet.row = s.facet.column;
      delete s.facet.column;
      return [s, "panels stacked"];
    }
    if (s.hconcat) {
      s.vconcat = s.hconcat;
      delete s.hconcat;
      return [s, "panels stacked"];
    }
    // rows of side-by-side panels (vconcat of hconcats): one panel per row
    if (s.vconcat && s.vconcat.some(function (row) { return row.hconcat; })) {
      s.vconcat = [].concat.apply([], s.vconcat.map(function (row) { return row.hconcat || [row]; }));
      return [s, "panels stacked"];
    }
    var unit = s.spec || s;
    var wideLegends = legendsIn(s).filter(function (l) { return typeof l.columns === "number" && l.columns > 1; });
    if (wideLegends.length) {
      wideLegends.forEach(function (l) { l.columns = 1; });
      return [s, "legend in one column"];
    }
    var legend = (s.config && s.config.legend) || {};
    if (typeof unit.width === "number" && unit.width - excess < MIN_PLOT && legend.orient !== "bottom") {
      s.config = s.config || {};
      s.config.legend = Object.assign({}, legend, { orient: "bottom", direction: "vertical" });
      return [s, "legend below"];
    }
    if (typeof unit.width === "number" && unit.width > MIN_PLOT) {
      // a faceted chart repeats its plot area across the row: share the excess between panels
      var panels = s.spec ? Math.max(1, Math.round(natural / (unit.width + 60))) : 1;
      unit.width = Math.max(MIN_PLOT, Math.floor(unit.width - excess / panels) - 2);
      return [s, "width " + unit.width];
    }
    return null;
  }

  /* The legend objects of every encoding channel of a spec (layers and facet inner spec too). */
  function legendsIn(spec) {
    var found = [];
    (function walk(node) {
      if (!node || typeof node !== "object") return;
      if (node.encoding) {
        Object.keys(node.encoding).forEach(function (channel) {
          var def = node.encoding[channel];
          if (def && typeof def.legend === "object" && def.legend !== null) found.push(def.legend);
        });
      }
      ["spec", "layer", "concat", "hconcat", "vconcat"].forEach(function (key) {
        var child = node[key];
        if (Array.isArray(child)) child.forEach(walk); else walk(child);
      });
    })(spec);
    return found;
  }

  function embed(el, spec) {
    var old = el.querySelector(".hc-vega-view");
    if (old) old.remove();
    if (el._hcView) { el._hcView.finalize(); el._hcView = null; }
    var target = document.createElement("div");
    target.className = "hc-vega-view";
    el.appendChild(target);
    return window.vegaEmbed(target, spec, { renderer: "svg", actions: false })
      .then(function (result) { el._hcView = result.view; });
  }

  function layout(el, spec, width) {
    var steps = [];
    function pass(current, n) {
      return embed(el, current).then(function () {
        var natural = naturalWidth(el);
        var next = width > 0 && n < MAX_PASSES && natural > width + 1 ? narrower(current, natural, width) : null;
        if (!next) {
          el.dataset.hcLayout = steps.length ? steps.join("; ") : "designed";
          return;
        }
        steps.push(next[1]);
        return pass(next[0], n + 1);
      });
    }
    el._hcWidth = width;
    return pass(spec, 0);
  }

  function draw(el) {
    if (el.dataset.hcRendered) return;
    var holder = el.querySelector("script.hc-vega-spec");
    if (!holder) return;
    el.dataset.hcRendered = "pending";
    var spec;
    try {
      spec = JSON.parse(holder.textContent);
    } catch (err) {
      el.dataset.hcRendered = "error";
      console.error("hubcommunity: bad chart spec in #" + el.id + ": " + err);
      return;
    }
    el._hcSpec = spec;
    layout(el, spec, available(el))
      .then(function () { el.dataset.hcRendered = "yes"; })
      .catch(function (err) {
        el.dataset.hcRendered = "error";
        console.error("hubcommunity: chart #" + el.id + " failed: " + err);
      });
  }

  function relayout() {
    document.querySelectorAll("div.hc-vega").forEach(function (el) {
      if (el.dataset.hcRendered !== "yes" || !el._hcSpec) return;
      var width = available(el);
      if (Math.abs(width - (el._hcWidth || 0)) < 8) return;
      layout(el, el._hcSpec, width).catch(function (err) {
        console.error("hubcommunity: chart #" + el.id + " failed to re-layout: " + err);
      });
    });
  }

  function drawAll() {
    if (typeof window.vegaEmbed !== "function") {
      console.error("hubcommunity: the Vega bundle (hubcommunity-vega.js) did not load");
      return;
    }
    document.querySelectorAll("div.hc-vega").forEach(draw);
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(relayout, 250);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
