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

__all__ = ["FitBounds", "FullscreenControl", "Legend", "LegendEntry", "PageHook", "PopupFit",
           "StyleSheet"]


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
    """A categorical legend as a collapsible Leaflet control; every label is escaped here.

    A button in its heading folds it away and back.  While a popup is open the legend is
    folded, and popups are kept clear of it (:class:`PopupFit`), so it never covers one.
    """

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="geo-legend"><button type="button"
         class="geo-legend-toggle" aria-expanded="true">{{ this.heading_html }}</button><div
         class="geo-legend-body">{{ this.html_text }}</div></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_control = L.control({position: "bottomright"});
            {{ this.get_name() }}_control.onAdd = function (map) {
                var div = document.getElementById("{{ this.get_name() }}");
                var button = div.querySelector(".geo-legend-toggle");
                function fold(folded) {
                    div.classList.toggle("geo-folded", folded);
                    button.setAttribute("aria-expanded", folded ? "false" : "true");
                }
                var wanted = false;
                button.addEventListener("click", function () {
                    wanted = !div.classList.contains("geo-folded");
                    fold(wanted);
                });
                map.on("popupopen", function () { fold(true); });
                map.on("popupclose", function () { fold(wanted); });
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
        self.heading_html = escape_html(title) if title else "Legend"
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


class PopupFit(MacroElement):
    """Popups that never leave the map: a maximum height (then they scroll), pan padding.

    On every ``popupopen`` the popup's ``maxHeight`` becomes the map height less margins,
    its ``maxWidth`` at most the map width less margins, and Leaflet's auto-pan keeps it
    ``margin`` pixels inside the map, left of the layer list in the top-right corner and
    above the (folded) legend in the bottom-right corner.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, margin) {
            function fit(options, folded) {
                var size = map.getSize(), box = map.getContainer();
                var below = margin;
                var legend = box.querySelector(".geo-legend");
                if (legend) {  // the legend is folded while a popup is open
                    var b = box.getBoundingClientRect(), r = legend.getBoundingClientRect();
                    var head = legend.querySelector(".geo-legend-toggle");
                    var top = folded || !head ? r.top : r.bottom - head.offsetHeight - 12;
                    below = Math.max(below, b.bottom - top + margin);
                }
                // the layer list at the top right: popups stay left of it
                var right = margin;
                box.querySelectorAll(".leaflet-top.leaflet-right .leaflet-control")
                    .forEach(function (c) { right = Math.max(right, c.offsetWidth + 2 * margin); });
                // content + wrapper padding (28) + tip (20) + popup margin (20) must fit
                options.maxHeight = Math.max(80, size.y - margin - below - 76);
                options.maxWidth = Math.max(160, Math.min(options.maxWidth || 300,
                                                          size.x - margin - right - 40));
                options.autoPanPaddingTopLeft = L.point(margin, margin);
                options.autoPanPaddingBottomRight = L.point(right, below);
            }
            // defaults for every popup (their first auto-pan), then exact on opening
            function defaults() {
                var o = L.Popup.prototype.options, width = o.maxWidth;
                fit(o, false);
                o.maxWidth = width;
            }
            map.whenReady(defaults);
            map.on("resize", defaults);
            map.on("popupopen", function (e) {
                fit(e.popup.options, true);
                e.popup.update();
            });
        })({{ this._parent.get_name() }}, {{ this.margin }});
        {% endmacro %}
    """)

    def __init__(self, *, margin_px: int = 16) -> None:
        super().__init__()
        self._name = "PopupFit"
        self.margin = int(margin_px)


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

    The data are fitted into the part of the map left free by the controls on the right
    (legend, layer list), so neither covers the data's extent at the initial view.
    (folium's ``fit_bounds`` animates the zoom from the initial view; a page that is not
    painted, such as a headless test page, can stay "animating" and ignore later views.)
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, bounds) {
            var right = 0;
            map.getContainer().querySelectorAll(".leaflet-right .leaflet-control")
                .forEach(function (c) { right = Math.max(right, c.offsetWidth); });
            map.fitBounds(bounds, {paddingTopLeft: [20, 20],
                                   paddingBottomRight: [right + 20, 20],
                                   maxZoom: {{ this.max_zoom|tojson }}, animate: false});
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
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
