/* Draw every glued Altair chart of the page with the bundled vega-embed (no network).
 * Each chart is <div class="hc-vega"> holding its Vega-Lite spec as
 * <script type="application/json" class="hc-vega-spec">; see hubcommunity/figures/render.py.
 * When drawn, the div gets data-hc-rendered="yes" (or "error", logged to the console). */
(function () {
  "use strict";
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
    var target = document.createElement("div");
    target.className = "hc-vega-view";
    el.appendChild(target);
    window.vegaEmbed(target, spec, { renderer: "svg", actions: false })
      .then(function () { el.dataset.hcRendered = "yes"; })
      .catch(function (err) {
        el.dataset.hcRendered = "error";
        console.error("hubcommunity: chart #" + el.id + " failed: " + err);
      });
  }
  function drawAll() {
    if (typeof window.vegaEmbed !== "function") {
      console.error("hubcommunity: the Vega bundle (hubcommunity-vega.js) did not load");
      return;
    }
    document.querySelectorAll("div.hc-vega").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
