"""The "Energy lines" layer: gas and oil pipelines and power lines, styled by kind.

Coordinates are (lon, lat) inside and flipped to (lat, lon) only for folium.  Every text
from data reaches the page through :mod:`geo.maps._popups` (escaped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium

from geo._format import fmt_km, is_missing
from geo.maps._lines import Bounds, drawable_latlon
from geo.maps._popups import energy_capacity_text, energy_popup, tooltip_html

__all__ = ["ENERGY_COLOURS", "ENERGY_LAYER_NAME", "energy_layer", "energy_style"]

ENERGY_LAYER_NAME = "Energy lines"
#: Line colour by ``kind`` (gas: green, oil: brown, power: violet), apart from the mode colours.
ENERGY_COLOURS: dict[str, str] = {
    "gas_pipeline": "#4d9221",
    "oil_pipeline": "#8c510a",
    "power_line": "#984ea3",
}
#: Dash pattern by ``status`` (operational lines are solid).
ENERGY_DASH: dict[str, str] = {
    "under_construction": "8 5",
    "planned": "2 6",
    "stalled": "12 4 2 4",
    "cancelled": "1 8",
}
_OTHER = "#555555"


def energy_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path style of an energy line: colour by ``kind``, dashes by ``status``."""
    props = feature.get("properties") or {}
    kind = str(props.get("kind"))
    style: dict[str, Any] = {
        "color": ENERGY_COLOURS.get(kind, _OTHER),
        "weight": 2.5 if kind == "power_line" else 3.5,
        "opacity": 0.85,
        "lineCap": "butt",
    }
    dash = ENERGY_DASH.get(str(props.get("status")))
    if dash:
        style["dashArray"] = dash
    return style


def energy_layer(rows: Sequence[Mapping[str, Any]], *, bounds: Bounds, max_segment_km: float,
                 name: str = ENERGY_LAYER_NAME) -> tuple[folium.FeatureGroup, int, set[str]]:
    """One polyline per row of :func:`geo.energy`, in its own layer.

    Each line is densified along the geodesic (``max_segment_km``) and carries an escaped
    tooltip (name, kind and capacity) and an escaped popup (:func:`energy_popup`).
    Returns the layer, the number of lines drawn and the kinds drawn (for the legend).
    """
    group = folium.FeatureGroup(name=name)
    drawn = 0
    kinds: set[str] = set()
    for row in rows:
        latlon = drawable_latlon(row.get("geometry"), bounds=bounds,
                                 max_segment_km=max_segment_km)
        if latlon is None:
            continue
        kind = "" if is_missing(row.get("kind")) else str(row.get("kind"))
        kinds.add(kind)
        style = energy_style({"properties": {"kind": kind, "status": row.get("status")}})
        line = folium.PolyLine(latlon, smooth_factor=1.0, **style)
        detail = " \u00b7 ".join(x for x in (kind.replace("_", " ") or None,
                                             energy_capacity_text(row),
                                             fmt_km(row.get("documented_length_km"))) if x)
        folium.Tooltip(tooltip_html(row.get("name") or row.get("id"), detail or None),
                       sticky=True).add_to(line)
        folium.Popup(energy_popup(row), max_width=380).add_to(line)
        line.add_to(group)
        drawn += 1
    return group, drawn, kinds
