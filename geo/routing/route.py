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

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from shapely.geometry import LineString

from geo.routing._display import days1, html_table, km1, round_export
from geo.routing.estimate import Exposure, TransitEstimate, estimate, moving_dwell_at, moving_dwell_h
from geo.routing.graph import Optimize
from geo.routing.scenarios import Scenario
from geo.writers import feature_collection

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
    optimize: Optimize
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

    @property
    def path_text(self) -> str:
        """The route in words: consecutive legs of one mode joined, with place names.

        e.g. ``"rail Xi'an - Lianyungang; sea Lianyungang - Hamburg (via Suez); rail
        Hamburg - Duisburg"``; a run of legs of one mode lists the places where it changes
        gauge or crosses a waiting point.
        """
        parts: list[tuple[str, list[str], set[str]]] = []
        for leg in self.legs.itertuples(index=False):
            if parts and parts[-1][0] == leg.mode:
                parts[-1][1].append(_short(leg.to_name))
                parts[-1][2].update(leg.passages)
            else:
                parts.append((leg.mode, [_short(leg.from_name), _short(leg.to_name)],
                              set(leg.passages)))
        out = []
        for mode, places, passages in parts:
            extra = " (via Suez)" if "suez" in passages else \
                " (via the Cape)" if "south_africa" in passages else ""
            out.append(f"{mode} {_DASH.join(places)}{extra}")
        return "; ".join(out)

    @property
    def title(self) -> str:
        """Origin and destination by name: ``"Xi'an to Duisburg"``."""
        if self.legs.empty:
            return self.origin_id
        return f"{_short(self.legs['from_name'].iloc[0])} to {_short(self.legs['to_name'].iloc[-1])}"

    def __repr__(self) -> str:
        days = self.estimate.days()
        return (f"<Route {self.title}: {self.distance_km:,.1f} km, "
                f"{days['transit_days']:.1f} days median (p10-p90 {days['p10_days']:.1f}-"
                f"{days['p90_days']:.1f}), {len(self.legs)} legs, scenario "
                f"{self.scenario.name!r}>")

    def _repr_html_(self) -> str:
        rows = [[leg.leg, leg.mode, f"{_short(leg.from_name)} \u2192 {_short(leg.to_name)}",
                 f"{leg.distance_km:,.1f}", f"{leg.moving_h / 24:.1f}", f"{leg.dwell_h / 24:.1f}",
                 leg.dwell_note] for leg in self.legs.itertuples(index=False)]
        days = self.estimate.days()
        caption = (f"{self.title}, scenario {self.scenario.name!r}: "
                   f"{km1(self.distance_km)}, {days1(days['transit_days'])} days "
                   f"median (p10-p90 {days['p10_days']:.1f}-{days['p90_days']:.1f})")
        return html_table(rows, ["leg", "mode", "from \u2192 to", "km", "moving days",
                                 "waiting days", "waiting for"], caption=caption)

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The legs as a GeoDataFrame rounded for export (km 0.1, hours 0.01, 6-decimal coordinates)."""
        return round_export(self.legs)

    def map(self, **kwargs: Any) -> Any:
        """An interactive map of this route, its legs in the popup (``geo.make_map``).

        Keyword arguments go to :func:`geo.make_map` (default: the route alone, offline).
        Reached through the public ``geo`` package, so the model does not import the maps.
        """
        import geo

        return geo.make_map(routes=geo.route_frame([self]), **_map_defaults(kwargs))

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
        """The legs as an RFC 7946 FeatureCollection, with totals and provenance.

        Written by :func:`geo.writers.feature_collection`, like every other GeoJSON output;
        figures rounded for export (km 0.1, hours 0.01; coordinates 6 decimals).
        """
        return feature_collection(
            round_export(self.legs), properties=self.summary(),
            scenario=self.scenario.describe(),
            model="geo.routing.estimate: moving = distance_km / speed_kmh; waiting from "
                  "scenario dwell_h; transit_days = Monte Carlo median, legs split as the "
                  "median draw")


_DASH = " \u2013 "


def _short(name: Any) -> str:
    """A place name without its parenthesised detail: "Port of Shanghai (Yangshan)" -> ..."""
    return str(name).split(" (")[0]


def _map_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"corridors": False, "nodes": False, "sites": False, "offline": True}
    out.update(kwargs)
    return out


def _oriented(data: dict[str, Any], reverse: bool) -> list[tuple[float, float]]:
    coords = list(data["geometry"].coords)
    return coords[::-1] if reverse else coords


@dataclass
class _Leg:
    """A leg while it is assembled: one step, or consecutive steps merged (see :func:`build_route`)."""

    mode: str
    gauge_mm: int | None
    from_id: str
    to_id: str
    exposure: Exposure
    coords: list[tuple[float, float]]
    notes: list[str]
    countries: list[str]
    passages: list[str]
    link_ids: list[str]
    transfer: str | None = None

    def continues_with(self, nxt: _Leg) -> bool:
        """``nxt`` merges into this leg: same rail/road mode and gauge, no transfer between."""
        return (self.mode == nxt.mode and self.gauge_mm == nxt.gauge_mm and not nxt.transfer
                and self.mode in ("rail", "road"))

    def extend(self, nxt: _Leg) -> None:
        self.to_id = nxt.to_id
        self.exposure = self.exposure + nxt.exposure
        self.coords += nxt.coords[1:]
        self.notes += nxt.notes
        self.countries += [c for c in nxt.countries if c not in self.countries]
        self.link_ids += nxt.link_ids

    def row(self, number: int, *, est: TransitEstimate, scenario: Scenario,
            node_name: dict[str, str]) -> dict[str, Any]:
        """One row of :attr:`Route.legs`, split as the median draw (see the module docstring)."""
        moving, dwell = moving_dwell_at(self.exposure, values=est.median_values)
        return {
            "leg": number, "mode": self.mode, "gauge_mm": self.gauge_mm,
            "from_id": self.from_id, "to_id": self.to_id,
            "from_name": node_name.get(self.from_id, self.from_id),
            "to_name": node_name.get(self.to_id, self.to_id),
            "distance_km": self.exposure.total_km, "moving_h": moving, "dwell_h": dwell,
            "total_h": moving + dwell,
            "all_likely_h": sum(moving_dwell_h(self.exposure, scenario=scenario)),
            "dwell_note": "; ".join(self.notes),
            "countries": self.countries, "passages": self.passages,
            "link_ids": self.link_ids, "geometry": LineString(self.coords),
        }


def legs_distance_km(leg_km: Any) -> float:
    """A route's length from its legs' lengths (exactly rounded, so independent of order)."""
    return math.fsum(leg_km)


def _step_leg(step: Step, *, first: bool, last: bool, edge_exposure: Any,
              node_country: dict[str, str]) -> _Leg:
    """The leg of one step, with the waiting events it incurs and a note for each."""
    data = step.data
    dist, counts, port_km = edge_exposure(data)
    counts = dict(counts)
    notes: list[str] = []
    start = data["to_id"] if step.reverse else data["from_id"]
    end = data["from_id"] if step.reverse else data["to_id"]
    if step.transfer:
        counts[step.transfer] = counts.get(step.transfer, 0.0) + 1.0
        notes.append(f"{step.transfer.replace('_', ' ')} at {start}")
    if "border_rail" in counts or "border_road" in counts:
        notes.append(f"border {node_country.get(start)}-{node_country.get(end)}")
    if "border_rail_union" in counts:
        notes.append(f"border {node_country.get(start)}-{node_country.get(end)} (customs union)")
    if "ferry_port" in counts:
        notes.append("ferry wait")
    if "canal_transit" in counts:
        notes.append("canal " + "+".join(p for p in data["passages"] if p in ("suez", "panama")))
    for at_end, node in ((first, start), (last, end)):
        if data["mode"] == "sea" and at_end:
            counts["sea_port"] = counts.get("sea_port", 0.0) + 1.0
            notes.append(f"port handling at {node}")
    if port_km:
        notes.append("port calls en route")
    return _Leg(mode=data["mode"], gauge_mm=data["gauge_mm"], from_id=start, to_id=end,
                exposure=Exposure(dict(dist), counts, port_km),
                coords=_oriented(data, step.reverse), notes=notes,
                countries=list(data["countries"]), passages=list(data["passages"]),
                link_ids=[step.key], transfer=step.transfer)


def route_legs(steps: list[Step], *, node_country: dict[str, str], edge_exposure: Any
               ) -> tuple[list[_Leg], Exposure]:
    """The legs of a path (consecutive rail or road steps of one gauge with no transfer
    between them merged) and the route's whole exposure.

    :func:`geo.routing.paths.od_matrix` applies the same rules incrementally along each
    shortest-path tree (``_TreeSummaries``); a change here must be made there too (the
    tests compare the two exactly).
    """
    legs: list[_Leg] = []
    total = Exposure()
    for i, step in enumerate(steps):
        leg = _step_leg(step, first=i == 0, last=i == len(steps) - 1,
                        edge_exposure=edge_exposure, node_country=node_country)
        total = total + leg.exposure
        if legs and legs[-1].continues_with(leg):
            legs[-1].extend(leg)
        else:
            legs.append(leg)
    return legs, total


def build_route(
    steps: list[Step],
    *,
    origin_id: str,
    destination_id: str,
    node_name: dict[str, str],
    node_country: dict[str, str],
    edge_exposure: Any,
    scenario: Scenario,
    optimize: Optimize,
    n_draws: int,
    seed: int,
    origin_snap_km: float = 0.0,
    destination_snap_km: float = 0.0,
) -> Route:
    """Assemble legs, the exposure and the estimate of a path given as ``steps``.

    Each step becomes a :class:`_Leg` with its waiting events; consecutive rail or road
    legs of one gauge with no transfer between them merge.  The estimate is made for the
    whole route, then every leg is split with the median draw's parameters.
    """
    legs, total = route_legs(steps, node_country=node_country, edge_exposure=edge_exposure)
    est: TransitEstimate = estimate(total, scenario=scenario, n_draws=n_draws, seed=seed)
    rows = [leg.row(n, est=est, scenario=scenario, node_name=node_name)
            for n, leg in enumerate(legs, start=1)]
    frame = gpd.GeoDataFrame(rows, columns=[*LEG_COLUMNS, "geometry"], geometry="geometry",
                             crs="EPSG:4326")
    frame["gauge_mm"] = frame["gauge_mm"].astype("Int64")
    return Route(origin_id=origin_id, destination_id=destination_id, legs=frame,
                 exposure=total, estimate=est, scenario=scenario, optimize=optimize,
                 origin_snap_km=origin_snap_km, destination_snap_km=destination_snap_km)
