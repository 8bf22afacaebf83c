"""Page elements of the Folium maps: style sheet, legend, fullscreen control, fit, page hook.

Everything here is private to :mod:`geo.maps`.  Text from data is escaped with
:mod:`geo.maps._html` before it reaches a template; the templates below insert only
pre-escaped HTML (``html_text``) or JSON written by :func:`geo.maps._html.json_for_script`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template

from geo.maps._html import escape_html, json_for_script

__all__ = ["FitBounds", "FullscreenControl", "Legend", "LegendEntry", "PageHook", "StyleSheet"]


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

    __slots__ = ("label", "symbol_html")

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
