"""Geodesic measures: lengths on the WGS84 ellipsoid, countries crossed, corridor assembly.

All lengths are geodesic (``pyproj.Geod(ellps="WGS84")``), never planar degrees.  A
station-to-station polyline is shorter than the real line, so the length that feeds transit
times (``length_used_km``) is the documented section length where a source gives one, else
the geodesic length times the link's stated circuity factor; both are reported.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import LineString

from geo._errors import InputError, LayerError, Problem

__all__ = [
    "assemble_corridors",
    "countries_along",
    "distance_km",
    "geodesic_length_km",
    "geodesic_path",
    "measure_energy",
    "measure_links",
]

GEOD = Geod(ellps="WGS84")
#: Pieces of a line shorter than this inside a country are ignored (outline noise at borders).
SLIVER_KM = 0.5
#: Energy lines: a crossing of a country no source names is flagged from this many km on
#: (shorter pieces are end points in a border town, e.g. Khorgos).
FLAG_CROSSING_KM = 25.0
#: Ordering of statuses from most to least advanced.
_STATUS_ORDER = ("operational", "under_construction", "planned")


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance between two (lon, lat) points on the WGS84 ellipsoid, in km.

    >>> round(distance_km(0.0, 0.0, 1.0, 0.0), 3)
    111.319
    """
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def geodesic_length_km(geometry: Any) -> float:
    """Geodesic length of a (Multi)LineString on the WGS84 ellipsoid, in km.

    Coordinates are (lon, lat) in degrees.

    >>> round(geodesic_length_km(LineString([(0, 0), (1, 0)])), 3)
    111.319
    """
    if geometry is None or geometry.is_empty:
        return 0.0
    return float(GEOD.geometry_length(geometry)) / 1000.0


def countries_along(line: LineString, countries: gpd.GeoDataFrame,
                    tree: shapely.STRtree | None = None, *,
                    over_land: bool = True) -> tuple[list[str], dict[str, float], float]:
    """Countries a line crosses, in order, and the geodesic km inside each.

    Returns ``(iso3_in_order, km_by_iso3, km_outside_every_country)``.  With
    ``over_land=True`` (rail and road) the parts that fall outside every outline are
    border and coast noise of the 1:50m outlines: each is given to the nearest country.
    With ``over_land=False`` (ferry, sea) they count as water.  Pieces shorter than
    :data:`SLIVER_KM` do not enter the order.
    """
    geoms = countries.geometry.values
    iso3 = countries["iso3"].to_numpy()
    tree = tree if tree is not None else shapely.STRtree(geoms)
    pieces: list[tuple[float, str, float]] = []  # (position along line, iso3, km)
    km_by: dict[str, float] = {}
    hits = tree.query(line, predicate="intersects")
    for i in hits:
        inter = line.intersection(geoms[i])
        for part in shapely.get_parts(inter):
            if part.geom_type != "LineString" or part.is_empty:
                continue
            km = geodesic_length_km(part)
            pieces.append((line.project(shapely.Point(part.coords[0])), str(iso3[i]), km))
    covered = shapely.union_all(geoms[hits]) if len(hits) else None
    rest = line.difference(covered) if covered is not None else line
    outside = 0.0
    for part in shapely.get_parts(rest):
        if part.geom_type != "LineString" or part.is_empty:
            continue
        km = geodesic_length_km(part)
        if not over_land:
            outside += km
            continue
        nearest = tree.query_nearest(part.interpolate(0.5, normalized=True))
        code = str(iso3[nearest[0]]) if len(nearest) else None
        if code is None:
            outside += km
        else:
            pieces.append((line.project(shapely.Point(part.coords[0])), code, km))
    pieces.sort()
    order: list[str] = []
    for _, code, km in pieces:
        km_by[code] = km_by.get(code, 0.0) + km
        if km >= SLIVER_KM and (not order or order[-1] != code):
            order.append(code)
    return order, km_by, outside


