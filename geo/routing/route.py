"""The Route object: legs of a path through the network, with moving and waiting times.

A path found on the state graph (see :mod:`geo.routing.graph`) is a sequence of edges and
transfers.  Consecutive edges of the same mode and gauge with no waiting between them are
merged into one **leg**.  A leg's ``dwell_h`` is the waiting it incurs: the transfer at its
start node (break of gauge, port handling, transshipment), border crossings on it, the ferry
wait, port calls and canal transits on sea legs, and handling at the first or last sea port.

Headline times are the Monte Carlo median (see :mod:`geo.routing.scenarios`).  Every leg's
``moving_h``/``dwell_h`` is evaluated with the parameters of the **median draw**, so the legs
add up to the route's median; ``all_likely_h`` is the leg's time with every parameter at its
likely value (an extra, not the headline).

Times in hours, distances in km, coordinates (lon, lat).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from geo._provenance import provenance
from geo.routing.estimate import Exposure, TransitEstimate, estimate, moving_dwell_at, moving_dwell_h
from geo.routing.scenarios import Scenario

__all__ = ["LEG_COLUMNS", "Route", "Step", "build_route", "legs_distance_km", "route_legs"]

#: Columns of :attr:`Route.legs`, in order (geometry last).
LEG_COLUMNS = [
    "leg", "mode", "gauge_mm", "from_id", "to_id", "from_name", "to_name", "distance_km",
    "moving_h", "dwell_h", "total_h", "all_likely_h", "dwell_note", "countries", "passages", "link_ids",
]


@dataclass
class Step:
    """One edge of a path, with the transfer made at its start node (if any)."""

    key: str
    data: dict[str, Any]
    reverse: bool
    transfer: str | None = None


@dataclass
class Route:
    """A route between two places under one scenario.

    Attributes
    ----------
    origin_id, destination_id : str
        Node ids of the end points.
    origin_snap_km, destination_snap_km : float
        How far a (lon, lat) query was from its node, in km (0 for names and ids).
    legs : GeoDataFrame
        One row per leg: see :data:`LEG_COLUMNS`; EPSG:4326.
    exposure : Exposure
        Kilometres by mode and counts of waiting events, for the whole route.
    estimate : TransitEstimate
        Median transit time (the headline), its moving/waiting split, its range and the
        all-likely figure (hours).
    scenario : Scenario
    optimize : str
        ``"time"`` or ``"distance"``.
    alternatives : tuple of Route
        The 2nd..k-th best routes when ``k > 1`` was asked.
    """

    origin_id: str
    destination_id: str
    legs: gpd.GeoDataFrame
    exposure: Exposure
    estimate: TransitEstimate
    scenario: Scenario
    optimize: str
    origin_snap_km: float = 0.0
    destination_snap_km: float = 0.0
    alternatives: tuple[Route, ...] = field(default_factory=tuple)

    @property
    def distance_km(self) -> float:
        return legs_distance_km(self.legs["distance_km"])

    @property
    def moving_h(self) -> float:
        """Moving hours of the median draw."""
        return self.estimate.moving_h

    @property
    def dwell_h(self) -> float:
        """Waiting hours of the median draw."""
        return self.estimate.dwell_h

    @property
    def total_h(self) -> float:
        """The headline: Monte Carlo median, hours (= moving_h + dwell_h)."""
        return self.estimate.total_h

    @property
    def transit_days(self) -> float:
        """The headline: Monte Carlo median, days."""
        return self.estimate.total_h / 24.0

    @property
    def all_likely_h(self) -> float:
        """Every parameter at its likely value, hours (not the headline)."""
        return self.estimate.all_likely_h

    @property
    def node_ids(self) -> list[str]:
        """Node ids along the route, from origin to destination (leg ends only)."""
        if self.legs.empty:
            return [self.origin_id]
        return [self.legs["from_id"].iloc[0], *self.legs["to_id"].tolist()]

    @property
    def countries(self) -> list[str]:
        """ISO3 codes crossed, in order of first appearance."""
        out: list[str] = []
        for cs in self.legs["countries"]:
            for c in cs:
                if c not in out:
                    out.append(c)
        return out

    @property
    def modes(self) -> list[str]:
        return list(dict.fromkeys(self.legs["mode"]))

    def summary(self) -> dict[str, Any]:
        """Totals and ranges as a flat, JSON-ready dict."""
        days = self.estimate.days()
        return {
            "origin_id": self.origin_id, "destination_id": self.destination_id,
            "scenario": self.scenario.name, "optimize": self.optimize,
            "distance_km": round(self.distance_km, 1),
            "moving_h": round(self.moving_h, 1), "dwell_h": round(self.dwell_h, 1),
            "total_h": round(self.total_h, 1), "all_likely_h": round(self.all_likely_h, 1),
            **{k: round(v, 2) for k, v in days.items()},
            "n_draws": self.estimate.n_draws, "seed": self.estimate.seed,
            "modes": self.modes, "countries": self.countries,
            "origin_snap_km": round(self.origin_snap_km, 1),
            "destination_snap_km": round(self.destination_snap_km, 1),
        }

    def to_geojson(self) -> dict[str, Any]:
        """The legs as an RFC 7946 FeatureCollection, with totals and provenance."""

        feats = []
        for row in self.legs.itertuples(index=False):
            rec = row._asdict()
            geom = rec.pop("geometry")
            props = {k: _jsonable(v) for k, v in rec.items()}
            feats.append({"type": "Feature", "properties": props,
                          "geometry": json.loads(gpd.GeoSeries([geom]).to_json())
                          ["features"][0]["geometry"]})
        return {
            "type": "FeatureCollection",
            "features": feats,
            "properties": self.summary(),
            "provenance": provenance(scenario=self.scenario.describe(),
                                     model="geo.routing.estimate: moving = distance_km / speed_kmh; "
                                           "waiting from scenario dwell_h; transit_days = "
                                           "Monte Carlo median, legs split as the median "
                                           "draw"),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalar -> Python
    if value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


def _oriented(data: dict[str, Any], reverse: bool) -> list[tuple[float, float]]:
    coords = list(data["geometry"].coords)
    return coords[::-1] if reverse else coords


def legs_distance_km(leg_km: Any) -> float:
    """A route's length from its legs' lengths (exactly rounded, so independent of order)."""
    return math.fsum(leg_km)


def _add_into(acc: dict[str, float], more: dict[str, float]) -> None:
    for key, value in more.items():  # the sums Exposure.__add__ makes, in the same order
        acc[key] = acc.get(key, 0.0) + value


def route_legs(steps: list[Step], *, node_country: dict[str, str], edge_exposure: Any,
               detail: bool = True) -> tuple[list[dict[str, Any]], Exposure]:
    """The legs of a path (consecutive steps merged) and the route's whole exposure.

    Each leg is a dict with ``mode``, ``gauge_mm``, ``from_id``, ``to_id``, ``exposure`` and,
    with ``detail``, ``coords``, ``notes``, ``countries``, ``passages`` and every
    ``link_ids`` (else empty lists and the first link).  Without ``detail`` it is cheap
    enough for every pair of an OD matrix (:func:`geo.routing.paths.od_matrix`); the
    figures are the same either way.
    """
    legs: list[dict[str, Any]] = []
    total_km: dict[str, float] = {}
    total_counts: dict[str, float] = {}
    total_port_km = 0.0
    for i, st in enumerate(steps):
        dist, counts, port_km = edge_exposure(st.data)
        counts = dict(counts)
        start = st.data["to_id"] if st.reverse else st.data["from_id"]
        end = st.data["from_id"] if st.reverse else st.data["to_id"]
        mode = st.data["mode"]
        if st.transfer:
            counts[st.transfer] = counts.get(st.transfer, 0.0) + 1.0
        if mode == "sea" and i == 0:
            counts["sea_port"] = counts.get("sea_port", 0.0) + 1.0
        if mode == "sea" and i == len(steps) - 1:
            counts["sea_port"] = counts.get("sea_port", 0.0) + 1.0
        notes = (_notes(st, counts, port_km, start, end, i, len(steps), node_country)
                 if detail else [])
        for key, km in dist.items():  # the sums Exposure.__add__ makes, in the same order
            total_km[key] = total_km.get(key, 0.0) + km
        for key, count in counts.items():
            total_counts[key] = total_counts.get(key, 0.0) + count
        total_port_km += port_km
        prev = legs[-1] if legs else None
        if (prev is not None and prev["mode"] == mode and prev["gauge_mm"] == st.data["gauge_mm"]
                and not st.transfer and mode in ("rail", "road")):  # the same leg goes on
            prev["to_id"] = end
            _add_into(prev["km"], dist)
            _add_into(prev["counts"], counts)
            prev["port_km"] += port_km
            if detail:
                prev["coords"] += _oriented(st.data, st.reverse)[1:]
                prev["notes"] += notes
                prev["countries"] += [c for c in st.data["countries"]
                                      if c not in prev["countries"]]
                prev["link_ids"].append(st.key)
        else:
            legs.append({"mode": mode, "gauge_mm": st.data["gauge_mm"], "from_id": start,
                         "to_id": end, "km": dict(dist), "counts": counts, "port_km": port_km,
                         "coords": _oriented(st.data, st.reverse) if detail else [],
                         "notes": notes,
                         "countries": list(st.data["countries"]) if detail else [],
                         "passages": list(st.data["passages"]) if detail else [],
                         "link_ids": [st.key]})
    for leg in legs:
        leg["exposure"] = Exposure(leg.pop("km"), leg.pop("counts"), leg.pop("port_km"))
    return legs, Exposure(total_km, total_counts, total_port_km)


def _notes(st: Step, counts: dict[str, float], port_km: float, start: str, end: str, i: int,
           n_steps: int, node_country: dict[str, str]) -> list[str]:
    """What the waiting of one step is for, in words (the legs' ``dwell_note``)."""
    notes: list[str] = []
    if st.transfer:
        notes.append(f"{st.transfer.replace('_', ' ')} at {start}")
    if "border_rail" in counts or "border_road" in counts:
        notes.append(f"border {node_country.get(start)}-{node_country.get(end)}")
    if "border_rail_union" in counts:
        notes.append(f"border {node_country.get(start)}-{node_country.get(end)} "
                     "(customs union)")
    if "ferry_port" in counts:
        notes.append("ferry wait")
    if "canal_transit" in counts:
        notes.append("canal " + "+".join(p for p in st.data["passages"]
                                          if p in ("suez", "panama")))
    if st.data["mode"] == "sea" and i == 0:
        notes.append(f"port handling at {start}")
    if st.data["mode"] == "sea" and i == n_steps - 1:
        notes.append(f"port handling at {end}")
    if port_km:
        notes.append("port calls en route")
    return notes


def build_route(
    steps: list[Step],
    *,
    origin_id: str,
    destination_id: str,
    node_name: dict[str, str],
    node_country: dict[str, str],
    edge_exposure: Any,
    scenario: Scenario,
    optimize: str,
    n_draws: int,
    seed: int,
    origin_snap_km: float = 0.0,
    destination_snap_km: float = 0.0,
) -> Route:
    """Assemble legs, the exposure and the estimate of a path given as ``steps``."""
    legs, total = route_legs(steps, node_country=node_country, edge_exposure=edge_exposure)
    est: TransitEstimate = estimate(total, scenario=scenario, n_draws=n_draws, seed=seed)
    rows = []
    for n, leg in enumerate(legs, start=1):
        moving, dwell = moving_dwell_at(leg["exposure"], values=est.median_values)
        rows.append({
            "leg": n, "mode": leg["mode"], "gauge_mm": leg["gauge_mm"],
            "from_id": leg["from_id"], "to_id": leg["to_id"],
            "from_name": node_name.get(leg["from_id"], leg["from_id"]),
            "to_name": node_name.get(leg["to_id"], leg["to_id"]),
            "distance_km": leg["exposure"].total_km, "moving_h": moving, "dwell_h": dwell,
            "total_h": moving + dwell,
            "all_likely_h": sum(moving_dwell_h(leg["exposure"], scenario=scenario)),
            "dwell_note": "; ".join(leg["notes"]),
            "countries": leg["countries"], "passages": leg["passages"],
            "link_ids": leg["link_ids"], "geometry": LineString(leg["coords"]),
        })
    frame = gpd.GeoDataFrame(rows, columns=[*LEG_COLUMNS, "geometry"], geometry="geometry",
                             crs="EPSG:4326")
    frame["gauge_mm"] = frame["gauge_mm"].astype("Int64")
    return Route(origin_id=origin_id, destination_id=destination_id, legs=frame,
                 exposure=total, estimate=est, scenario=scenario, optimize=optimize,
                 origin_snap_km=origin_snap_km, destination_snap_km=destination_snap_km)
