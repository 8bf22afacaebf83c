"""Routes as map rows: one row per route, with its legs, waiting and sources for the popup.

:func:`route_frame` turns :class:`geo.Route` objects into the ``routes`` frame that
:func:`geo.make_map` draws; :func:`comparison_routes` does it for the alternatives of a
:class:`geo.Comparison`.  Each row carries its legs (mode, places by name, km, moving and
waiting days, what the waiting is for) and the sources of the scenario parameters the route
uses (speeds of its modes, waiting times of its events), so a route's popup explains its
figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import shapely

from geo._format import fmt_km, is_missing

__all__ = ["comparison_routes", "route_frame"]


def _short(name: Any) -> str:
    return str(name).split(" (")[0]


def _legs(route: Any) -> list[dict[str, Any]]:
    out = []
    for leg in route.legs.itertuples(index=False):
        out.append({"mode": str(leg.mode),
                    "from": _short(leg.from_name), "to": _short(leg.to_name),
                    "distance_km": round(float(leg.distance_km), 1),
                    "moving_days": round(float(leg.moving_h) / 24, 1),
                    "waiting_days": round(float(leg.dwell_h) / 24, 1),
                    "waiting_for": str(leg.dwell_note or "")})
    return out


def _sources(route: Any) -> list[dict[str, str]]:
    """Sources of the scenario parameters this route's figures use, each once."""
    keys = [f"speed_kmh.{m}" for m in route.exposure.distance_km if route.exposure.distance_km[m]]
    keys += [f"dwell_h.{k}" for k, n in route.exposure.dwell_counts.items() if n]
    if route.exposure.port_call_km:
        keys += ["rate.port_calls_per_1000km", "dwell_h.port_call"]
    seen: dict[str, dict[str, str]] = {}
    for key in keys:
        param = route.scenario.params.get(key)
        for title, url in getattr(param, "sources", ()):
            seen.setdefault(url or title, {"title": title, "url": url})
    return list(seen.values())


def _places(route: Any) -> list[dict[str, Any]]:
    """Labels for the ends of the route's legs (the places where mode or gauge changes)."""
    out: list[dict[str, Any]] = []
    last = len(route.legs) - 1
    for k, leg in enumerate(route.legs.itertuples(index=False)):
        coords = list(leg.geometry.coords) if leg.geometry is not None else []
        if not coords:
            continue
        ends = [(leg.from_name, coords[0], k == 0)]
        ends.append((leg.to_name, coords[-1], k == last))
        for name, (lon, lat, *_), terminal in ends:
            text = _short(name)
            if all(p["text"] != text for p in out):
                out.append({"text": text, "lon": round(float(lon), 4), "lat": round(float(lat), 4),
                            "kind": "node", "rank": 1 if terminal else 3, "dot": True})
    return out


def _geometry(route: Any) -> Any:
    parts: list[Any] = []
    for g in route.legs.geometry:
        if g is None or g.is_empty:
            continue
        parts.extend(g.geoms if g.geom_type == "MultiLineString" else [g])
    return shapely.MultiLineString([list(p.coords) for p in parts]) if parts else None


def route_frame(routes: Sequence[Any], *, names: Sequence[str] | None = None
                ) -> gpd.GeoDataFrame:
    """One row per :class:`geo.Route`, for ``geo.make_map(routes=...)``.

    Columns: ``name`` (default the route's places, ``"Xi'an to Duisburg"``), ``distance_km``,
    ``transit_days``, ``p10_days``, ``p90_days``, ``scenario``, ``path`` (the route in
    words), ``legs`` (list of dicts), ``sources`` (list of ``{"title", "url"}``), ``places``
    (labels for the leg ends: ``{"text", "lon", "lat", "kind", "rank"}``), geometry
    (MultiLineString of the legs, (lon, lat)).  Routes without legs are left out.
    """
    rows, geoms = [], []
    for k, route in enumerate(routes):
        geom = _geometry(route)
        if geom is None:
            continue
        days = route.estimate.days()
        rows.append({"name": names[k] if names else route.title,
                     "distance_km": route.distance_km, "transit_days": days["transit_days"],
                     "p10_days": days["p10_days"], "p90_days": days["p90_days"],
                     "moving_days": days["moving_days"], "waiting_days": days["dwell_days"],
                     "scenario": route.scenario.name, "path": route.path_text,
                     "legs": _legs(route), "sources": _sources(route),
                     "places": _places(route)})
        geoms.append(geom)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def comparison_routes(comparison: Any) -> gpd.GeoDataFrame:
    """:func:`route_frame` of the alternatives of a :class:`geo.Comparison`, plus ``alternative``.

    Each name is the alternative's title; one that cannot reach the destination says where
    it ends and how far short (``"... (ends at Port of Rotterdam, 210 km short)"``).
    """
    alts, names, objs = [], [], []
    for _, r in comparison.routes.iterrows():
        route = comparison.route_objects.get(r["alternative"])
        if route is None:
            continue
        name = str(r["title"])
        if not is_missing(r.get("end_id")) and r["end_id"] != comparison.destination_id:
            name += f" (ends at {r.get('end_name') or r['end_id']}, {fmt_km(r['end_gap_km'])} short)"
        alts.append(r["alternative"])
        names.append(name)
        objs.append(route)
    frame = route_frame(objs, names=names)
    frame.insert(0, "alternative", [a for a, o in zip(alts, objs, strict=True)
                                    if _geometry(o) is not None])
    return frame
