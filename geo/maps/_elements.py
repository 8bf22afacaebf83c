"""Building blocks for the Folium maps: stable ids, legend, fullscreen, geodesic lines,
and the layer of network links outside the drawn corridors.

Everything here is private to :mod:`geo.maps` and :mod:`geo.gallery`.  Text from data is
escaped with :mod:`geo._html` before it reaches a template; the templates below insert only
pre-escaped HTML (``html_text``) or JSON written by :func:`geo._html.json_for_script`.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.template import Template
from pyproj import Geod

from geo._errors import LayerError
from geo._html import escape_html, json_for_script
from geo._popups import fmt_km, is_missing, link_popup, link_title, tooltip_html

__all__ = [
    "Bounds",
    "FitBounds",
    "FullscreenControl",
    "Legend",
    "LegendEntry",
    "PageHook",
    "StyleSheet",
    "deterministic_ids",
    "geodesic_path",
    "line_parts",
    "network_links_layer",
]

_GEOD = Geod(ellps="WGS84")
_ID_LOCK = threading.RLock()


class _IdState:
    depth = 0


_STATE = _IdState()


@contextlib.contextmanager
def deterministic_ids(*, width: int = 8) -> Iterator[None]:
    """Give branca elements counter-based ids (``00000000``, ``00000001``, ...) inside the block.

    Branca names every element ``<kind>_<id>`` with a random 32-hex-digit id, so two
    identical builds differ.  Inside this context ``Element._generate_id`` is replaced by a
    counter that starts at 0; on exit the original classmethod is restored, so maps built
    elsewhere in the process are unaffected.  A lock serialises concurrent builds (the
    override is a class attribute).  Nested blocks share the outermost counter, so ids stay
    unique.  Build *and render* a map inside one block.
    """
    counter = itertools.count()

    def _next_id(cls: type) -> str:  # noqa: ARG001 - classmethod signature
        return f"{next(counter):0{width}x}"

    with _ID_LOCK:
        if _STATE.depth:  # nested: keep the outer block's counter, ids stay unique
            _STATE.depth += 1
            try:
                yield
            finally:
                _STATE.depth -= 1
            return
        _STATE.depth = 1
        had_own = "_generate_id" in Element.__dict__
        original = Element.__dict__.get("_generate_id")
        Element._generate_id = classmethod(_next_id)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            if had_own:
                Element._generate_id = original  # type: ignore[method-assign,assignment]
            else:  # pragma: no cover - branca always defines it
                del Element._generate_id
            _STATE.depth = 0


# ---------------------------------------------------------------------------------------------
# Geometry: (lon, lat) in, (lon, lat) out


def geodesic_path(coords: Sequence[Sequence[float]], *, max_segment_km: float = 100.0,
                  digits: int = 5) -> list[list[float]]:
    """Densify a (lon, lat) line along the WGS84 geodesic and unwrap its longitudes.

    Every segment longer than ``max_segment_km`` (km) gets intermediate points from
    ``pyproj.Geod.npts`` so it draws as a great circle on a Web Mercator map.  Longitudes
    are then unwrapped (shifted by multiples of 360) so consecutive points never differ by
    more than 180 degrees: a line crossing the antimeridian continues past +-180 instead of
    jumping across the whole map.  Coordinates are rounded to ``digits`` decimals.
    """
    if max_segment_km <= 0:
        raise ValueError(f"max_segment_km must be > 0 km, got {max_segment_km!r}")
    points = [(float(c[0]), float(c[1])) for c in coords]
    out: list[tuple[float, float]] = []
    for i, (lon, lat) in enumerate(points):
        if i:
            lon0, lat0 = points[i - 1]
            dist_km = _GEOD.inv(lon0, lat0, lon, lat)[2] / 1000.0
            n = int(math.ceil(dist_km / max_segment_km)) - 1
            if n > 0:
                out.extend(_GEOD.npts(lon0, lat0, lon, lat, n))
        out.append((lon, lat))
    unwrapped: list[list[float]] = []
    prev: float | None = None
    for lon, lat in out:
        if prev is not None:
            lon += 360.0 * round((prev - lon) / 360.0)
        prev = lon
        unwrapped.append([round(lon, digits), round(lat, digits)])
    return unwrapped


class Bounds:
    """Running (lat, lon) bounds of everything drawn; points are added as (lon, lat)."""

    def __init__(self) -> None:
        self.lat: list[float] = []
        self.lon: list[float] = []

    def add(self, lonlat: Sequence[Sequence[float]]) -> None:
        for lon, lat, *_ in lonlat:
            self.lon.append(lon)
            self.lat.append(lat)

    def fit(self) -> list[list[float]] | None:
        if not self.lat:
            return None
        return [[min(self.lat), min(self.lon)], [max(self.lat), max(self.lon)]]


def line_parts(geom: Any) -> list[list[tuple[float, float]]]:
    """The (lon, lat) parts of a LineString or MultiLineString (none for a missing geometry)."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [list(geom.coords)]
    if geom.geom_type == "MultiLineString":
        return [list(g.coords) for g in geom.geoms]
    raise LayerError(f"expected a LineString or MultiLineString, got {geom.geom_type}")


# ---------------------------------------------------------------------------------------------
# Layers