def measure_links(links: gpd.GeoDataFrame, *, countries: gpd.GeoDataFrame,
                  node_countries: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """Add length and country columns to a links GeoDataFrame (returns a new frame).

    ``node_countries`` (node id -> ISO3) makes sure a link's order of countries starts and
    ends with its nodes' declared countries even where a border node sits within outline
    noise of the 1:50m boundary.
    """
    out = links.copy()
    tree = shapely.STRtree(countries.geometry.values)
    geodesic = np.array([geodesic_length_km(g) for g in out.geometry], dtype=float)
    documented = pd.to_numeric(out.get("documented_length_km"), errors="coerce").to_numpy(float)
    circuity = pd.to_numeric(out.get("circuity"), errors="coerce").to_numpy(float)
    has_doc = np.isfinite(documented)
    used = np.where(has_doc, documented, geodesic * np.where(np.isfinite(circuity), circuity, 1.0))
    out["geodesic_length_km"] = geodesic.round(3)
    out["length_used_km"] = used.round(3)
    out["length_method"] = np.where(has_doc, "documented", "circuity")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["circuity_used"] = np.where(geodesic > 0, used / geodesic, np.nan).round(4)
    orders, by_country, water = [], [], []
    node_countries = node_countries or {}
    for geom, mode, a, b, used_km, geo_km in zip(out.geometry, out["mode"], out["from_id"],
                                                 out["to_id"], used, geodesic, strict=True):
        order, km_by, outside = countries_along(geom, countries, tree,
                                                over_land=mode in ("rail", "road"))
        first, last = node_countries.get(str(a)), node_countries.get(str(b))
        if first and (not order or order[0] != first) and first in km_by:
            order.insert(0, first)
        if last and (not order or order[-1] != last) and last in km_by:
            order.append(last)
        scale = used_km / geo_km if geo_km > 0 else 1.0
        orders.append(order)
        by_country.append({k: round(v * scale, 3) for k, v in sorted(km_by.items())})
        water.append(round(outside * scale, 3))
    out["countries"] = orders
    out["length_by_country_km"] = by_country
    out["water_length_km"] = water
    return out


def measure_energy(energy: gpd.GeoDataFrame, *, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add length and country columns to an energy-lines GeoDataFrame (returns a new frame).

    Computed columns: ``geodesic_length_km`` (WGS84, through the documented vertices),
    ``countries`` (ISO3 in order along the line), ``geodesic_km_by_country`` (geodesic km
    inside each country, not scaled: the polyline joins documented points with geodesics,
    so it is shorter than the real line) and ``geodesic_share_of_documented``
    (geodesic / documented length; null where no length is documented).  Where a source
    gives km by country (``documented_km_by_country``), ``countries_undocumented`` lists
    countries the polyline crosses for at least :data:`FLAG_CROSSING_KM` that the source
    does not name (an artefact of joining documented points with geodesics) and
    ``countries_missed`` those it names that the polyline misses; both are null without
    that field.
    """
    out = energy.copy()
    tree = shapely.STRtree(countries.geometry.values)
    geodesic = np.array([geodesic_length_km(g) for g in out.geometry], dtype=float)
    documented = pd.to_numeric(out.get("documented_length_km"), errors="coerce").to_numpy(float)
    out["geodesic_length_km"] = geodesic.round(3)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.isfinite(documented) & (documented > 0), geodesic / documented,
                         np.nan)
    out["geodesic_share_of_documented"] = share.round(4)
    documented_by = out["documented_km_by_country"] if "documented_km_by_country" in out \
        else [None] * len(out)
    orders: list[list[str]] = []
    by_country: list[dict[str, float]] = []
    undocumented: list[list[str] | None] = []
    missed: list[list[str] | None] = []
    for geom, doc in zip(out.geometry, documented_by, strict=True):
        order, km_by, _ = countries_along(geom, countries, tree, over_land=True)
        orders.append(order)
        by_country.append({k: round(v, 3) for k, v in sorted(km_by.items())})
        if isinstance(doc, dict) and doc:
            undocumented.append([c for c in dict.fromkeys(order)
                                 if c not in doc and km_by.get(c, 0.0) >= FLAG_CROSSING_KM])
            missed.append([c for c in doc if c not in order])
        else:
            undocumented.append(None)
            missed.append(None)
    out["countries"] = orders
    out["geodesic_km_by_country"] = by_country
    out["countries_undocumented"] = undocumented
    out["countries_missed"] = missed
    return out


def _oriented_coords(geom: LineString, start_node_xy: tuple[float, float]) -> list[tuple[float, float]]:
    coords = [(float(x), float(y)) for x, y, *_ in geom.coords]
    first = coords[0]
    if math.dist(first, start_node_xy) > math.dist(coords[-1], start_node_xy):
        coords.reverse()
    return coords


def assemble_corridors(corridors: gpd.GeoDataFrame, links: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build each corridor's geometry and measures from the links along its node path.

    ``links`` must already carry the columns added by :func:`measure_links`.
    """
    by_pair: dict[frozenset[str], int] = {}
    for i, (a, b) in enumerate(zip(links["from_id"], links["to_id"], strict=True)):
        by_pair.setdefault(frozenset((str(a), str(b))), i)
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for idx, corr in corridors.reset_index(drop=True).iterrows():
        path: Sequence[str] = corr["nodes"]
        link_idx: list[int] = []
        for a, b in itertools.pairwise(path):
            j = by_pair.get(frozenset((a, b)))
            if j is None:
                problems.append(Problem("corridors", int(idx), str(corr["id"]), "nodes",
                                        f"no link joins {a!r} and {b!r}"))
                continue
            link_idx.append(j)
        if problems:
            continue
        rows.append(_corridor_measures(path, links.iloc[link_idx]))
    if problems:
        raise LayerError(problems)
    measures = pd.DataFrame(rows, index=corridors.index)
    out = corridors.drop(columns="geometry").join(measures.drop(columns="geometry"))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(measures["geometry"].tolist(),
                                                        index=corridors.index, crs=corridors.crs),
                            crs=corridors.crs)


def _corridor_measures(path: Sequence[str], legs: gpd.GeoDataFrame) -> dict[str, Any]:
    coords: list[tuple[float, float]] = []
    for (a, _b), (_, leg) in zip(itertools.pairwise(path), legs.iterrows(), strict=True):
        start_xy = leg.geometry.coords[0] if str(leg["from_id"]) == a else leg.geometry.coords[-1]
        part = _oriented_coords(leg.geometry, (float(start_xy[0]), float(start_xy[1])))
        coords.extend(part if not coords else part[1:])
    geometry = LineString(coords)
    by_country: dict[str, float] = {}
    order: list[str] = []
    for leg_countries, leg_km in zip(legs["countries"], legs["length_by_country_km"], strict=True):
        for code in leg_countries:
            if not order or order[-1] != code:
                order.append(code)
        for code, km in leg_km.items():
            by_country[code] = by_country.get(code, 0.0) + km
    # a country entered twice stays once, at its first entry
    order = list(dict.fromkeys(order))
    used = float(legs["length_used_km"].sum())
    documented_used = float(legs.loc[legs["length_method"] == "documented", "length_used_km"].sum())
    statuses = set(legs["status"])
    status = next((s for s in reversed(_STATUS_ORDER) if s in statuses), "operational")
    gauges = [int(g) for g in dict.fromkeys(legs["gauge_mm"].dropna().astype(int))]
    return {
        "geometry": geometry,
        "link_ids": [str(i) for i in legs["id"]],
        "modes": list(dict.fromkeys(map(str, legs["mode"]))),
        "status": status,
        "gauges_mm": gauges,
        "geodesic_length_km": round(geodesic_length_km(geometry), 3),
        "length_used_km": round(used, 3),
        "documented_share": round(documented_used / used, 4) if used else 0.0,
        "countries": order,
        "length_by_country_km": {k: round(v, 3) for k, v in sorted(by_country.items())},
        "water_length_km": round(float(legs["water_length_km"].sum()), 3),
    }


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
        raise InputError(f"max_segment_km must be > 0 km, got {max_segment_km!r}")
    points = [(float(c[0]), float(c[1])) for c in coords]
    out: list[tuple[float, float]] = []
    for i, (lon, lat) in enumerate(points):
        if i:
            lon0, lat0 = points[i - 1]
            dist_km = GEOD.inv(lon0, lat0, lon, lat)[2] / 1000.0
            n = math.ceil(dist_km / max_segment_km) - 1
            if n > 0:
                out.extend(GEOD.npts(lon0, lat0, lon, lat, n))
        out.append((lon, lat))
    unwrapped: list[list[float]] = []
    prev: float | None = None
    for lon, lat in out:
        if prev is not None:
            lon += 360.0 * round((prev - lon) / 360.0)
        prev = lon
        unwrapped.append([round(lon, digits), round(lat, digits)])
    return unwrapped
