"""Side-by-side transit times of the standard China-Europe alternatives, and the claim table.

Alternatives (each a routing problem on the network, see :mod:`geo.routing.graph`):

* ``sea_suez`` - overland to a sea port, the ``direct`` sea leg through Suez, overland on;
* ``sea_cape`` - the same with the ``cape`` sea leg (Suez and Panama closed);
* ``middle_corridor`` - Russia and Belarus avoided, no ocean legs (the Black Sea feeder and
  the Caspian ferry are allowed): the Trans-Caspian route;
* ``northern`` - rail only, no ferry or sea: through Kazakhstan, Russia and Belarus.

**Comparable end points.**  No transfer is invented between a port and an inland place: if
an alternative cannot reach the requested place under its constraints (e.g. no link from
Rotterdam to Duisburg in the layers), it ends at the reachable node nearest to it, and the
table says so in ``end_id`` and ``end_gap_km`` (geodesic, km).

**Headline = Monte Carlo median.**  ``transit_days`` is the median of the seeded draws
(``p50``), printed next to ``p10_days``-``p90_days`` which always bracket it; ``moving_days``
+ ``dwell_days`` are the split of the median draw and add up to it, and so do the legs
(``total_h``).  ``all_likely_days`` (every parameter at its likely value) is an extra
column; the sea alternatives choose their port pair by that all-likely time.

The claim table puts the figures of ``geo/routing/data/claims.toml`` (the paper's 6,500 km, 60
and 14 days; operators' claims; observed figures; each with its source) next to the model's
figures for the matching route definitions, under the official, observed and disrupted
scenarios.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import math
import textwrap
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from geo._errors import RoutingError
from geo._io import atomic_write
from geo._provenance import provenance
from geo.measure import distance_km
from geo.routing.estimate import N_DRAWS
from geo.routing.graph import Network, Place, default_network, transfer_dwell_key, union_pairs
from geo.routing.paths import _paths, _steps, same_node_error
from geo.routing.route import Route, Step, build_route
from geo.routing.scenarios import Scenario, ScenarioLike, load_scenario

__all__ = ["ALTERNATIVES", "Comparison", "claim_table", "compare"]

log = logging.getLogger(__name__)
CLAIMS_FILE = Path(__file__).with_name("data") / "claims.toml"

#: Alternative id -> title.
ALTERNATIVES: dict[str, str] = {
    "sea_suez": "All sea via Suez",
    "sea_cape": "All sea via the Cape",
    "middle_corridor": "Middle Corridor (Trans-Caspian)",
    "northern": "Northern rail (Kazakhstan-Russia-Belarus)",
}
_OCEAN_PASSAGES = ["suez", "south_africa", "malacca", "sunda", "panama"]
_LAND_MODES = ["rail", "road", "ferry"]


@dataclass
class _Result:
    alternative: str
    route: Route | None
    end_id: str | None
    end_gap_km: float
    note: str


def _gap_km(net: Network, a: str, b: str) -> float:
    ga, gb = net.graph.nodes[a], net.graph.nodes[b]
    return distance_km(ga["lon"], ga["lat"], gb["lon"], gb["lat"])


def _nearest_reachable(net: Network, sg: nx.Graph, o: str, d: str) -> str | None:
    starts = [s for s in sg.nodes if s[0] == o]
    if not starts:
        return None
    reach = set()
    for comp in nx.connected_components(sg):
        if any(s in comp for s in starts):
            reach |= {s[0] for s in comp}
    reach.discard(o)
    return min(reach, key=lambda n: _gap_km(net, n, d), default=None)


def _build(net: Network, steps: list[Step], o: str, d: str, sc: Scenario, n_draws: int,
           seed: int) -> Route:
    g = net.graph
    return build_route(steps, origin_id=o, destination_id=d,
                       node_name={n: x.get("name", n) for n, x in g.nodes(data=True)},
                       node_country={n: x.get("country") for n, x in g.nodes(data=True)},
                       edge_exposure=functools.partial(net.edge_exposure,
                                                       union_pairs=union_pairs(sc)),
                       scenario=sc, optimize="time", n_draws=n_draws, seed=seed)


def _land_steps(net: Network, sg: nx.Graph, a: str, b: str) -> list[Step] | None:
    if a == b:
        return []
    paths = _paths(sg, a, b, k=1)
    return _steps(net, sg, paths[0]) if paths else None


def _cls(step: Step) -> str:
    m, gauge = step.data["mode"], step.data["gauge_mm"]
    return f"rail{gauge}" if m == "rail" and gauge else m


def _join(parts: list[list[Step]]) -> list[Step]:
    out: list[Step] = []
    for part in parts:
        if out and part:
            first = part[0]
            part = [Step(first.key, first.data, first.reverse,
                         transfer=transfer_dwell_key(_cls(out[-1]), _cls(first))), *part[1:]]
        out += part
    return out


def _sea(net: Network, o: str, d: str, sc: Scenario, variant: str, n_draws: int,
         seed: int) -> _Result:
    alt = "sea_suez" if variant == "direct" else "sea_cape"
    closed = set(sc.closed_passages)
    sea_edges = [(k, x) for _, _, k, x in net.graph.edges(keys=True, data=True)
                 if x["mode"] == "sea" and x["variant"] == variant
                 and (variant == "cape" or "suez" in x["passages"])]
    open_edges = [(k, x) for k, x in sea_edges if not closed & set(x["passages"])]
    if not open_edges:
        why = f"closed in scenario {sc.name!r}" if sea_edges else "no such sea leg"
        return _Result(alt, None, None, math.nan, why)
    land = net.state_graph(scenario=sc, modes=["rail", "road"], avoid=None)
    # An origin or destination that is itself a sea port is where the sea leg starts or
    # ends: "all sea" from Shanghai to Rotterdam must not land at Piraeus and go on by rail.
    ports = {n for _, x in open_edges for n in (x["from_id"], x["to_id"])}
    best: tuple[float, list[Step], str, float] | None = None
    for key, x in open_edges:
        for a, b in ((x["from_id"], x["to_id"]), (x["to_id"], x["from_id"])):
            if (o in ports and a != o) or (d in ports and b != d):
                continue
            first = _land_steps(net, land, o, a)
            if first is None:
                continue
            last = _land_steps(net, land, b, d)
            end, gap = d, 0.0
            if last is None:
                last, end, gap = [], b, _gap_km(net, b, d)
            steps = _join([first, [Step(key, x, reverse=(a != x["from_id"]))], last])
            total = _build(net, steps, o, end, sc, 1, seed).all_likely_h
            rank = (gap > 0, gap, total)  # reach the place itself first, then nearest, then fast
            if best is None or rank < (best[3] > 0, best[3], best[0]):
                best = (total, steps, end, gap)
    if best is None:
        return _Result(alt, None, None, math.nan, f"no sea port reachable from {o}")
    _, steps, end, gap = best
    note = "" if gap == 0 else f"comparable end point: no land link from the port to {d}"
    return _Result(alt, _build(net, steps, o, end, sc, n_draws, seed), end, gap, note)


def _land(net: Network, o: str, d: str, sc: Scenario, alt: str, n_draws: int,
          seed: int) -> _Result:
    if alt == "middle_corridor":
        sg = net.state_graph(scenario=sc, modes=[*_LAND_MODES, "sea"],
                             avoid=["RUS", "BLR", *_OCEAN_PASSAGES])
    else:
        sg = net.state_graph(scenario=sc, modes=["rail"])
    end, gap, note = d, 0.0, ""
    paths = _paths(sg, o, d, k=1)
    if not paths:
        near = _nearest_reachable(net, sg, o, d)
        if near is None:
            return _Result(alt, None, None, math.nan, "not connected under its constraints")
        end, gap = near, _gap_km(net, near, d)
        note = f"comparable end point: {d} not reachable under this alternative's constraints"
        paths = _paths(sg, o, near, k=1)
    r = _build(net, _steps(net, sg, paths[0]), o, end, sc, n_draws, seed)
    if alt == "middle_corridor" and "ferry" not in r.modes:
        note = (note + "; " if note else "") + "does not cross the Caspian by ferry"
    if alt == "northern" and "RUS" not in r.countries:
        note = (note + "; " if note else "") + "does not pass through Russia"
    return _Result(alt, r, end, gap, note)


def _run(net: Network, o: str, d: str, sc: Scenario, alt: str, n_draws: int,
         seed: int) -> _Result:
    if alt == "sea_suez":
        return _sea(net, o, d, sc, "direct", n_draws, seed)
    if alt == "sea_cape":
        return _sea(net, o, d, sc, "cape", n_draws, seed)
    if alt in ALTERNATIVES:
        return _land(net, o, d, sc, alt, n_draws, seed)
    raise RoutingError(f"unknown alternative {alt!r}; must be one of {list(ALTERNATIVES)}")


@dataclass
class Comparison:
    """Result of :func:`compare`: per-route and per-leg tables, and the claim table.

    ``routes`` columns: alternative, title, origin_id, end_id, end_gap_km, distance_km,
    moving_days, dwell_days, transit_days (the Monte Carlo median = moving + dwell of the
    median draw), p10_days, p90_days, all_likely_days, fast_days, slow_days, modes,
    countries, note.  ``legs``: the legs of every route with an ``alternative`` column
    (their ``total_h`` add up to the route's median).
    """

    origin_id: str
    destination_id: str
    scenario: Scenario
    routes: pd.DataFrame
    legs: pd.DataFrame
    route_objects: dict[str, Route]

    def claims(self, *, scenarios: tuple[str, ...] = ("official", "observed", "disrupted")
               ) -> pd.DataFrame:
        """The claim table (see :func:`claim_table`)."""
        return claim_table(scenarios=scenarios)

    def to_dict(self) -> dict[str, Any]:

        return {"origin_id": self.origin_id, "destination_id": self.destination_id,
                "routes": json.loads(self.routes.to_json(orient="records")),
                "legs": json.loads(self.legs.to_json(orient="records")),
                "provenance": provenance(scenario=self.scenario.describe())}

    def chart(self, path: str | Path) -> Path:
        """Write a stacked bar chart (moving vs waiting days per route) as PNG, atomically.

        Bars are the median draw's moving and waiting days (stacked to the median); error
        bars give the p10-p90 range; a tick marks the all-likely figure.  Deterministic: Agg
        backend, no date or software metadata.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure


        ok = self.routes.dropna(subset=["transit_days"])
        fig = Figure(figsize=(8, 4.5), dpi=100)
        ax = fig.add_subplot()
        labels = [f"{textwrap.fill(str(t), 22)}\n→ {e}"
                  for t, e in zip(ok["title"], ok["end_id"], strict=False)]
        xs = list(range(len(ok)))
        ax.bar(xs, ok["moving_days"], label="moving", color="#4477aa")
        ax.bar(xs, ok["dwell_days"], bottom=ok["moving_days"], label="waiting",
               color="#ee6677")
        yerr = [(ok["transit_days"] - ok["p10_days"]).clip(lower=0),
                (ok["p90_days"] - ok["transit_days"]).clip(lower=0)]
        ax.errorbar(xs, ok["transit_days"], yerr=yerr, fmt="none", ecolor="black",
                    capsize=4, label="p10-p90")
        ax.scatter(xs, ok["all_likely_days"], marker="_", s=200, color="#228833",
                   zorder=3, label="all likely")
        ax.set_xticks(xs, labels, fontsize=7)
        ax.set_ylabel("days (median of the draws)")
        ax.set_title(f"{self.origin_id} → {self.destination_id}, scenario "
                     f"{self.scenario.name!r}", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        out = atomic_write(path, buf.getvalue())
        log.info("wrote chart of %d routes to %s", len(ok), out)
        return out


def compare(
    origin: str | tuple[float, float] = "xian",
    destination: str | tuple[float, float] = "duisburg",
    *,
    scenario: ScenarioLike = "official",
    overrides: Mapping[str, Any] | None = None,
    alternatives: tuple[str, ...] = tuple(ALTERNATIVES),
    n_draws: int = N_DRAWS,
    seed: int = 0,
    network: Network | None = None,
    customs_union: bool = True,
    year: int | None = None,
) -> Comparison:
    """Run the standard alternatives between two places side by side.

    Parameters
    ----------
    origin, destination : str or (lon, lat)
        As for :func:`geo.route`; default Xi'an -> Duisburg.
    scenario, overrides : see :func:`geo.load_scenario`.
    alternatives : tuple of str
        Subset of :data:`ALTERNATIVES`.
    n_draws, seed : int
        Monte Carlo settings (the same seed for every route, so ranges are comparable).
    customs_union : bool
        True (default): rail borders between members of a customs union that ``year``
        (Kazakhstan-Russia, Russia-Belarus) cost ``dwell_h.border_rail_union``; False: the
        what-if without the union, where they cost a full ``dwell_h.border_rail``.
    year : int, optional
        Year whose memberships decide the union borders (default: today).

    Returns
    -------
    Comparison
    """
    net = network if network is not None else default_network()
    sc = replace(load_scenario(scenario, overrides=overrides), customs_union=customs_union,
                 year=year)
    po: Place = net.resolve(origin)
    pd_: Place = net.resolve(destination)
    same_node_error(net, po, pd_)
    rows, leg_frames, objs = [], [], {}
    for alt in alternatives:
        res = _run(net, po.node_id, pd_.node_id, sc, alt, n_draws, seed)
        row: dict[str, Any] = {"alternative": alt, "title": ALTERNATIVES[alt],
                               "origin_id": po.node_id, "end_id": res.end_id,
                               "end_gap_km": res.end_gap_km, "note": res.note}
        if res.route is not None:
            r = res.route
            days = r.estimate.days()
            row.update(distance_km=r.distance_km, moving_days=days["moving_days"],
                       dwell_days=days["dwell_days"], transit_days=days["transit_days"],
                       p10_days=days["p10_days"], p90_days=days["p90_days"],
                       all_likely_days=days["all_likely_days"],
                       fast_days=days["fast_days"], slow_days=days["slow_days"],
                       modes=",".join(r.modes), countries=",".join(r.countries))
            legs = pd.DataFrame(r.legs.drop(columns="geometry"))
            legs.insert(0, "alternative", alt)
            leg_frames.append(legs)
            objs[alt] = r
        rows.append(row)
    cols = ["alternative", "title", "origin_id", "end_id", "end_gap_km", "distance_km",
            "moving_days", "dwell_days", "transit_days", "p10_days", "p90_days",
            "all_likely_days", "fast_days", "slow_days", "modes", "countries", "note"]
    routes = pd.DataFrame(rows).reindex(columns=cols)
    legs = pd.concat(leg_frames, ignore_index=True) if leg_frames else pd.DataFrame()
    return Comparison(po.node_id, pd_.node_id, sc, routes, legs, objs)


def _load_claims(path: Path = CLAIMS_FILE) -> list[dict[str, Any]]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RoutingError(f"{path}: not valid TOML: {exc}") from None
    return list(doc.get("claim", []))


def claim_table(
    *,
    scenarios: tuple[str, ...] = ("official", "observed", "disrupted"),
    n_draws: int = N_DRAWS,
    seed: int = 0,
    network: Network | None = None,
) -> pd.DataFrame:
    """The paper's, operators' and observed figures next to the model's, with sources.

    One row per claim and route definition.  Columns: claim_id, kind, claim, claimed
    (text), metric, model_route, model_distance_km, and per scenario ``<name>_days`` (the
    Monte Carlo median), ``<name>_range`` ("p10-p90") and ``<name>_all_likely_days``.
    Route definitions whose nodes are missing from the layers get an empty model figure and
    a note.
    """
    net = network if network is not None else default_network()
    scs = {s: load_scenario(s) for s in scenarios}
    cache: dict[tuple[str, str, str, str], _Result] = {}
    rows = []
    for c in _load_claims():
        claimed = (f"{c['value']:,} {c['metric']}" if "value" in c
                   else f"{c['low']}-{c['high']} {c['metric']}")
        base = {"claim_id": c["id"], "kind": c["kind"], "claim": c["claim"],
                "claimed": claimed, "metric": c["metric"],
                "source_title": c["source"]["title"], "source_url": c["source"]["url"]}
        for rd in c.get("routes", []) or [{}]:
            row = dict(base, model_route="", model_distance_km=math.nan, note="")
            if rd:
                o, d, alt = rd["origin"], rd["destination"], rd["alternative"]
                row["model_route"] = f"{o} → {d} ({alt})"
                if o not in net.graph or d not in net.graph:
                    row["note"] = "node not in the layers"
                    rows.append(row)
                    continue
                for name, sc in scs.items():
                    key = (o, d, alt, name)
                    if key not in cache:
                        cache[key] = _run(net, o, d, sc, alt, n_draws, seed)
                    res = cache[key]
                    if res.route is None:
                        row[f"{name}_days"], row[f"{name}_range"] = math.nan, res.note
                        row[f"{name}_all_likely_days"] = math.nan
                        continue
                    days = res.route.estimate.days()
                    row[f"{name}_days"] = round(days["transit_days"], 1)
                    row[f"{name}_range"] = f"{days['p10_days']:.1f}-{days['p90_days']:.1f}"
                    row[f"{name}_all_likely_days"] = round(days["all_likely_days"], 1)
                    if math.isnan(row["model_distance_km"]):
                        row["model_distance_km"] = round(res.route.distance_km)
                    if res.note and not row["note"]:
                        row["note"] = f"{res.note} (ends at {res.end_id})"
            rows.append(row)
    return pd.DataFrame(rows)
