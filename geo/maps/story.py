"""The comparison page that tells the story of the claim: quote, scenarios, verdicts, chart.

A side panel beside the map of the alternatives:

* the paper's sentence, quoted, with the paper named as its source;
* what 6,500 km corresponds to: the paper's distance claim next to the model's routes (the
  closest one also drawn on the map);
* a control to switch scenario (official, observed, disrupted), which switches both the
  table of alternatives and the routes drawn on the map;
* every claim with the model's figure and a verdict per scenario (the claim within, above or
  below the model's p10-p90; km: within +/-10 % of the route length), with its source;
* the chart of all alternatives under all scenarios.

Everything in the panel is data passed as JSON (:func:`geo.maps._html.json_for_script`) and
built in the browser with ``textContent``; links are made only for ``http``/``https`` URLs.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geo.maps._html import json_for_script

__all__ = ["PANEL_WIDTH_PX", "StoryPanel", "story_data"]

#: Width of the side panel; the map fills the rest of the window.
PANEL_WIDTH_PX = 440


def _num(value: Any, digits: int = 1) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, digits)


def _route_rows(comparison: Any) -> list[dict[str, Any]]:
    out = []
    for r in comparison.routes.itertuples(index=False):
        out.append({"alternative": r.alternative, "title": r.title,
                    "km": _num(r.distance_km, 0), "median": _num(r.transit_days),
                    "p10": _num(r.p10_days), "p90": _num(r.p90_days),
                    "moving": _num(r.moving_days), "waiting": _num(r.dwell_days),
                    "path": r.path if isinstance(r.path, str) else "",
                    "note": r.note if isinstance(r.note, str) else ""})
    return out


def _claims(claims: pd.DataFrame, scenarios: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for claim_id, group in claims.groupby("claim_id", sort=False):
        first = group.iloc[0]
        rows = []
        for _, r in group.iterrows():
            if not r["model_route"]:
                continue
            cells = {}
            for s in scenarios:
                cells[s] = {"days": _num(r.get(f"{s}_days")),
                            "p10": _num(r.get(f"{s}_p10_days")),
                            "p90": _num(r.get(f"{s}_p90_days")),
                            "verdict": str(r.get(f"{s}_verdict") or ""),
                            "why": "" if _num(r.get(f"{s}_days")) is not None
                            else str(r.get(f"{s}_range") or "")}
            rows.append({"route": r["model_route"], "km": _num(r["model_distance_km"], 0),
                         "note": str(r["note"] or ""), "cells": cells})
        out.append({"id": str(claim_id), "kind": str(first["kind"]), "claim": str(first["claim"]),
                    "claimed": str(first["claimed"]), "metric": str(first["metric"]),
                    "source_title": str(first["source_title"]),
                    "source_url": str(first["source_url"] or ""),
                    "note": str(first.get("claim_note") or ""), "rows": rows})
    return out


def story_data(*, comparisons: Sequence[Any], claims: pd.DataFrame, paper: Mapping[str, str],
               km_claim: Mapping[str, Any], chart_png: bytes | None,
               scenario_titles: Mapping[str, str]) -> dict[str, Any]:
    """The panel's JSON: title, paper, 6,500 km, scenarios with their routes, claims, chart."""
    names = [c.scenario.name for c in comparisons]
    return {
        "title": f"Sea versus land: {comparisons[0].title}",
        "paper": {"title": paper.get("title", ""), "quote": paper.get("quote", "")},
        "km": dict(km_claim),
        "scenarios": [{"name": c.scenario.name,
                       "title": scenario_titles.get(c.scenario.name, c.scenario.name),
                       "routes": _route_rows(c)} for c in comparisons],
        "claims": _claims(claims, names),
        "chart": ("data:image/png;base64," + base64.b64encode(chart_png).decode("ascii"))
        if chart_png else "",
    }


