"""Interactive Folium maps of the corridors, their nodes and the project sites.

Built like ``geopandas.explore``: one named layer per concern (country outlines, corridors,
other network links, nodes, sites, routes) with a layer control; links styled by mode (colour) and status
(operational solid, under construction dashed, planned dotted) through named style
functions; a categorical legend, scale bar, fullscreen button, and the view fitted to the
data.  Coordinates are (lon, lat) inside and flipped to (lat, lon) only for Folium.

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
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from geo._format import fmt_days, fmt_km, is_blank
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
    StyleSheet,
)
from geo.maps._energy import ENERGY_COLOURS, energy_layer, energy_style
from geo.maps._html import escape_html
from geo.maps._ids import deterministic_ids
from geo.maps._lines import Bounds, line_parts, network_links_layer
from geo.maps._pointlayer import BigPointLayer, big_points_layer
from geo.maps._popups import (
    SITE_KNOWN,
    corridor_popup,
    node_popup,
    site_popup,
    site_value_text,
    site_year_text,
    sources_text,
    text_list,
    tooltip_html,
)
from geo.measure import geodesic_path
from geo.readers import read_points

__all__ = [
    "MODE_COLOURS",
    "SECTOR_COLOURS",
    "STATUS_DASH",
    "country_style",
    "link_style",
    "make_map",
    "network_link_style",
    "node_symbol",
    "render_html",
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
_OTHER_COLOUR = "#555555"
_SITE_DEFAULT = "#7b3294"
_ROUTE_COLOURS = ("#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
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
.geo-legend{background:rgba(255,255,255,.93);padding:6px 9px;font:12px/1.35 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);max-height:60vh;overflow:auto;max-width:280px}
.geo-legend-title{font-weight:bold;font-size:13px;margin-bottom:3px}
.geo-legend-head{font-weight:bold;margin-top:5px}
.geo-legend-row{display:flex;align-items:center;gap:6px}
.geo-legend-row>:first-child{flex:none}
.geo-legend-note{margin-top:5px;color:#555;white-space:normal;font-size:11px}
.geo-swatch{display:inline-block;width:12px;height:12px;border-radius:50%;border:1px solid #333}
.geo-popup{font:12px/1.35 sans-serif;max-width:340px}
.geo-popup-title{font-weight:bold;font-size:13px}
.geo-popup-sub{color:#555;margin-bottom:3px}
.geo-popup th{text-align:left;vertical-align:top;padding-right:6px;white-space:nowrap}
.geo-tip-detail{color:#666}
.geo-fullscreen a{line-height:30px}
"""


# ---------------------------------------------------------------------------------------------
# Named style functions (GeoJson style_function)


def link_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path style of a link feature: colour by ``mode``, dash pattern by ``status``."""
    props = feature.get("properties") or {}
    style: dict[str, Any] = {
        "color": MODE_COLOURS.get(str(props.get("mode")), _OTHER_COLOUR),
        "weight": 4 if props.get("mode") in ("rail", "road") else 3,
        "opacity": 0.9,
        "lineCap": "round",
    }
    dash = STATUS_DASH.get(str(props.get("status")))
    if dash:
        style["dashArray"] = dash
    return style


def network_link_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`link_style`, thinner and lighter: links outside the drawn corridors."""
    style = link_style(feature)
    style["weight"] = style["weight"] / 2
    style["opacity"] = 0.55
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


def _select_corridors(corridors: Any) -> tuple[gpd.GeoDataFrame | None, bool]:
    """(corridor frame or None, whether it is a subset of the bundled corridors)."""
    if corridors is False:
        return None, False
    return layers.select_corridors(corridors), corridors is not True


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


def _corridor_layer(rows: list[dict[str, Any]], *, links_by_id: Mapping[str, dict[str, Any]],
                    transit_days: Mapping[str, float], bounds: Bounds,
                    max_segment_km: float) -> tuple[folium.FeatureGroup, set[str], set[str]]:
    group = folium.FeatureGroup(name="Corridors")
    modes: set[str] = set()
    statuses: set[str] = set()
    for row in rows:
        cid = str(row.get("id"))
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
                "properties": {"mode": mode, "status": status},
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


