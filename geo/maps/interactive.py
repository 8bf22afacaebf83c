"""Interactive Folium maps of the corridors, their nodes and the project sites.

Built like ``geopandas.explore``: one named layer per concern (country outlines, corridors,
other network links, nodes, sites, routes) with a layer control.  Each corridor has its own
colour from Paul Tol's colour-blind-safe "muted" scheme; the mode shows in the line's width
and pattern (rail wide, road narrow, ferry and sea dotted) and the status in its dashes
(operational solid, under construction dashed, planned sparse dashes), through named style
functions.  Place labels (nodes by importance, countries, seas) are placed in the browser
without collisions (:mod:`geo.maps._labels`); popups scroll within a maximum height and
stay inside the map; a collapsible legend, scale bar, fullscreen button, and the view
fitted to the data beside the controls.  Coordinates are (lon, lat) inside and flipped to
(lat, lon) only for Folium.  What to draw is chosen by :func:`geo.maps.selection.select`;
the drawing takes frames only.

Safe: every string from data is escaped (:mod:`geo.maps._html`) before it reaches HTML or
JavaScript.  Reproducible: element ids come from :func:`geo.maps._ids.deterministic_ids`,
so the same inputs give byte-identical HTML.  Offline: ``offline=True`` inlines Leaflet,
jQuery and Leaflet.markercluster (:mod:`geo.maps._assets`) and draws country outlines instead of
tiles, so the page works from a ``file://`` URL with no network.

>>> import geo
>>> m = geo.make_map(offline=True)                      # doctest: +SKIP
>>> m.save("atlas.html")                           # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from geo._errors import GeoError
from geo._format import fmt_days, fmt_km, is_blank, is_missing
from geo._io import atomic_write
from geo._provenance import provenance
from geo.maps._assets import AtlasMap, AtlasMarkerCluster
from geo.maps._basemap import country_outlines, country_style
from geo.maps._elements import (
    FitBounds,
    FullscreenControl,
    Legend,
    LegendEntry,
    PageHook,
    PopupFit,
    StyleSheet,
)
from geo.maps._energy import ENERGY_COLOURS, energy_layer, energy_style
from geo.maps._html import escape_html
from geo.maps._ids import deterministic_ids
from geo.maps._labels import LABEL_CSS, Labels, country_labels, node_labels, sea_labels
from geo.maps._lines import Bounds, line_parts, network_links_layer
from geo.maps._pointlayer import ClusteredPointLayer, clustered_points_layer
from geo.maps._popups import (
    SITE_KNOWN,
    corridor_popup,
    node_popup,
    public_note,
    site_popup,
    site_value_text,
    site_year_text,
    source_links,
    sources_text,
    text_list,
    tooltip_html,
)
from geo.maps.selection import Selection, select
from geo.measure import geodesic_path

__all__ = [
    "CORRIDOR_COLOURS",
    "MODE_COLOURS",
    "MODE_WIDTH",
    "SECTOR_COLOURS",
    "STATUS_DASH",
    "corridor_colour",
    "country_style",
    "draw_map",
    "link_style",
    "make_map",
    "network_link_style",
    "node_symbol",
    "render_html",
    "route_popup",
    "save_html",
]

log = logging.getLogger(__name__)

#: Line colour per transport mode.
MODE_COLOURS: dict[str, str] = {
    "rail": "#b2182b", "road": "#e08214", "ferry": "#2166ac", "sea": "#1b9e9e",
}
#: SVG dash pattern per infrastructure status (None: solid).
STATUS_DASH: dict[str, str | None] = {
    "operational": None, "under_construction": "9 6", "planned": "2 6",
}
#: Fill colour per site sector (schema.Sector).
SECTOR_COLOURS: dict[str, str] = {
    "oil_gas_upstream": "#6a3d9a", "oil_pipeline": "#3f007d", "gas_pipeline": "#9e9ac8",
    "power_plant": "#e31a1c", "power_line": "#fb9a99", "hydro": "#1f78b4",
    "renewable": "#33a02c", "port": "#08306b", "dry_port": "#6baed6",
    "logistics_zone": "#ff7f00", "rail": "#b15928", "road": "#fdbf6f", "tunnel": "#636363",
    "refining": "#8c6d31", "petrochemical": "#de77ae", "mining": "#543005", "telecom": "#17becf",
    "airport": "#01665e",
}
#: One colour per corridor, in corridor order: Paul Tol's "muted" scheme (colour-blind safe).
CORRIDOR_COLOURS: tuple[str, ...] = ("#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee",
                                     "#882255", "#44aa99", "#999933", "#aa4499")
#: Line width (px) per mode; ferry and sea legs are also dotted when operational.
MODE_WIDTH: dict[str, float] = {"rail": 5.0, "road": 2.5, "ferry": 3.0, "sea": 3.0}
_MODE_DOTS = "1 7"
_OTHER_COLOUR = "#555555"
_NETWORK_COLOUR = "#7a7a7a"
_SITE_DEFAULT = "#7b3294"
#: Route colours: the Okabe-Ito scheme (colour-blind safe), one per alternative.
_ROUTE_COLOURS = ("#e69f00", "#0072b2", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#000000")
_SITE_FADED = frozenset({"planned", "stalled", "cancelled"})

#: Node symbol: (legend label, CSS classes of the symbol).
_NODE_SYMBOLS: dict[str, tuple[str, str]] = {
    "border_gauge": ("Border crossing with break of gauge", "geo-sym geo-diamond geo-gauge"),
    "border_crossing": ("Border crossing", "geo-sym geo-diamond geo-border"),
    "gauge_change": ("Break of gauge (transshipment / bogie exchange)", "geo-sym geo-gauge"),
    "sea_port": ("Sea or ferry port", "geo-sym geo-round geo-port"),
    "dry_port": ("Dry port", "geo-sym geo-round geo-dryport"),
    "other": ("Station, junction or town", "geo-sym geo-round geo-dot"),
}

_CSS = """
.geo-sym{display:inline-block;box-sizing:border-box;width:14px;height:14px;border:2px solid #222}
.geo-diamond{transform:rotate(45deg) scale(.85)}
.geo-border{background:#d73027}
.geo-gauge{background:linear-gradient(135deg,#111 50%,#fff 50%)}
.geo-round{border-radius:50%}
.geo-port{background:#08306b;border-color:#fff;box-shadow:0 0 0 1px #08306b}
.geo-dryport{background:#fff;border:3px solid #08306b}
.geo-dot{width:9px;height:9px;background:#fff;border:2px solid #444;margin:2px}
.geo-node{background:none;border:none}
.geo-legend{background:rgba(255,255,255,.93);padding:4px 9px 6px;font:12px/1.35 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);max-height:55vh;overflow:auto;max-width:260px}
.geo-legend-toggle{all:unset;cursor:pointer;font-weight:bold;font-size:13px;display:block;
 padding:2px 0}
.geo-legend-toggle::after{content:" \\25BE";font-weight:normal}
.geo-folded .geo-legend-toggle::after{content:" \\25B8"}
.geo-folded .geo-legend-body{display:none}
.geo-folded{overflow:hidden}
.geo-legend-head{font-weight:bold;margin-top:5px}
.geo-legend-row{display:flex;align-items:center;gap:6px}
.geo-legend-row>:first-child{flex:none}
.geo-legend-note{margin-top:5px;color:#555;white-space:normal;font-size:11px}
.geo-swatch{display:inline-block;width:12px;height:12px;border-radius:50%;border:1px solid #333}
.geo-popup{font:12px/1.35 sans-serif}
.geo-popup table{border-collapse:collapse}
.geo-popup td,.geo-popup th{padding:1px 4px 1px 0;vertical-align:top}
.geo-legs td.n{text-align:right;white-space:nowrap}
.leaflet-popup-scrolled{border-bottom:1px solid #ccc}
.leaflet-container .leaflet-interactive:focus,.leaflet-container :focus:not(:focus-visible){outline:none}
.geo-popup-title{font-weight:bold;font-size:13px}
.geo-popup-sub{color:#555;margin-bottom:3px}
.geo-popup th{text-align:left;vertical-align:top;padding-right:6px;white-space:nowrap}
.geo-tip-detail{color:#666}
.geo-fullscreen a{line-height:30px}
"""


# ---------------------------------------------------------------------------------------------
# Named style functions (GeoJson style_function)


def link_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path style of a link feature.

    Colour: the feature's ``colour`` property (its corridor's colour), else by ``mode``
    (:data:`MODE_COLOURS`); width by ``mode`` (:data:`MODE_WIDTH`); dashes by ``status``
    (:data:`STATUS_DASH`), and dots for an operational ferry or sea leg.
    """
    props = feature.get("properties") or {}
    mode, status = str(props.get("mode")), str(props.get("status"))
    style: dict[str, Any] = {
        "color": str(props.get("colour") or MODE_COLOURS.get(mode, _OTHER_COLOUR)),
        "weight": MODE_WIDTH.get(mode, 3.0),
        "opacity": 0.9,
        "lineCap": "round",
    }
    dash = STATUS_DASH.get(status)
    if dash is None and mode in ("ferry", "sea") and status == "operational":
        dash = _MODE_DOTS
    if dash:
        style["dashArray"] = dash
    return style


def network_link_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`link_style` in grey, thinner and lighter: links outside the drawn corridors."""
    style = link_style(feature)
    style["color"] = _NETWORK_COLOUR
    style["weight"] = style["weight"] / 2
    style["opacity"] = 0.6
    return style


def node_symbol(row: Mapping[str, Any]) -> str:
    """Symbol key of a node: border crossing, break of gauge, port, or other."""
    kind = str(row.get("kind") or "")
    facilities = row.get("facilities")
    fac = set(facilities) if isinstance(facilities, list | tuple) else set()
    gauge = kind == "gauge_change" or bool(fac & {"gauge_change", "bogie_exchange"})
    if kind == "border_crossing":
        return "border_gauge" if gauge else "border_crossing"
    if gauge:
        return "gauge_change"
    if kind == "sea_port" or "ferry_terminal" in fac:
        return "sea_port"
    if kind == "dry_port":
        return "dry_port"
    return "other"


# ---------------------------------------------------------------------------------------------
# Inputs


def _records(gdf: gpd.GeoDataFrame | None) -> list[dict[str, Any]]:
    if gdf is None or len(gdf) == 0:
        return []
    geometry = list(gdf.geometry)
    rows = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    for row, geom in zip(rows, geometry, strict=True):
        row["geometry"] = geom
    return rows


def _check_crs(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        log.info("reprojecting %s from %s to EPSG:4326", what, gdf.crs)
        return gdf.to_crs("EPSG:4326")
    return gdf


# ---------------------------------------------------------------------------------------------
# Layers


def corridor_colour(k: int) -> str:
    """Colour of the ``k``-th drawn corridor (:data:`CORRIDOR_COLOURS`, repeating)."""
    return CORRIDOR_COLOURS[k % len(CORRIDOR_COLOURS)]


def _corridor_layer(rows: list[dict[str, Any]], *, links_by_id: Mapping[str, dict[str, Any]],
                    transit_days: Mapping[str, float], bounds: Bounds,
                    max_segment_km: float) -> tuple[folium.FeatureGroup, set[str], set[str]]:
    group = folium.FeatureGroup(name="Corridors")
    modes: set[str] = set()
    statuses: set[str] = set()
    for n, row in enumerate(rows):
        cid = str(row.get("id"))
        colour = corridor_colour(n)
        link_ids = row.get("link_ids")
        legs = [links_by_id[str(i)] for i in link_ids] \
            if isinstance(link_ids, list | tuple) and link_ids \
            and all(str(i) in links_by_id for i in link_ids) else []
        features = []
        if legs:
            for leg in legs:
                for part in line_parts(leg.get("geometry")):
                    features.append((str(leg.get("mode")), str(leg.get("status")), part))
        else:  # a corridor frame without its links: one style for the whole line
            mode_list = text_list(row.get("modes")) or ""
            mode = mode_list.split(", ")[0] if mode_list else "rail"
            for part in line_parts(row.get("geometry")):
                features.append((mode, str(row.get("status")), part))
        line_features: list[dict[str, Any]] = []
        for k, (mode, status, part) in enumerate(features):
            coords = geodesic_path(part, max_segment_km=max_segment_km)
            bounds.add(coords)
            modes.add(mode)
            statuses.add(status)
            line_features.append({
                "type": "Feature", "id": str(k),
                "properties": {"mode": mode, "status": status, "colour": colour},
                "geometry": {"type": "LineString", "coordinates": coords},
            })
        days = row.get("transit_days")
        days = transit_days.get(cid, None if is_blank(days) else days)
        fc = {"type": "FeatureCollection", "features": line_features}
        layer = folium.GeoJson(fc, style_function=link_style, smooth_factor=1.0)
        detail = " \u00b7 ".join(x for x in (fmt_km(row.get("length_used_km")),
                                              fmt_days(days)) if x)
        folium.Tooltip(tooltip_html(row.get("name") or cid, detail or None),
                       sticky=True).add_to(layer)
        folium.Popup(corridor_popup(row, links=legs, transit_days=days),
                     max_width=380).add_to(layer)
        layer.add_to(group)
    return group, modes, statuses


def _node_layer(rows: list[dict[str, Any]], *, bounds: Bounds) -> tuple[folium.FeatureGroup,
                                                                          set[str]]:
    group = folium.FeatureGroup(name="Nodes")
    used: set[str] = set()
    for row in rows:
        geom = row.get("geometry")
        if geom is None or geom.is_empty:
            continue
        symbol = node_symbol(row)
        used.add(symbol)
        classes = _NODE_SYMBOLS[symbol][1]
        size = 9 if symbol == "other" else 14
        icon = folium.DivIcon(html=f'<div class="{classes}"></div>',
                              icon_size=(size + 4, size + 4),
                              icon_anchor=((size + 4) // 2, (size + 4) // 2),
                              class_name="geo-node")
        bounds.add([(geom.x, geom.y)])
        marker = folium.Marker([geom.y, geom.x], icon=icon)
        folium.Tooltip(tooltip_html(row.get("name") or row.get("id"),
                                    text_list(row.get("kind"))), sticky=True).add_to(marker)
        folium.Popup(node_popup(row), max_width=360).add_to(marker)
        marker.add_to(group)
    return group, used


def _corridor_names() -> dict[str, str]:
    """Bundled corridor ids -> names, for site popups (empty when the layer cannot be read)."""
    try:
        gdf = layers.corridors()
    except GeoError:
        return {}
    return dict(zip(gdf["id"].astype(str), gdf["name"].astype(str), strict=True))


def _site_layer(gdf: gpd.GeoDataFrame, *, bounds: Bounds, cluster_threshold: int,
                extra_fields: Sequence[str]) -> tuple[Any, set[str]]:
    rows = _records(gdf)
    names = _corridor_names()
    clustered = len(rows) > cluster_threshold
    group: Any = AtlasMarkerCluster(name="Sites", options={"maxClusterRadius": 40}) \
        if clustered else folium.FeatureGroup(name="Sites")
    sectors: set[str] = set()
    for row in rows:
        geom = row.get("geometry")
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type != "Point":
            geom = geom.representative_point()
        sector = row.get("sector")
        sector = None if is_blank(sector) else str(sector)
        if sector:
            sectors.add(sector)
        colour = SECTOR_COLOURS.get(sector or "", _SITE_DEFAULT)
        faded = str(row.get("status")) in _SITE_FADED
        bounds.add([(geom.x, geom.y)])
        marker = folium.CircleMarker(
            [geom.y, geom.x], radius=6, color="#222222", weight=1, fill=True,
            fill_color=colour, fill_opacity=0.45 if faded else 0.9)
        folium.Tooltip(tooltip_html(row.get("name") or row.get("id") or "site",
                                    text_list(sector)), sticky=True).add_to(marker)
        folium.Popup(site_popup(row, extra_fields=extra_fields, corridor_names=names),
                     max_width=360).add_to(marker)
        marker.add_to(group)
    return group, sectors


def _text(value: Any) -> str | None:
    """:func:`~geo.maps._popups.text_list` with a fast path for plain text and missing values."""
    kind = type(value)
    if kind is str:
        return (value if value[:1] != "[" else text_list(value)) or None
    if value is None or (kind is float and value != value):
        return None
    return text_list(value)


def _site_layer_many(gdf: gpd.GeoDataFrame, *, bounds: Bounds,
                     extra_fields: Sequence[str]) -> tuple[ClusteredPointLayer, set[str]]:
    """Many sites as one :class:`~geo.maps._pointlayer.ClusteredPointLayer` (canvas, clustered).

    The popup columns carry the same rows as :func:`~geo.maps._popups.site_popup`, as plain
    text (the browser sets them with ``textContent``), so sources are ``title (url)`` text
    rather than links.  Sites without a geometry are left out, as on the small-set paths.
    """
    geoms = gdf.geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.all():
        log.info("sites: %d rows without a geometry are not drawn", int((~keep).sum()))
        gdf, geoms = gdf[keep], geoms[keep]
    not_point = shapely.get_type_id(geoms) != 0
    if not_point.any():
        geoms = geoms.copy()
        geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    n = len(geoms)

    def column(name: str) -> list[Any]:
        return gdf[name].tolist() if name in gdf.columns else [None] * n

    sector = [_text(v) for v in column("sector")]
    names = _corridor_names()
    columns: dict[str, list[Any]] = {
        "name": [_text(a) or _text(b) or "site"
                 for a, b in zip(column("name"), column("id"), strict=True)],
        "Sector": sector,
        "Country": [_text(a) or _text(b)
                    for a, b in zip(column("countries"), column("country"), strict=True)],
        "Company": [_text(v) for v in column("company")],
        "Value": [site_value_text(a, b)
                  for a, b in zip(column("value_usd"), column("value_note"), strict=True)],
        "Year": [site_year_text(a, b)
                 for a, b in zip(column("year"), column("year_note"), strict=True)],
        "Status": [_text(v) for v in column("status")],
        "Corridor": [names.get(c, c) if (c := _text(v)) else None for v in column("corridor")],
        "Position": [_text(v) for v in column("coord_quality")],
        "Note": [public_note(v) for v in column("note")],
        "Sources": [sources_text(v) for v in column("sources")],
    }
    for f in extra_fields:
        if f in SITE_KNOWN or f not in gdf.columns:
            continue
        label = str(f) if str(f) not in columns else f"{f} (column)"
        columns[label] = [_text(v) for v in column(f)]
    fields = [k for k, v in columns.items() if k == "name" or any(x is not None for x in v)]
    frame = pd.DataFrame({k: pd.Series(columns[k], dtype=object) for k in fields})
    frame["_colour"] = [s if s in SECTOR_COLOURS else "" for s in sector]
    points = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
    layer = clustered_points_layer(points, fields=fields, label="name", color_by="_colour",
                             palette={**SECTOR_COLOURS, "": _SITE_DEFAULT}, name="Sites")
    if n:
        minx, miny = shapely.get_x(geoms).min(), shapely.get_y(geoms).min()
        maxx, maxy = shapely.get_x(geoms).max(), shapely.get_y(geoms).max()
        bounds.add([(float(minx), float(miny)), (float(maxx), float(maxy))])
    return layer, {s for s in sector if s}


def route_popup(row: Mapping[str, Any], name: Any) -> str:
    """A route's figures, its legs with their waiting, and the sources of its parameters."""
    low, high = fmt_days(row.get("p10_days")), fmt_days(row.get("p90_days"))
    scenario = row.get("scenario")
    facts = [("Scenario", None if is_missing(scenario) else str(scenario)),
             ("Distance", fmt_km(row.get("distance_km"))),
             ("Median transit", fmt_days(row.get("transit_days"))),
             ("p10 to p90", f"{low} to {high}" if low and high else None),
             ("Moving / waiting", " / ".join(x for x in (fmt_days(row.get("moving_days")),
                                                        fmt_days(row.get("waiting_days"))) if x)
              or None)]
    rows = "".join(f"<tr><th>{escape_html(k)}</th><td>{escape_html(v)}</td></tr>"
                   for k, v in facts if v)
    legs = row.get("legs")
    legs_html = ""
    if isinstance(legs, list | tuple) and legs:
        body = "".join(
            f"<tr><td>{escape_html(leg.get('mode'))}</td>"
            f"<td>{escape_html(leg.get('from'))} \u2192 {escape_html(leg.get('to'))}</td>"
            f"<td class=\"n\">{escape_html(fmt_km(leg.get('distance_km')))}</td>"
            f"<td class=\"n\">{escape_html(_days_short(leg.get('moving_days')))}</td>"
            f"<td class=\"n\">{escape_html(_days_short(leg.get('waiting_days')))}</td>"
            f"<td>{escape_html(leg.get('waiting_for'))}</td></tr>" for leg in legs)
        legs_html = ('<div class="geo-popup-sub">Legs (days of the median draw)</div>'
                     '<table class="geo-legs"><tr><th>mode</th><th>from \u2192 to</th>'
                     '<th>km</th><th>moving</th><th>waiting</th><th>waiting for</th></tr>'
                     f"{body}</table>")
    sources = source_links(row.get("sources"))
    src_html = (f'<div class="geo-popup-sub">Sources of the speeds and waiting times</div>'
                f"<div>{sources}</div>") if sources else ""
    path = row.get("path")
    sub = f'<div class="geo-popup-sub">{escape_html(path)}</div>' if isinstance(path, str) \
        and path else ""
    return (f'<div class="geo-popup"><div class="geo-popup-title">{escape_html(name)}</div>'
            f"{sub}<table>{rows}</table>{legs_html}{src_html}</div>")


def _days_short(value: Any) -> str:
    return "" if is_missing(value) else f"{float(value):.1f}"


def _route_colours(routes: gpd.GeoDataFrame) -> list[str]:
    """One colour per alternative (or per row when there is no ``alternative`` column)."""
    keys = [str(a) for a in routes["alternative"]] if "alternative" in routes.columns \
        else [str(k) for k in range(len(routes))]
    order = list(dict.fromkeys(keys))
    return [_ROUTE_COLOURS[order.index(k) % len(_ROUTE_COLOURS)] for k in keys]


def _route_layer(routes: gpd.GeoDataFrame, *, bounds: Bounds, max_segment_km: float
                 ) -> tuple[dict[str, folium.FeatureGroup], list[LegendEntry]]:
    """Route lines grouped by ``scenario`` (one layer each, the first shown), legend entries."""
    groups: dict[str, folium.FeatureGroup] = {}
    entries: dict[str, LegendEntry] = {}
    colours = _route_colours(routes)
    scenarios = [str(x) for x in routes["scenario"]] if "scenario" in routes.columns \
        else [""] * len(routes)
    several = len(set(scenarios)) > 1
    for k, row in enumerate(_records(routes)):
        key = scenarios[k]
        if key not in groups:
            groups[key] = folium.FeatureGroup(
                name=f"Routes, scenario {key}" if several else "Routes", show=not groups)
        name = row.get("name") or row.get("id") or f"route {k + 1}"
        days = fmt_days(row.get("transit_days"))
        parts = []
        for part in line_parts(row.get("geometry")):
            coords = geodesic_path(part, max_segment_km=max_segment_km)
            bounds.add(coords)
            parts.append([(lat, lon) for lon, lat in coords])
        if not parts:
            continue
        # earlier routes drawn wider, so routes sharing a leg stay visible side by side
        rank = list(dict.fromkeys(colours)).index(colours[k])
        line = folium.PolyLine(parts if len(parts) > 1 else parts[0], color=colours[k],
                               weight=max(3, 9 - 2 * rank), opacity=0.85)
        folium.Tooltip(tooltip_html(name, " \u00b7 ".join(
            x for x in (fmt_km(row.get("distance_km")), days) if x) or None)).add_to(line)
        folium.Popup(route_popup(row, name), max_width=460).add_to(line)
        line.add_to(groups[key])
        label = f"{name}: {days}" if days and not several else str(name)
        entries.setdefault(colours[k], LegendEntry(
            symbol_html=f'<span class="geo-swatch" style="background:{colours[k]}"></span>',
            label=label))
    return groups, list(entries.values())


# ---------------------------------------------------------------------------------------------
# The map


def _svg_line(colour: str, dash: str | None, width: float = 3, opacity: float = 1) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    d += f' stroke-opacity="{opacity}"' if opacity < 1 else ""
    return (f'<svg width="30" height="10"><line x1="1" y1="5" x2="29" y2="5" '
            f'stroke="{colour}" stroke-width="{width}" stroke-linecap="round"{d}/></svg>')


@dataclass
class _Drawn:
    """What the drawn layers hold, for the legend."""

    corridors: list[LegendEntry] = field(default_factory=list)
    modes: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    symbols: set[str] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    routes: list[LegendEntry] = field(default_factory=list)
    network: bool = False
    energy_kinds: set[str] = field(default_factory=set)


def _legend_sections(drawn: _Drawn) -> list[tuple[str, list[LegendEntry]]]:
    def mode_sample(m: str) -> str:
        st = link_style({"properties": {"mode": m, "status": "operational", "colour": "#444"}})
        return _svg_line("#444", st.get("dashArray"), st["weight"])

    thin = network_link_style({"properties": {"mode": "rail", "status": "operational"}})
    return [
        ("Routes", drawn.routes),
        ("Corridors", drawn.corridors),
        ("Mode (line width and pattern)", [LegendEntry(symbol_html=mode_sample(m), label=m)
                                           for m in MODE_WIDTH if m in drawn.modes]),
        ("Status", [LegendEntry(symbol_html=_svg_line("#444", d, 2.5), label=s.replace("_", " "))
                    for s, d in STATUS_DASH.items() if s in drawn.statuses]),
        ("Other network links", [LegendEntry(
            symbol_html=_svg_line(thin["color"], None, thin["weight"], thin["opacity"]),
            label="grey, thinner: in no drawn corridor")] if drawn.network else []),
        ("Energy lines", [LegendEntry(
            symbol_html=_svg_line(c, None, energy_style({"properties": {"kind": k}})["weight"]),
            label=k.replace("_", " ")) for k, c in ENERGY_COLOURS.items()
            if k in drawn.energy_kinds]
         + ([LegendEntry(symbol_html=_svg_line("#333", "12 4 2 4", 2.5),
                         label="dashed: not in operation (see popup)")]
            if drawn.energy_kinds else [])),
        ("Nodes", [LegendEntry(symbol_html=f'<span class="{cls}"></span>', label=label)
                   for key, (label, cls) in _NODE_SYMBOLS.items() if key in drawn.symbols]),
        ("Sites by sector", [
            LegendEntry(symbol_html=f'<span class="geo-swatch" style="background:{c}"></span>',
                        label=s.replace("_", " "))
            for s, c in SECTOR_COLOURS.items() if s in drawn.sectors]
         + ([LegendEntry(symbol_html=f'<span class="geo-swatch" '
                                     f'style="background:{_SITE_DEFAULT}"></span>',
                         label="site")] if "" in drawn.sectors else [])),
    ]


def make_map(*, corridors: layers.CorridorSelection = True,
             nodes: bool | gpd.GeoDataFrame = True,
             sites: bool | gpd.GeoDataFrame | str | os.PathLike[str] = True,
             routes: gpd.GeoDataFrame | None = None,
             links: gpd.GeoDataFrame | None = None,
             network_links: bool | None = None,
             energy: bool | gpd.GeoDataFrame | None = None,
             offline: bool = False,
             tiles: str | None = "OpenStreetMap",
             basemap: bool | None = None,
             title: str | None = None,
             transit_days: Mapping[str, float] | None = None,
             cluster_threshold: int = 150,
             big_threshold: int = 3000,
             max_segment_km: float = 100.0,
             site_fields: Sequence[str] = (),
             note: str | None = None,
             labels: bool | None = None,
             width: str = "100%", height: str = "100%") -> folium.Map:
    """A Folium map of corridors, nodes, sites and routes (``geo.make_map``).

    Parameters
    ----------
    corridors
        ``True`` for all bundled corridors, a corridor id or a list of ids, a GeoDataFrame
        shaped like :func:`geo.corridors`, or ``False``: the same meaning in
        :func:`geo.figure`, :func:`geo.build_gallery` and :func:`geo.near` (see
        :func:`geo.layers.select_corridors`).  Each corridor is drawn from its links
        (colour by mode, dash by status); its popup gives length used and documented,
        countries, status, transit days (``transit_days`` or a ``transit_days`` column) and
        sources.
    nodes, sites
        ``True`` (bundled layer; only the nodes and sites of the chosen corridors when
        ``corridors`` is a subset), a GeoDataFrame of Points, or ``False``; ``sites`` may
        also be the path of a point file, read with :func:`geo.read_points`.  Sites are
        clustered when there are more than ``cluster_threshold``; above ``big_threshold``
        they become one :class:`~geo.maps._pointlayer.ClusteredPointLayer` (data sent once as columns,
        canvas markers clustered in the browser, popups built as text, so about 10^5
        points stay practical; source URLs are shown as text there, not as links).
    routes
        Optional GeoDataFrame of routes (``name``, LineString geometry, optional
        ``distance_km``, ``transit_days``, ``p10_days``/``p90_days``, ``legs``, ``sources``,
        ``alternative`` and ``scenario``; see :func:`geo.route_frame`), one colour per
        alternative, legs and sources in the popup; with several scenarios, one layer per
        scenario (the first shown).
    links
        The links used to draw corridors (default :func:`geo.links` for bundled corridors).
    network_links
        Also draw, in the layer "Other network links", every link of ``links`` (default
        :func:`geo.links`) used by no drawn corridor (the European connectors, spurs),
        thinner and lighter than corridor legs (:func:`network_link_style`), each with a
        tooltip and a popup of its figures.  ``None`` (default): exactly when all bundled
        corridors are drawn.
    energy
        Draw the layer "Energy lines": ``True`` for :func:`geo.energy`, a GeoDataFrame
        shaped like it, or ``False``; ``None`` (default): exactly when all bundled corridors
        are drawn (the overview) and the layers directory has ``energy.geojson``.  Lines
        are coloured by kind (gas green, oil brown, power violet; none of them a mode
        colour), dashed unless operational; tooltips and popups (escaped) give the name,
        kind, capacity, documented and geodesic length, status, countries with km and
        sources.
    offline
        Inline every script and style sheet and draw country outlines instead of tiles, so
        the saved page needs no network.
    tiles, basemap
        Tile layer when online; ``basemap`` (default: when there are no tiles) adds the
        Natural Earth country outlines as a layer.
    title, note
        Shown at the top and bottom of the legend (escaped); ``title`` is also the page title.
    labels
        Place labels, drawn in the browser without collisions: the drawn nodes (or the leg
        ends of the routes) by importance, countries near the data, and seas.  Default:
        when there are no tiles (tiles carry their own place names).
    max_segment_km
        Segments longer than this (km) are densified along the WGS84 geodesic.
    site_fields
        Extra columns of a user's sites file to show in site popups.

    Returns
    -------
    folium.Map
        A fresh map; element ids are deterministic, so saving gives the same bytes for the
        same inputs.  Call ``.save(path)`` once (folium 0.20 duplicates script when one map
        is rendered twice).
    """
    selection = select(corridors=corridors, nodes=nodes, sites=sites, links=links,
                       network_links=network_links, energy=energy)
    options = _Options(offline=offline, tiles=tiles, basemap=basemap, title=title,
                       transit_days=dict(transit_days or {}),
                       cluster_threshold=cluster_threshold, big_threshold=big_threshold,
                       max_segment_km=max_segment_km, site_fields=tuple(site_fields),
                       note=note, labels=labels, width=width, height=height)
    with deterministic_ids():
        return draw_map(selection, routes=routes, options=options)


@dataclass(frozen=True)
class _Options:
    """How to draw (everything but the data)."""

    offline: bool = False
    tiles: str | None = "OpenStreetMap"
    basemap: bool | None = None
    title: str | None = None
    transit_days: Mapping[str, float] = field(default_factory=dict)
    cluster_threshold: int = 150
    big_threshold: int = 3000
    max_segment_km: float = 100.0
    site_fields: tuple[str, ...] = ()
    note: str | None = None
    labels: bool | None = None
    width: str = "100%"
    height: str = "100%"


class _Canvas:
    """The map being drawn: the folium map, the page hook's layers and counts, the bounds."""

    def __init__(self, options: _Options) -> None:
        self.options = options
        self.use_tiles = None if options.offline else options.tiles
        self.map = AtlasMap(offline=options.offline,
                            title=escape_html(options.title) if options.title else None,
                            tiles=self.use_tiles, control_scale=True, width=options.width,
                            height=options.height, zoom_control=True)
        StyleSheet(_CSS + LABEL_CSS).add_to(self.map)
        self.layers: dict[str, Any] = {}
        self.expected: dict[str, int] = {}
        self.bounds = Bounds()
        self.drawn = _Drawn()
        self.labels: list[dict[str, Any]] = []

    def add(self, key: str, layer: Any, count: int) -> None:
        layer.add_to(self.map)
        self.layers[key] = layer
        self.expected[key] = count


def _draw_network(c: _Canvas, sel: Selection) -> None:
    if sel.network_links is None or not len(sel.network_links):
        return
    group, n, modes, statuses = network_links_layer(
        _records(sel.network_links), style=network_link_style, node_names=sel.node_names,
        bounds=c.bounds, max_segment_km=c.options.max_segment_km)
    c.add("network_links", group, n)  # before the corridors, so they are drawn on top
    c.drawn.modes |= modes
    c.drawn.statuses |= statuses
    c.drawn.network = n > 0


def _draw_energy(c: _Canvas, sel: Selection) -> None:
    if sel.energy is None or not len(sel.energy):
        return
    group, n, kinds = energy_layer(_records(sel.energy), bounds=c.bounds,
                                   max_segment_km=c.options.max_segment_km)
    c.add("energy", group, n)  # below the corridors
    c.drawn.energy_kinds = set(kinds)


def _draw_corridors(c: _Canvas, sel: Selection) -> None:
    rows = _records(sel.corridors)
    if not rows:
        return
    links_by_id = {str(r["id"]): r for r in _records(sel.links)}
    group, modes, statuses = _corridor_layer(
        rows, links_by_id=links_by_id, transit_days=c.options.transit_days, bounds=c.bounds,
        max_segment_km=c.options.max_segment_km)
    c.add("corridors", group, len(rows))
    c.drawn.modes |= modes
    c.drawn.statuses |= statuses
    c.drawn.corridors = [
        LegendEntry(symbol_html=_svg_line(corridor_colour(k), None, 4),
                    label=str(r.get("name") or r.get("id"))) for k, r in enumerate(rows)]


def _draw_routes(c: _Canvas, routes: gpd.GeoDataFrame | None) -> None:
    if routes is None or not len(routes):
        return
    routes = _check_crs(routes, "routes")
    groups, c.drawn.routes = _route_layer(routes, bounds=c.bounds,
                                          max_segment_km=c.options.max_segment_km)
    several = len(groups) > 1
    for key, group in groups.items():
        c.add(f"routes_{key}" if several else "routes", group,
              int((routes["scenario"].astype(str) == key).sum()) if several else len(routes))
    if "places" in routes.columns:
        seen: set[str] = set()
        for places in routes["places"]:
            for pl in places if isinstance(places, list | tuple) else []:
                if pl["text"] not in seen:
                    seen.add(pl["text"])
                    c.labels.append(pl)


def _draw_points(c: _Canvas, sel: Selection) -> None:
    if sel.nodes is not None and len(sel.nodes):
        rows = _records(sel.nodes)
        group, c.drawn.symbols = _node_layer(rows, bounds=c.bounds)
        c.add("nodes", group, len(rows))
        c.labels += node_labels(rows)
    site_gdf = sel.sites
    if site_gdf is None or not len(site_gdf):
        return
    site_layer: Any
    if len(site_gdf) > c.options.big_threshold:
        site_layer, sectors = _site_layer_many(site_gdf, bounds=c.bounds,
                                               extra_fields=c.options.site_fields)
    else:
        site_layer, sectors = _site_layer(site_gdf, bounds=c.bounds,
                                          cluster_threshold=c.options.cluster_threshold,
                                          extra_fields=c.options.site_fields)
    if "sector" not in site_gdf.columns or site_gdf["sector"].isna().any():
        sectors.add("")
    c.drawn.sectors = sectors
    c.add("sites", site_layer, len(site_gdf))


def _finish(c: _Canvas) -> folium.Map:
    o, m = c.options, c.map
    if o.basemap if o.basemap is not None else c.use_tiles is None:
        outlines = folium.GeoJson(country_outlines(), name="Country outlines",
                                  style_function=country_style, interactive=False,
                                  smooth_factor=1.5)
        m.add_child(outlines, index=0)  # drawn first, below every other layer
        StyleSheet(".leaflet-container{background:#dbe7ef}").add_to(m)  # sea
        c.layers = {"countries": outlines, **c.layers}
    fit = c.bounds.fit()
    if o.labels if o.labels is not None else c.use_tiles is None:
        Labels(sea_labels() + country_labels(bounds=fit) + c.labels).add_to(m)
    Legend(title=o.title, sections=_legend_sections(c.drawn), note=o.note).add_to(m)
    FullscreenControl().add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    PopupFit().add_to(m)
    if fit:
        FitBounds(fit).add_to(m)
    PageHook(layers=c.layers, expected=c.expected, provenance=_provenance()).add_to(m)
    e = c.expected
    log.info("map: %d corridors, %d other network links, %d energy lines, %d nodes, %d sites, "
             "%d routes%s", e.get("corridors", 0), e.get("network_links", 0), e.get("energy", 0),
             e.get("nodes", 0), e.get("sites", 0), e.get("routes", 0),
             " (offline)" if o.offline else "")
    return m


def draw_map(selection: Selection, *, routes: gpd.GeoDataFrame | None = None,
             options: _Options | None = None) -> folium.Map:
    """Draw a :class:`~geo.maps.selection.Selection` (frames only) and optional routes."""
    c = _Canvas(options or _Options())
    _draw_network(c, selection)
    _draw_energy(c, selection)
    _draw_corridors(c, selection)
    _draw_routes(c, routes)
    _draw_points(c, selection)
    return _finish(c)


def _provenance() -> dict[str, Any]:
    return provenance()


def render_html(**kwargs: Any) -> str:
    """Build a fresh map with :func:`make_map` and render it to HTML, ids deterministic.

    Folium 0.20 duplicates script when one map object is rendered twice, so every call
    builds a new map.
    """
    with deterministic_ids():
        return make_map(**kwargs).get_root().render()


def save_html(path: str | os.PathLike[str], **kwargs: Any) -> int:
    """Render a map (see :func:`render_html`) and write it atomically; returns its size in bytes."""

    data = render_html(**kwargs).encode("utf-8")
    atomic_write(path, data)
    log.info("wrote map %s (%d bytes)", path, len(data))
    return len(data)