class StoryPanel(MacroElement):
    """The side panel of the comparison page, built from JSON with ``textContent`` only."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}<aside id="geo-story" class="geo-story"></aside>{% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map, data) {
            var root = document.getElementById("geo-story");
            function el(tag, cls, text, parent) {
                var e = document.createElement(tag);
                if (cls) { e.className = cls; }
                if (text !== undefined && text !== null) { e.textContent = String(text); }
                (parent || root).appendChild(e);
                return e;
            }
            function link(title, url, parent) {
                if (/^https?:\\/\\//i.test(url || "")) {
                    var a = el("a", "", title, parent);
                    a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
                    return a;
                }
                return el("span", "", title + (url ? " (" + url + ")" : ""), parent);
            }
            function d1(x) { return x === null || x === undefined ? "-" : x.toFixed(1); }
            el("h1", "", data.title);
            var q = el("blockquote", "geo-quote", data.paper.quote);
            var cite = el("p", "geo-cite", "Source: ");
            el("cite", "", data.paper.title, cite);
            el("h2", "", "What 6,500 km corresponds to");
            el("p", "", data.km.text);
            var kl = el("ul", "geo-km");
            data.km.routes.forEach(function (r) {
                el("li", "", r.route + ": " + r.km.toLocaleString("en") + " km (claim " +
                   r.verdict + ")", kl);
            });
            el("h2", "", "The alternatives, by scenario");
            var bar = el("div", "geo-switch"); bar.setAttribute("role", "tablist");
            var desc = el("p", "geo-scenario-desc");
            el("p", "geo-small", "Days: median of the seeded draws, its p10-p90 range, and " +
               "the moving and waiting days of the median draw. Switching the scenario " +
               "switches the routes on the map.");
            var table = el("table", "geo-alts");
            var head = el("tr", "", null, el("thead", "", null, table));
            ["Alternative", "km", "median", "p10-p90", "moving", "waiting"].forEach(function (h) {
                el("th", "", h, head); });
            var body = el("tbody", "", null, table);
            var buttons = {};
            function show(name) {
                var sc = data.scenarios.filter(function (s) { return s.name === name; })[0];
                Object.keys(buttons).forEach(function (k) {
                    buttons[k].setAttribute("aria-selected", k === name ? "true" : "false"); });
                desc.textContent = sc.title;
                body.textContent = "";
                sc.routes.forEach(function (r) {
                    var tr = el("tr", "geo-alt-row", null, body);
                    el("td", "geo-alt-title", r.title, tr);
                    el("td", "n", r.km === null ? "-" : r.km.toLocaleString("en"), tr);
                    el("td", "n geo-median", d1(r.median), tr);
                    el("td", "n", r.p10 === null ? "-" : d1(r.p10) + "-" + d1(r.p90), tr);
                    el("td", "n", d1(r.moving), tr);
                    el("td", "n", d1(r.waiting), tr);
                    var more = [r.path, r.note].filter(Boolean).join(". ");
                    if (more) {
                        var td = el("td", "geo-alt-path", more, el("tr", "", null, body));
                        td.colSpan = 6;
                    }
                });
                var layers = (window.geoAtlas || {}).layers || {};
                data.scenarios.forEach(function (s) {
                    var layer = layers["routes_" + s.name];
                    if (!layer) { return; }
                    if (s.name === name) { map.addLayer(layer); } else { map.removeLayer(layer); }
                });
                root.setAttribute("data-scenario", name);
            }
            data.scenarios.forEach(function (s) {
                var b = el("button", "", s.name, bar);
                b.type = "button"; b.setAttribute("role", "tab");
                b.addEventListener("click", function () { show(s.name); });
                buttons[s.name] = b;
            });
            el("h2", "", "Each claim next to the model");
            el("p", "geo-small", "Verdict: where the claimed figure falls next to the model's " +
               "p10-p90 range of transit days under each scenario (distance: within " +
               "+/-10 % of the route length). Days are the median of the seeded draws.");
            data.claims.forEach(function (c) {
                var box = el("section", "geo-claim geo-claim-" + c.kind);
                var h = el("h3", "", c.claim, box);
                el("span", "geo-claimed", " [" + c.claimed + "]", h);
                var src = el("p", "geo-small", c.kind + ". Source: ", box);
                link(c.source_title, c.source_url, src);
                if (c.note) { el("p", "geo-small", c.note, box); }
                var t = el("table", "geo-verdicts", null, box);
                var hr = el("tr", "", null, t);
                el("th", "", "Model route", hr);
                data.scenarios.forEach(function (s) { el("th", "", s.name, hr); });
                c.rows.forEach(function (r) {
                    var tr = el("tr", "", null, t);
                    var td = el("td", "", r.route, tr);
                    if (r.km !== null) { el("div", "geo-alt-path", r.km.toLocaleString("en") + " km", td); }
                    data.scenarios.forEach(function (s) {
                        var cell = r.cells[s.name] || {};
                        var tdc = el("td", "geo-cell", null, tr);
                        if (c.metric === "days" && cell.days !== null) {
                            el("div", "", d1(cell.days) + " d (" + d1(cell.p10) + "-" +
                               d1(cell.p90) + ")", tdc);
                        }
                        if (cell.verdict) {
                            el("div", "geo-verdict geo-verdict-" + cell.verdict,
                               "claim " + cell.verdict, tdc);
                        } else {
                            el("div", "geo-verdict", cell.why || "no model figure", tdc);
                        }
                    });
                });
            });
            if (data.chart) {
                el("h2", "", "The chart");
                var img = el("img", "geo-chart");
                img.src = data.chart;
                img.alt = "Moving and waiting days of each alternative under each scenario";
            }
            show(data.scenarios[0].name);
            map.invalidateSize();
        })({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}
    """)

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "StoryPanel"
        # JSON with "$" and backticks escaped too: inert even inside a template literal
        self.data_json = json_for_script(dict(data)).replace("$", "\\u0024") \
            .replace("`", "\\u0060")
        self.css = _CSS.replace("PANELpx", f"{PANEL_WIDTH_PX}px")


