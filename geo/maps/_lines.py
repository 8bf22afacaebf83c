"""Lines on the maps: running bounds, line parts, and the layer of other network links.

Coordinates are (lon, lat) inside and flipped to (lat, lon) only where folium wants them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import folium

from geo._errors import LayerError
from geo._format import fmt_km, is_blank
from geo.maps._popups import link_popup, link_title, tooltip_html
from geo.measure import geodesic_path

__all__ = ["Bounds", "drawable_latlon", "line_parts", "network_links_layer"]


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


def drawable_latlon(geom: Any, *, bounds: Bounds, max_segment_km: float) -> Any:
    """A (Multi)LineString as folium (lat, lon) locations, densified along the geodesic.

    Every part is densified (``max_segment_km``, km) and unwrapped across the antimeridian;
    parts with fewer than two points are dropped.  The (lon, lat) points are added to
    ``bounds``.  Returns one location list for a single part, a list of them for several,
    or None when nothing is drawable.
    """
    parts = [geodesic_path(p, max_segment_km=max_segment_km) for p in line_parts(geom)]
    parts = [p for p in parts if len(p) > 1]
    if not parts:
        return None
    for p in parts:
        bounds.add(p)
    latlon = [[(lat, lon) for lon, lat in p] for p in parts]
    return latlon if len(latlon) > 1 else latlon[0]


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
        latlon = drawable_latlon(row.get("geometry"), bounds=bounds,
                                 max_segment_km=max_segment_km)
        if latlon is None:
            continue
        mode, status = str(row.get("mode")), str(row.get("status"))
        modes.add(mode)
        statuses.add(status)
        line = folium.PolyLine(latlon, smooth_factor=1.0,
                               **style({"properties": {"mode": mode, "status": status}}))
        used = row.get("length_used_km")
        detail = " \u00b7 ".join(x for x in (None if is_blank(row.get("mode")) else mode,
                                             fmt_km(used)) if x)
        folium.Tooltip(tooltip_html(link_title(row, node_names=node_names), detail or None),
                       sticky=True).add_to(line)
        folium.Popup(link_popup(row, node_names=node_names), max_width=360).add_to(line)
        line.add_to(group)
        drawn += 1
    return group, drawn, modes, statuses