def _site_layer(gdf: gpd.GeoDataFrame, *, bounds: Bounds, cluster_threshold: int,
                extra_fields: Sequence[str]) -> tuple[Any, set[str]]:
    rows = _records(gdf)
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
        folium.Popup(site_popup(row, extra_fields=extra_fields), max_width=360).add_to(marker)
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
                     extra_fields: Sequence[str]) -> tuple[BigPointLayer, set[str]]:
    """Many sites as one :class:`~geo.maps._pointlayer.BigPointLayer` (canvas, clustered).

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
        "Corridor": [_text(v) for v in column("corridor")],
        "Position": [_text(v) for v in column("coord_quality")],
        "Note": [_text(v) for v in column("note")],
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
    layer = big_points_layer(points, fields=fields, label="name", color_by="_colour",
                             palette={**SECTOR_COLOURS, "": _SITE_DEFAULT}, name="Sites")
    if n:
        minx, miny = shapely.get_x(geoms).min(), shapely.get_y(geoms).min()
        maxx, maxy = shapely.get_x(geoms).max(), shapely.get_y(geoms).max()
        bounds.add([(float(minx), float(miny)), (float(maxx), float(maxy))])
    return layer, {s for s in sector if s}


def _route_popup(name: Any, *, distance: str | None, days: str | None,
                 days_range: str | None) -> str:
    rows = "".join(f"<tr><th>{escape_html(k)}</th><td>{escape_html(v)}</td></tr>"
                   for k, v in (("Distance", distance), ("Median transit", days),
                                ("p10 to p90", days_range)) if v)
    return (f'<div class="geo-popup"><div class="geo-popup-title">{escape_html(name)}</div>'
            f"<table>{rows}</table></div>")


def _route_layer(routes: gpd.GeoDataFrame, *, bounds: Bounds,
                 max_segment_km: float) -> tuple[folium.FeatureGroup, list[LegendEntry]]:
    group = folium.FeatureGroup(name="Routes")
    entries = []
    for k, row in enumerate(_records(routes)):
        colour = _ROUTE_COLOURS[k % len(_ROUTE_COLOURS)]
        name = row.get("name") or row.get("id") or f"route {k + 1}"
        days = fmt_days(row.get("transit_days"))
        label = f"{name}: {days}" if days else str(name)
        parts = []
        for part in line_parts(row.get("geometry")):
            coords = geodesic_path(part, max_segment_km=max_segment_km)
            bounds.add(coords)
            parts.append([(lat, lon) for lon, lat in coords])
        if not parts:
            continue
        # earlier routes drawn wider, so routes sharing a leg stay visible side by side
        line = folium.PolyLine(parts if len(parts) > 1 else parts[0], color=colour,
                               weight=max(3, 9 - 2 * k), opacity=0.85)
        folium.Tooltip(tooltip_html(name, " \u00b7 ".join(
            x for x in (fmt_km(row.get("distance_km")), days) if x) or None)).add_to(line)
        low, high = fmt_days(row.get("p10_days")), fmt_days(row.get("p90_days"))
        folium.Popup(_route_popup(name, distance=fmt_km(row.get("distance_km")), days=days,
                                  days_range=f"{low} to {high}" if low and high else None),
                     max_width=340).add_to(line)
        line.add_to(group)
        entries.append(LegendEntry(
            symbol_html=f'<span class="geo-swatch" style="background:{colour}"></span>',
            label=label))
    return group, entries


# ---------------------------------------------------------------------------------------------
# The map


def _legend_sections(modes: set[str], statuses: set[str], symbols: set[str],
                     sectors: set[str], routes: list[LegendEntry], *, network: bool = False,
                     energy_kinds: frozenset[str] | set[str] = frozenset(),
                     ) -> list[tuple[str, list[LegendEntry]]]:
    def line(colour: str, dash: str | None, width: float = 3, opacity: float = 1) -> str:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        d += f' stroke-opacity="{opacity}"' if opacity < 1 else ""
        return (f'<svg width="30" height="10"><line x1="1" y1="5" x2="29" y2="5" '
                f'stroke="{colour}" stroke-width="{width}"{d}/></svg>')

    thin = network_link_style({"properties": {"mode": "rail", "status": "operational"}})

    return [
        ("Routes", routes),
        ("Links by mode" if network else "Corridors by mode", [LegendEntry(symbol_html=line(c, None), label=m)
                               for m, c in MODE_COLOURS.items() if m in modes]),
        ("Status", [LegendEntry(symbol_html=line("#333", d), label=s.replace("_", " "))
                    for s, d in STATUS_DASH.items() if s in statuses]),
        ("Other network links", [LegendEntry(
            symbol_html=line("#333", None, thin["weight"], thin["opacity"]),
            label="thinner: in no drawn corridor")] if network else []),
        ("Energy lines", [LegendEntry(
            symbol_html=line(c, None, energy_style({"properties": {"kind": k}})["weight"]),
            label=k.replace("_", " ")) for k, c in ENERGY_COLOURS.items() if k in energy_kinds]
         + ([LegendEntry(symbol_html=line("#333", "12 4 2 4", 2.5),
                         label="dashed: not in operation (see popup)")] if energy_kinds else [])),
        ("Nodes", [LegendEntry(symbol_html=f'<span class="{cls}"></span>', label=label)
                   for key, (label, cls) in _NODE_SYMBOLS.items() if key in symbols]),
        ("Sites by sector", [
            LegendEntry(symbol_html=f'<span class="geo-swatch" style="background:{c}"></span>',
                        label=s.replace("_", " "))
            for s, c in SECTOR_COLOURS.items() if s in sectors]
         + ([LegendEntry(symbol_html=f'<span class="geo-swatch" '
                                     f'style="background:{_SITE_DEFAULT}"></span>',
                         label="site")] if "" in sectors else [])),
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
        they become one :class:`~geo.maps._pointlayer.BigPointLayer` (data sent once as columns,
        canvas markers clustered in the browser, popups built as text, so about 10^5
        points stay practical; source URLs are shown as text there, not as links).
    routes
        Optional GeoDataFrame of routes (``name``, LineString geometry, optional
        ``distance_km`` and ``transit_days``), each drawn in its own colour.
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
    with deterministic_ids():
        return _make_map(corridors=corridors, nodes=nodes, sites=sites, routes=routes,
                         links=links, network_links=network_links, energy=energy,
                         offline=offline,
                         tiles=tiles, basemap=basemap,
                         title=title, transit_days=dict(transit_days or {}),
                         cluster_threshold=cluster_threshold, big_threshold=big_threshold,
                         max_segment_km=max_segment_km,
                         site_fields=site_fields, note=note, width=width, height=height)


def _make_map(*, corridors: Any, nodes: Any, sites: Any, routes: gpd.GeoDataFrame | None,
              links: gpd.GeoDataFrame | None, network_links: bool | None,
              energy: Any, offline: bool, tiles: str | None,
              basemap: bool | None, title: str | None, transit_days: dict[str, float],
              cluster_threshold: int, big_threshold: int, max_segment_km: float,
              site_fields: Sequence[str],
              note: str | None, width: str, height: str) -> folium.Map:

    corridor_gdf, subset = _select_corridors(corridors)
    if corridor_gdf is not None:
        corridor_gdf = _check_crs(corridor_gdf, "corridors")
    if network_links is None:
        network_links = corridors is True or (
            corridor_gdf is not None and not isinstance(corridors, gpd.GeoDataFrame)
            and set(corridor_gdf["id"]) == set(layers.corridors()["id"]))
    if energy is None:  # the overview; a layers directory without energy.geojson has none
        energy = layers.layer_path("energy").exists() and (corridors is True or (
            corridor_gdf is not None and not isinstance(corridors, gpd.GeoDataFrame)
            and set(corridor_gdf["id"]) == set(layers.corridors()["id"])))
    if links is None and (network_links or (corridor_gdf is not None
                                            and not isinstance(corridors, gpd.GeoDataFrame))):
        links = layers.links()
    links_by_id = {str(r["id"]): r for r in _records(links)}
    corridor_rows = _records(corridor_gdf)

    if isinstance(nodes, gpd.GeoDataFrame):
        node_gdf: gpd.GeoDataFrame | None = _check_crs(nodes, "nodes")
    elif nodes:
        node_gdf = layers.nodes()
        if subset:
            on_path = {str(n) for r in corridor_rows for n in (r.get("nodes") or [])}
            node_gdf = node_gdf[node_gdf["id"].isin(on_path)]
    else:
        node_gdf = None

    if isinstance(sites, str | os.PathLike):

        sites = read_points(sites)
    if isinstance(sites, gpd.GeoDataFrame):
        site_gdf: gpd.GeoDataFrame | None = _check_crs(sites, "sites")
    elif sites:
        site_gdf = layers.sites()
        if subset:
            ids = {str(r.get("id")) for r in corridor_rows}
            leg_ids = {str(i) for r in corridor_rows for i in (r.get("link_ids") or [])}
            keep = site_gdf["corridor"].astype(str).isin(ids) | \
                site_gdf["link"].astype(str).isin(leg_ids)
            site_gdf = site_gdf[keep]
    else:
        site_gdf = None

    use_tiles = None if offline else tiles
    m = AtlasMap(offline=offline, title=escape_html(title) if title else None,
                 tiles=use_tiles, control_scale=True, width=width, height=height,
                 zoom_control=True)
    StyleSheet(_CSS).add_to(m)
    hook_layers: dict[str, Any] = {}
    expected: dict[str, int] = {}
    bounds = Bounds()

    modes: set[str] = set()
    statuses: set[str] = set()
    if network_links and links_by_id:
        in_corridors = {str(i) for r in corridor_rows for i in (r.get("link_ids") or [])}
        all_nodes = layers.nodes()
        names = dict(zip(all_nodes["id"].astype(str), all_nodes["name"], strict=True))
        group, n_network, modes, statuses = network_links_layer(
            [r for k, r in links_by_id.items() if k not in in_corridors],
            style=network_link_style, node_names=names, bounds=bounds,
            max_segment_km=max_segment_km)
        group.add_to(m)  # before the corridors, so they are drawn on top
        hook_layers["network_links"] = group
        expected["network_links"] = n_network
    energy_kinds: set[str] = set()
    energy_gdf = _check_crs(energy, "energy") if isinstance(energy, gpd.GeoDataFrame) \
        else layers.energy() if energy else None
    if energy_gdf is not None and len(energy_gdf):
        group, n_energy, energy_kinds = energy_layer(_records(energy_gdf), bounds=bounds,
                                                     max_segment_km=max_segment_km)
        group.add_to(m)  # below the corridors
        hook_layers["energy"] = group
        expected["energy"] = n_energy
    if corridor_rows:
        group, c_modes, c_statuses = _corridor_layer(
            corridor_rows, links_by_id=links_by_id, transit_days=transit_days, bounds=bounds,
            max_segment_km=max_segment_km)
        modes |= c_modes
        statuses |= c_statuses
        group.add_to(m)
        hook_layers["corridors"] = group
        expected["corridors"] = len(corridor_rows)

    route_entries: list[LegendEntry] = []
    if routes is not None and len(routes):
        group, route_entries = _route_layer(_check_crs(routes, "routes"), bounds=bounds,
                                            max_segment_km=max_segment_km)
        group.add_to(m)
        hook_layers["routes"] = group
        expected["routes"] = len(routes)

    symbols: set[str] = set()
    if node_gdf is not None and len(node_gdf):
        group, symbols = _node_layer(_records(node_gdf), bounds=bounds)
        group.add_to(m)
        hook_layers["nodes"] = group
        expected["nodes"] = len(node_gdf)

    sectors: set[str] = set()
    if site_gdf is not None and len(site_gdf):
        site_layer: Any
        if len(site_gdf) > big_threshold:
            site_layer, sectors = _site_layer_many(site_gdf, bounds=bounds,
                                                   extra_fields=site_fields)
        else:
            site_layer, sectors = _site_layer(site_gdf, bounds=bounds,
                                              cluster_threshold=cluster_threshold,
                                              extra_fields=site_fields)
        if "sector" not in site_gdf.columns or site_gdf["sector"].isna().any():
            sectors.add("")
        site_layer.add_to(m)
        hook_layers["sites"] = site_layer
        expected["sites"] = len(site_gdf)

    if basemap if basemap is not None else use_tiles is None:
        outlines = folium.GeoJson(country_outlines(), name="Country outlines",
                                  style_function=country_style, interactive=False,
                                  smooth_factor=1.5)
        m.add_child(outlines, index=0)  # drawn first, below every other layer
        StyleSheet(".leaflet-container{background:#dbe7ef}").add_to(m)  # sea
        hook_layers = {"countries": outlines, **hook_layers}

    Legend(title=title, sections=_legend_sections(modes, statuses, symbols, sectors,
                                                  route_entries,
                                                  network=bool(expected.get("network_links")),
                                                  energy_kinds=energy_kinds),
           note=note).add_to(m)
    FullscreenControl().add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    fit = bounds.fit()
    if fit:
        FitBounds(fit).add_to(m)
    PageHook(layers=hook_layers, expected=expected, provenance=_provenance()).add_to(m)
    log.info("map: %d corridors, %d other network links, %d energy lines, %d nodes, "
             "%d sites, %d routes%s",
             expected.get("corridors", 0), expected.get("network_links", 0),
             expected.get("energy", 0),
             expected.get("nodes", 0), expected.get("sites", 0), expected.get("routes", 0),
             " (offline)" if offline else "")
    return m


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