def network_links_layer(rows: Sequence[Mapping[str, Any]], *,
                        style: Callable[[Mapping[str, Any]], dict[str, Any]],
                        node_names: Mapping[str, Any], bounds: Bounds, max_segment_km: float,
                        name: str = "Other network links",
                        ) -> tuple[folium.FeatureGroup, int, set[str], set[str]]:
    """One polyline per link row (a :func:`geo.links` record), in its own layer.

    ``style`` is a named style function taking a GeoJSON-like feature (``mode`` and
    ``status`` in its properties); each line is densified along the geodesic
    (``max_segment_km``), with an escaped tooltip (the link name, or "from – to" with
    ``node_names``) and an escaped popup of the link's figures.  Returns the layer, the
    number of lines drawn, and the modes and statuses drawn (for the legend).
    """
    group = folium.FeatureGroup(name=name)
    drawn = 0
    modes: set[str] = set()
    statuses: set[str] = set()
    for row in rows:
        parts = [geodesic_path(p, max_segment_km=max_segment_km)
                 for p in line_parts(row.get("geometry"))]
        parts = [p for p in parts if len(p) > 1]
        if not parts:
            continue
        mode, status = str(row.get("mode")), str(row.get("status"))
        modes.add(mode)
        statuses.add(status)
        latlon = [[(lat, lon) for lon, lat in p] for p in parts]
        for p in parts:
            bounds.add(p)
        line = folium.PolyLine(latlon if len(latlon) > 1 else latlon[0], smooth_factor=1.0,
                               **style({"properties": {"mode": mode, "status": status}}))
        used = row.get("length_used_km")
        detail = " \u00b7 ".join(x for x in (None if is_missing(row.get("mode")) else mode,
                                             fmt_km(used)) if x)
        folium.Tooltip(tooltip_html(link_title(row, node_names=node_names), detail or None),
                       sticky=True).add_to(line)
        folium.Popup(link_popup(row, node_names=node_names), max_width=360).add_to(line)
        line.add_to(group)
        drawn += 1
    return group, drawn, modes, statuses


# ---------------------------------------------------------------------------------------------
# Page elements


class StyleSheet(MacroElement):
    """A constant ``<style>`` block in the page header (no text from data)."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
    """)

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "StyleSheet"
        self.css = css


class LegendEntry:
    """One legend row: a symbol (constant HTML from this package) and a label from data."""

    __slots__ = ("symbol_html", "label")

    def __init__(self, *, symbol_html: str, label: str) -> None:
        self.symbol_html = symbol_html
        self.label = label


class Legend(MacroElement):
    """A categorical legend as a Leaflet control; every label is escaped here."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="geo-legend">{{ this.html_text }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_control = L.control({position: "bottomright"});
            {{ this.get_name() }}_control.onAdd = function (map) {
                var div = document.getElementById("{{ this.get_name() }}");
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}_control.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, *, title: str | None,
                 sections: Sequence[tuple[str, Sequence[LegendEntry]]],
                 note: str | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        parts: list[str] = []
        if title:
            parts.append(f'<div class="geo-legend-title">{escape_html(title)}</div>')
        for heading, entries in sections:
            if not entries:
                continue
            parts.append(f'<div class="geo-legend-head">{escape_html(heading)}</div>')
            for e in entries:
                parts.append(f'<div class="geo-legend-row">{e.symbol_html}'
                             f'<span>{escape_html(e.label)}</span></div>')
        if note:
            parts.append(f'<div class="geo-legend-note">{escape_html(note)}</div>')
        self.html_text = "".join(parts)


class FullscreenControl(MacroElement):
    """A fullscreen button using the browser's Fullscreen API (no plugin, nothing to fetch)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "topleft"});
            {{ this.get_name() }}.onAdd = function (map) {
                var bar = L.DomUtil.create("div", "leaflet-bar geo-fullscreen");
                var a = L.DomUtil.create("a", "", bar);
                a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button");
                a.setAttribute("aria-label", "Toggle full screen");
                a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" ' +
                    'style="vertical-align:middle" fill="none" stroke="#333" ' +
                    'stroke-width="2"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';
                L.DomEvent.on(a, "click", function (e) {
                    L.DomEvent.preventDefault(e);
                    var el = map.getContainer();
                    if (document.fullscreenElement) { document.exitFullscreen(); }
                    else if (el.requestFullscreen) { el.requestFullscreen(); }
                });
                L.DomEvent.disableClickPropagation(bar);
                document.addEventListener("fullscreenchange", function () {
                    map.invalidateSize();
                });
                return bar;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "FullscreenControl"


class FitBounds(MacroElement):
    """Fit the view to ``bounds`` [[south, west], [north, east]] at load, without animation.

    (folium's ``fit_bounds`` animates the zoom from the initial view; a page that is not
    painted, such as a headless test page, can stay "animating" and ignore later views.)
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }},
                {padding: [20, 20], maxZoom: {{ this.max_zoom|tojson }}, animate: false});
        {% endmacro %}
    """)

    def __init__(self, bounds: Sequence[Sequence[float]], *, max_zoom: int = 10) -> None:
        super().__init__()
        self._name = "FitBounds"
        self.bounds = [[float(v) for v in corner] for corner in bounds]
        self.max_zoom = int(max_zoom)


class PageHook(MacroElement):
    """Expose the map and its named layers as ``window.geoAtlas`` (used by the browser tests).

    ``layers`` maps a constant concern name (``"corridors"``, ``"nodes"``, ...) to the folium
    element drawn for it; ``expected`` holds the feature counts the page should draw, and
    ``provenance`` the build's provenance record (JSON, script-safe).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            window.geoAtlas = {
                map: {{ this._parent.get_name() }},
                layers: {
                {%- for key, element in this.layers %}
                    {{ key|tojson }}: {{ element.get_name() }},
                {%- endfor %}
                },
                expected: {{ this.expected_json }},
                provenance: {{ this.provenance_json }}
            };
        {% endmacro %}
    """)

    def __init__(self, *, layers: Mapping[str, Element], expected: Mapping[str, int],
                 provenance: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._name = "PageHook"
        self.layers = list(layers.items())
        self.expected_json = json_for_script(dict(expected))
        self.provenance_json = json_for_script(dict(provenance or {}))