_CSS = """
.folium-map{position:absolute!important;left:PANELpx!important;right:0;top:0;bottom:0;
 width:auto!important;height:auto!important}
.geo-story{position:absolute;left:0;top:0;bottom:0;width:PANELpx;box-sizing:border-box;
 overflow:auto;padding:10px 14px 24px;font:13px/1.4 sans-serif;background:#fff;
 border-right:1px solid #ccc}
.geo-story h1{font-size:17px;margin:4px 0 8px}
.geo-story h2{font-size:14px;margin:16px 0 6px;border-bottom:1px solid #ddd}
.geo-story h3{font-size:13px;margin:0 0 2px}
.geo-quote{margin:0;padding:6px 10px;border-left:4px solid #0072b2;background:#f4f7fa;
 font-style:italic}
.geo-cite,.geo-small{color:#555;font-size:11.5px;margin:3px 0}
.geo-km{margin:4px 0;padding-left:18px}
.geo-switch button{font:inherit;margin-right:4px;padding:3px 10px;border:1px solid #888;
 border-radius:3px;background:#f4f4f4;cursor:pointer}
.geo-switch button[aria-selected=true]{background:#0072b2;color:#fff;border-color:#0072b2}
.geo-scenario-desc{margin:4px 0;color:#333}
.geo-story table{border-collapse:collapse;width:100%;font-size:12px}
.geo-story th,.geo-story td{border-bottom:1px solid #eee;padding:2px 4px;text-align:left;
 vertical-align:top}
.geo-story td.n{text-align:right;white-space:nowrap}
.geo-alt-title{font-weight:600}
.geo-alt-row td{border-bottom:none}
.geo-alt-path{color:#666;font-size:11px}
.geo-claim{margin:10px 0;padding:6px 8px;border:1px solid #e3e3e3;border-radius:4px}
.geo-claim-paper{border-color:#0072b2;background:#f7fbff}
.geo-claimed{font-weight:normal;color:#333}
.geo-verdict{font-size:11px;font-weight:600}
.geo-verdict-within{color:#117733}
.geo-verdict-above{color:#aa3377}
.geo-verdict-below{color:#aa6600}
.geo-chart{max-width:100%;margin-top:4px}
"""
