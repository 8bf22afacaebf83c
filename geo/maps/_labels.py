"""Place labels on the maps, offline: nodes by importance, countries and seas, never colliding.

Labels are data: a JSON list of ``{text, lat, lon, kind, rank}`` (``dot``: also draw a small
dot at the point, for places with no symbol of their own) written into the page with
:func:`geo.maps._html.json_for_script`; the browser creates one element per label and sets
its text with ``textContent`` (no label text ever becomes HTML or template source).  At
every move and zoom the labels are placed greedily in rank order (lower rank first): a label
whose box would overlap one already placed or a node symbol, or fall outside the map, is
hidden.  A node label tries the right of its symbol, then the left, above and below;
country and sea labels are centred on their point.

Label points: a node's own coordinates; a country's point on the surface of its largest
polygon (Natural Earth outline, :func:`geo.countries`); a sea's coordinates as given in the
cited page (``geo/maps/data/sea_labels.json``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shapely
from branca.element import MacroElement
from folium.template import Template

from geo import layers
from geo.maps._html import json_for_script

__all__ = ["Labels", "country_labels", "node_labels", "sea_labels"]

SEA_FILE = Path(__file__).with_name("data") / "sea_labels.json"

#: Rank of a node label by node kind: lower ranks are placed first (then seas, countries).
_NODE_RANK = {"hub": 1, "sea_port": 1, "border_crossing": 2, "dry_port": 2, "gauge_change": 2,
              "mountain_pass": 3, "junction": 4, "town": 4, "station": 4}
_SEA_RANK = 5
_COUNTRY_RANK = 6
#: Countries smaller than this (square degrees of their largest polygon) get no label.
MIN_COUNTRY_AREA_DEG2 = 1.5


def _short(name: Any) -> str:
    return str(name).split(" (")[0]


def node_labels(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One label per node with a geometry: its short name, ranked by kind (hubs and ports first)."""
    out = []
    for row in rows:
        geom = row.get("geometry")
        if geom is None or geom.is_empty or not row.get("name"):
            continue
        out.append({"text": _short(row["name"]), "lon": round(geom.x, 4), "lat": round(geom.y, 4),
                    "kind": "node", "rank": _NODE_RANK.get(str(row.get("kind")), 4)})
    return out


