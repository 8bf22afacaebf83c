"""Offline basemap: Natural Earth land and borders as one GeoJSON for the maps.

The outlines come from :func:`geo.countries`; they are simplified, rounded to 0.01 degrees,
cut at the antimeridian where a ring jumps across it, and small islands are left out, so
every offline page can carry the whole world (no tiles, no network).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import shapely
import shapely.affinity

from geo import layers

__all__ = ["country_outlines", "country_style"]


def country_style(feature: Mapping[str, Any]) -> dict[str, Any]:
    """Offline basemap style: pale land with thin grey borders.

    A country whose outline has artefact edges (``outline`` false) is filled without a
    stroke; its real border segments come as a separate line feature.
    """
    geometry_type = str((feature.get("geometry") or {}).get("type"))
    if "Polygon" in geometry_type:
        style: dict[str, Any] = {"fillColor": "#f3f0e8", "fillOpacity": 1.0}
        if (feature.get("properties") or {}).get("outline", True):
            style.update(color="#a8a396", weight=0.7)
        else:
            style["stroke"] = False
        return style
    return {"color": "#a8a396", "weight": 0.7, "fill": False}


_OUTLINE_CACHE: dict[tuple[float, float], list[dict[str, Any]]] = {}


def _round_coords(coords: Any, digits: int) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), digits) for c in coords]
    return [_round_coords(c, digits) for c in coords]


def _unwrap_ring(coords: Any) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lon, lat, *_ in coords:
        if out:
            lon += 360.0 * round((out[-1][0] - lon) / 360.0)
        out.append((lon, lat))
    return out


def _split_antimeridian(geom: Any) -> Any:
    """Polygons whose rings jump across +-180 (e.g. Russia, Fiji) cut into two halves.

    A ring that wraps the whole globe (Antarctica) is dropped: it cannot be drawn on a
    Web Mercator map as one polygon and is outside every corridor map anyway.
    """
    if geom is None or geom.is_empty:
        return geom
    parts = []
    for poly in shapely.get_parts(geom):
        ring = list(poly.exterior.coords)
        if not any(abs(a[0] - b[0]) > 180 for a, b in itertools.pairwise(ring)):
            parts.append(poly)
            continue
        shell = _unwrap_ring(ring)
        lons = [c[0] for c in shell]
        if max(lons) - min(lons) >= 359.0 or abs(shell[0][0] - shell[-1][0]) > 1e-9:
            continue
        whole = shapely.Polygon(shell, [_unwrap_ring(r.coords) for r in poly.interiors])
        whole = shapely.make_valid(whole)
        for shift in (-360.0, 0.0, 360.0):
            window = shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0)
            piece = shapely.affinity.translate(shapely.intersection(whole, window), shift)
            parts.extend(g for g in shapely.get_parts(piece) if g.geom_type == "Polygon")
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def _without_long_edges(line: Any, *, max_lon_span: float = 15.0) -> list[shapely.LineString]:
    """The line cut where one edge spans more than ``max_lon_span`` degrees of longitude.

    Such edges are artefacts of the outline source (Russia's ring in the bundled Natural
    Earth conversion has edges of 20-140 degrees along the Arctic coast); no real border
    segment at 1:50m is that long, so the basemap leaves them out.
    """
    out: list[Any] = []
    current: list[Any] = []
    for c in line.coords:
        if current and abs(c[0] - current[-1][0]) > max_lon_span:
            if len(current) > 1:
                out.append(shapely.LineString(current))
            current = []
        current.append((c[0], c[1]))
    if len(current) > 1:
        out.append(shapely.LineString(current))
    return out


def _has_long_edge(geom: Any, *, max_lon_span: float = 15.0) -> bool:
    for poly in shapely.get_parts(geom):
        for ring in (poly.exterior, *poly.interiors):
            xs = [c[0] for c in ring.coords]
            if any(abs(a - b) > max_lon_span for a, b in itertools.pairwise(xs)):
                return True
    return False


def _outline_features(tolerance_deg: float, min_area_deg2: float) -> list[dict[str, Any]]:

    features: list[dict[str, Any]] = []
    for k, raw in enumerate(layers.countries().geometry):
        geom = shapely.make_valid(shapely.simplify(_split_antimeridian(raw), tolerance_deg,
                                                   preserve_topology=True))
        polys = [p for p in shapely.get_parts(geom)
                 if p.geom_type == "Polygon" and p.area >= min_area_deg2]
        if not polys:
            continue
        land = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
        mapped = shapely.geometry.mapping(land)
        broken = _has_long_edge(land)
        features.append({"type": "Feature", "id": f"land{k}",
                         "properties": {"outline": not broken},
                         "geometry": {"type": mapped["type"], "coordinates":
                                      _round_coords(mapped["coordinates"], 2)}})
        if broken:  # stroke only the real border segments of a damaged ring
            lines = [seg for p in polys for ring in (p.exterior, *p.interiors)
                     for seg in _without_long_edges(ring)]
            if lines:
                features.append({"type": "Feature", "id": f"border{k}", "properties": {},
                                 "geometry": {"type": "MultiLineString", "coordinates":
                                              _round_coords([list(ln.coords) for ln in lines],
                                                            2)}})
    return features


def country_outlines(*, tolerance_deg: float = 0.08,
                      min_area_deg2: float = 0.02) -> dict[str, Any]:
    """Simplified Natural Earth land and borders for the offline basemap (to 0.01 deg).

    The whole world is drawn (a clipped window shows its straight edges when zoomed out);
    islands smaller than ``min_area_deg2`` square degrees are left out to keep pages small.
    """
    key = (tolerance_deg, min_area_deg2)
    features = _OUTLINE_CACHE.get(key)
    if features is None:
        features = _outline_features(tolerance_deg, min_area_deg2)
        _OUTLINE_CACHE[key] = features
    return {"type": "FeatureCollection", "features": features}