@functools.cache
def _country_points() -> tuple[tuple[str, float, float, float], ...]:
    out = []
    for name, geom in zip(layers.countries()["name"], layers.countries().geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        largest = max(shapely.get_parts(geom), key=lambda g: g.area)
        p = largest.point_on_surface()
        out.append((str(name), round(p.x, 3), round(p.y, 3), float(largest.area)))
    return tuple(out)


def country_labels(*, bounds: list[list[float]] | None, margin_deg: float = 10.0
                   ) -> list[dict[str, Any]]:
    """Country names near the data (``bounds`` [[south, west], [north, east]] plus a margin).

    Placed after nodes and seas; bigger countries first, so small ones give way when
    crowded; countries under :data:`MIN_COUNTRY_AREA_DEG2` get no label.
    """
    out = []
    for name, lon, lat, area in _country_points():
        if area < MIN_COUNTRY_AREA_DEG2:
            continue
        if bounds is not None:
            (s, w), (n, e) = bounds
            if not (s - margin_deg <= lat <= n + margin_deg and w - margin_deg <= lon <= e + margin_deg):
                continue
        rank = _COUNTRY_RANK + (0 if area > 100 else 1 if area > 10 else 2)
        out.append({"text": name, "lon": lon, "lat": lat, "kind": "country", "rank": rank})
    return out


@functools.cache
def _seas() -> tuple[dict[str, Any], ...]:
    doc = json.loads(SEA_FILE.read_text(encoding="utf-8"))
    return tuple(doc["seas"])


def sea_labels() -> list[dict[str, Any]]:
    """Sea names at the coordinates of their cited pages (placed after the nodes)."""
    return [{"text": s["name"], "lon": s["lon"], "lat": s["lat"], "kind": "sea",
             "rank": _SEA_RANK}
            for s in _seas()]


class Labels(MacroElement):
    """Non-colliding place labels drawn in the browser from JSON (``textContent`` only)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, labels) {
            var box = map.createPane("geoLabels");
            box.className += " geo-labels";
            var els = labels.map(function (d) {
                var el = L.DomUtil.create("div", "geo-label geo-label-" + d.kind, box);
                el.textContent = d.text;
                return el;
            });
            var dots = labels.map(function (d) {
                return d.dot ? L.DomUtil.create("div", "geo-label-dot", box) : null;
            });
            var order = labels.map(function (d, i) { return i; });
            order.sort(function (a, b) { return labels[a].rank - labels[b].rank || a - b; });
            function overlaps(r, taken) {
                return taken.some(function (o) {
                    return r.l < o.r && o.l < r.r && r.t < o.b && o.t < r.b; });
            }
            function place() {
                var size = map.getSize(), taken = [];
                labels.forEach(function (d, i) {  // node symbols are obstacles too
                    if (d.kind !== "node") { return; }
                    var p = map.latLngToContainerPoint([d.lat, d.lon]);
                    taken.push({l: p.x - 7, t: p.y - 7, r: p.x + 7, b: p.y + 7});
                    if (dots[i]) {
                        var q = map.latLngToLayerPoint([d.lat, d.lon]);
                        dots[i].style.left = (q.x - 3) + "px";
                        dots[i].style.top = (q.y - 3) + "px";
                    }
                });
                order.forEach(function (i) {
                    var d = labels[i], el = els[i];
                    var p = map.latLngToContainerPoint([d.lat, d.lon]);
                    var q = map.latLngToLayerPoint([d.lat, d.lon]);
                    el.style.display = "block";
                    var w = el.offsetWidth, h = el.offsetHeight;
                    // nodes: right, left, above, below their symbol; others centred
                    var spots = d.kind === "node" ?
                        [[p.x + 10, p.y - h / 2], [p.x - 10 - w, p.y - h / 2],
                         [p.x - w / 2, p.y - 9 - h], [p.x - w / 2, p.y + 9]] :
                        [[p.x - w / 2, p.y - h / 2]];
                    var spot = null;
                    for (var k = 0; k < spots.length && !spot; k++) {
                        var x = spots[k][0], y = spots[k][1];
                        var r = {l: x - 2, t: y - 1, r: x + w + 2, b: y + h + 1};
                        if (r.l >= 0 && r.t >= 0 && r.r <= size.x && r.b <= size.y &&
                            !overlaps(r, taken)) { spot = r; }
                    }
                    if (!spot) { el.style.display = "none"; return; }
                    taken.push(spot);
                    el.style.left = (spot.l + 2 + q.x - p.x) + "px";
                    el.style.top = (spot.t + 1 + q.y - p.y) + "px";
                });
            }
            map.on("moveend zoomend resize viewreset", place);
            map.whenReady(place);
            window.geoLabels = {place: place, elements: els};
        })({{ this._parent.get_name() }}, {{ this.labels_json }});
        {% endmacro %}
    """)

    def __init__(self, labels: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "Labels"
        # also no "$" or backtick: the JSON stays inert even inside a template literal
        self.labels_json = json_for_script(labels).replace("$", "\\u0024").replace("`", "\\u0060")


#: Style of the labels (constant CSS).
LABEL_CSS = """
.geo-labels{pointer-events:none;z-index:450}
.geo-label{position:absolute;white-space:nowrap;font:11px/1.2 sans-serif;color:#222;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}
.geo-label-country{font:600 11px/1.2 sans-serif;letter-spacing:.06em;text-transform:uppercase;
 color:#8a8376}
.geo-label-sea{font:italic 12px/1.2 serif;color:#3d6f91}
.geo-label-dot{position:absolute;width:6px;height:6px;border-radius:50%;background:#fff;
 border:1.5px solid #222;box-sizing:border-box}
"""
