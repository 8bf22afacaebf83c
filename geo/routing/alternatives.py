"""Side-by-side transit times of the standard China-Europe alternatives, and the claim table.

Alternatives (each a routing problem on the network, see :mod:`geo.routing.graph`), named for
what they are:

* ``sea_suez`` - the classic all-water route: overland to a Chinese sea port, the ``direct``
  sea leg through Suez to a North Sea port (Rotterdam or Hamburg), overland on;
* ``sea_rail_piraeus`` - the sea-rail route: the same sea leg to Piraeus, then rail through
  the Balkans;
* ``sea_cape`` - the ``cape`` sea leg (Suez and Panama closed) to a North Sea port;
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
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from geo._errors import RoutingError
from geo._io import atomic_write
from geo._provenance import provenance
from geo.measure import distance_km
from geo.routing._display import days1, html_table, km1, round_export
from geo.routing.estimate import N_DRAWS
from geo.routing.graph import Network, Place, default_network, transfer_dwell_key, union_pairs
from geo.routing.paths import _paths, _steps, same_node_error
from geo.routing.route import Route, Step, build_route
from geo.routing.scenarios import Scenario, ScenarioLike, load_scenario

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn
    from matplotlib.figure import Figure

__all__ = ["ALTERNATIVES", "KM_TOLERANCE", "Comparison", "claim_table", "compare", "paper",
           "scenario_chart", "verdict"]

log = logging.getLogger(__name__)
CLAIMS_FILE = Path(__file__).with_name("data") / "claims.toml"

#: Alternative id -> title.
ALTERNATIVES: dict[str, str] = {
    "sea_suez": "Sea via Suez to a North Sea port",
    "sea_rail_piraeus": "Sea via Suez to Piraeus, rail through the Balkans",
    "sea_cape": "Sea via the Cape to a North Sea port",
    "middle_corridor": "Middle Corridor (Trans-Caspian rail and ferry)",
    "northern": "Northern rail (Kazakhstan, Russia, Belarus)",
}
#: Sea alternative id -> (sea-route variant, European ports where its sea leg may end).
_SEA_ALTERNATIVES: dict[str, tuple[str, frozenset[str]]] = {
    "sea_suez": ("direct", frozenset({"rotterdam_port", "hamburg_port"})),
    "sea_rail_piraeus": ("direct", frozenset({"piraeus_port"})),
    "sea_cape": ("cape", frozenset({"rotterdam_port", "hamburg_port"})),
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


def _sea(net: Network, o: str, d: str, sc: Scenario, alt: str, n_draws: int,
         seed: int) -> _Result:
    variant, european = _SEA_ALTERNATIVES[alt]
    closed = set(sc.closed_passages)
    sea_edges = [(k, x) for _, _, k, x in net.graph.edges(keys=True, data=True)
                 if x["mode"] == "sea" and x["variant"] == variant
                 and (variant == "cape" or "suez" in x["passages"])
                 and {x["from_id"], x["to_id"]} & european]
    open_edges = [(k, x) for k, x in sea_edges if not closed & set(x["passages"])]
    if not open_edges:
        why = f"closed in scenario {sc.name!r}" if sea_edges else \
            f"no {variant} sea leg to {' or '.join(sorted(european))} in the network"
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
    if alt in _SEA_ALTERNATIVES:
        return _sea(net, o, d, sc, alt, n_draws, seed)
    if alt in ALTERNATIVES:
        return _land(net, o, d, sc, alt, n_draws, seed)
    raise RoutingError(f"unknown alternative {alt!r}; must be one of {list(ALTERNATIVES)}")


@dataclass
class Comparison:
    """Result of :func:`compare`: per-route and per-leg tables, and the claim table.

    ``routes`` columns: alternative, title, origin_id, end_id, end_name, end_gap_km,
    distance_km, moving_days, dwell_days, transit_days (the Monte Carlo median = moving +
    waiting of the median draw), p10_days, p90_days, all_likely_days, fast_days, slow_days,
    modes, countries, path (the route in words), note.  ``legs``: the legs of every route
    with an ``alternative`` column (their ``total_h`` add up to the route's median).
    Figures keep full precision; :meth:`to_dict` and the CLI exports round them
    (:data:`geo._format.EXPORT_DECIMALS`).
    """

    origin_id: str
    destination_id: str
    scenario: Scenario
    routes: pd.DataFrame
    legs: pd.DataFrame
    route_objects: dict[str, Route]
    origin_name: str | None = None
    destination_name: str | None = None

    @property
    def title(self) -> str:
        """``"Xi'an to Duisburg"`` (names, not ids)."""
        return f"{self.origin_name or self.origin_id} to {self.destination_name or self.destination_id}"

    def __repr__(self) -> str:
        ok = self.routes.dropna(subset=["transit_days"])
        best = ", ".join(f"{a} {d:.1f} d" for a, d in zip(ok["alternative"], ok["transit_days"],
                                                           strict=True))
        return (f"<Comparison {self.title}, scenario {self.scenario.name!r}: "
                f"{len(self.routes)} alternatives ({best or 'none routed'})>")

    def _repr_html_(self) -> str:
        rows = [[r.title, km1(r.distance_km), days1(r.transit_days),
                 "-" if days1(r.p10_days) == "-" else f"{days1(r.p10_days)}-{days1(r.p90_days)}",
                 days1(r.moving_days), days1(r.dwell_days), r.path or r.note]
                for r in self.routes.itertuples(index=False)]
        return html_table(rows, ["alternative", "distance", "median days", "p10-p90",
                                 "moving", "waiting", "route"],
                          caption=f"{self.title}, scenario {self.scenario.name!r}")

    def map(self, **kwargs: Any) -> Any:
        """An interactive map of the alternatives, legs and waiting in each route's popup.

        Keyword arguments go to :func:`geo.make_map` (default: the routes alone, offline).
        Reached through the public ``geo`` package, so the model does not import the maps.
        """
        import geo

        options: dict[str, Any] = {"corridors": False, "nodes": False, "sites": False,
                                   "offline": True,
                                   "title": f"Sea versus land: {self.title}"}
        options.update(kwargs)
        return geo.make_map(routes=geo.comparison_routes(self), **options)

    def claims(self, *, scenarios: tuple[str, ...] = ("official", "observed", "disrupted")
               ) -> pd.DataFrame:
        """The claim table with a verdict per scenario (see :func:`claim_table`)."""
        return claim_table(scenarios=scenarios)

    def to_dict(self) -> dict[str, Any]:
        """Routes and legs as JSON-ready records, rounded for export, with provenance."""
        return {"origin_id": self.origin_id, "destination_id": self.destination_id,
                "origin_name": self.origin_name, "destination_name": self.destination_name,
                "routes": json.loads(round_export(self.routes).to_json(orient="records")),
                "legs": json.loads(round_export(self.legs).to_json(orient="records")),
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
        labels = [textwrap.fill(str(t), 22) + (f"\n(ends at {e})" if i != self.destination_id
                                                else "")
                  for t, e, i in zip(ok["title"], ok["end_name"], ok["end_id"], strict=False)]
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
        ax.set_title(f"{self.title}, scenario {self.scenario.name!r}", fontsize=9)
        ax.legend(fontsize=8)
        out = _write_png(fig, path)
        log.info("wrote chart of %d routes to %s", len(ok), out)
        return out


def _write_png(fig: Figure, path: str | Path) -> Path:
    """Lay out ``fig`` and write it as a PNG without a timestamp or software tag, atomically."""
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return atomic_write(path, buf.getvalue())


def scenario_chart(comparisons: list[Comparison], path: str | Path, *,
                   reference_days: dict[str, float] | None = None) -> Path:
    """One chart of the alternatives under several scenarios (PNG, written atomically).

    For each alternative, one bar per scenario: moving and waiting days of the median draw
    stacked to the median, the p10-p90 range as an error bar.  Bars are labelled by the
    alternatives' titles; scenarios by shade.  ``reference_days`` (label -> days) draws
    dashed horizontal lines, e.g. the paper's claimed figures.  Deterministic (Agg, no
    metadata).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    if not comparisons:
        raise RoutingError("scenario_chart needs at least one comparison")
    alts = list(dict.fromkeys(a for c in comparisons for a in c.routes["alternative"]))
    titles = {a: t for c in comparisons for a, t in zip(c.routes["alternative"],
                                                        c.routes["title"], strict=True)}
    n = len(comparisons)
    width = 0.8 / n
    fig = Figure(figsize=(9, 4.8), dpi=100)
    ax = fig.add_subplot()
    shades = [("#4477aa", "#ee6677"), ("#77aadd", "#f4a6b0"), ("#225588", "#bb3344")]
    for j, c in enumerate(comparisons):
        rows = c.routes.set_index("alternative")
        xs, moving, waiting, med, lo, hi, missing = [], [], [], [], [], [], []
        for i, a in enumerate(alts):
            x = i - 0.4 + width * (j + 0.5)
            r = rows.loc[a] if a in rows.index else None
            if r is None or r["transit_days"] != r["transit_days"]:
                missing.append(x)
                continue
            xs.append(x)
            moving.append(r["moving_days"])
            waiting.append(r["dwell_days"])
            med.append(r["transit_days"])
            lo.append(max(0.0, r["transit_days"] - r["p10_days"]))
            hi.append(max(0.0, r["p90_days"] - r["transit_days"]))
        dark, light = shades[j % len(shades)]
        ax.bar(xs, moving, width * 0.92, color=dark, label=f"{c.scenario.name}: moving")
        ax.bar(xs, waiting, width * 0.92, bottom=moving, color=light,
               label=f"{c.scenario.name}: waiting")
        ax.errorbar(xs, med, yerr=[lo, hi], fmt="none", ecolor="black", capsize=2, lw=0.8)
        for x in missing:
            ax.text(x, 1, "closed", rotation=90, ha="center", va="bottom", fontsize=7)
    for label, days in (reference_days or {}).items():
        ax.axhline(days, color="#444444", lw=1, ls=(0, (5, 3)), zorder=0)
        ax.text(len(alts) - 0.45, days, label, ha="right", va="bottom", fontsize=7,
                color="#222222")
    ax.set_xticks(range(len(alts)), [textwrap.fill(titles[a], 20) for a in alts], fontsize=7)
    ax.set_ylabel("days (median of the draws; bars p10-p90)")
    ax.set_title(f"{comparisons[0].title}: " + ", ".join(c.scenario.name for c in comparisons),
                 fontsize=9)
    ax.legend(fontsize=7, ncol=n, loc="upper left")
    out = _write_png(fig, path)
    log.info("wrote scenario chart of %d alternatives to %s", len(alts), out)
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
                               "end_name": _node_name(net, res.end_id),
                               "end_gap_km": res.end_gap_km, "note": res.note, "path": ""}
        if res.route is not None:
            r = res.route
            days = r.estimate.days()
            row.update(distance_km=r.distance_km, moving_days=days["moving_days"],
                       dwell_days=days["dwell_days"], transit_days=days["transit_days"],
                       p10_days=days["p10_days"], p90_days=days["p90_days"],
                       all_likely_days=days["all_likely_days"],
                       fast_days=days["fast_days"], slow_days=days["slow_days"],
                       modes=",".join(r.modes), countries=",".join(r.countries),
                       path=r.path_text)
            legs = pd.DataFrame(r.legs.drop(columns="geometry"))
            legs.insert(0, "alternative", alt)
            leg_frames.append(legs)
            objs[alt] = r
        rows.append(row)
    cols = ["alternative", "title", "origin_id", "end_id", "end_name", "end_gap_km",
            "distance_km", "moving_days", "dwell_days", "transit_days", "p10_days", "p90_days",
            "all_likely_days", "fast_days", "slow_days", "modes", "countries", "path", "note"]
    routes = pd.DataFrame(rows).reindex(columns=cols)
    legs = pd.concat(leg_frames, ignore_index=True) if leg_frames else pd.DataFrame()
    return Comparison(po.node_id, pd_.node_id, sc, routes, legs, objs,
                      origin_name=_node_name(net, po.node_id),
                      destination_name=_node_name(net, pd_.node_id))


def _node_name(net: Network, node: str | None) -> str | None:
    if node is None:
        return None
    return _short(str(net.graph.nodes[node].get("name", node))) if node in net.graph else node


def _load_doc(path: Path = CLAIMS_FILE) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RoutingError(f"{path}: not valid TOML: {exc}") from None


def _load_claims(path: Path = CLAIMS_FILE) -> list[dict[str, Any]]:
    return list(_load_doc(path).get("claim", []))


def paper(path: Path = CLAIMS_FILE) -> dict[str, str]:
    """The paper under study: ``{"title": ..., "quote": ...}`` (its sentence with the figures)."""
    doc = _load_doc(path).get("paper") or {}
    return {"title": str(doc.get("title", "")), "quote": str(doc.get("quote", ""))}


#: A distance claim is "within" when it is within this share of the model's route length.
KM_TOLERANCE = 0.10


def verdict(*, low: float, high: float, model_low: float, model_high: float) -> str:
    """Where a claimed figure (or range ``low``-``high``) falls next to the model's range.

    ``"within"`` when the two ranges overlap, ``"above"`` when the whole claim is above the
    model's high end, ``"below"`` when it is below the low end, ``""`` when the model has no
    figure.  For days the model's range is p10-p90; for km it is the route length
    +/- :data:`KM_TOLERANCE`.

    >>> verdict(low=60, high=60, model_low=36.0, model_high=43.6)
    'above'
    >>> verdict(low=10, high=12, model_low=10.1, model_high=14.9)
    'within'
    """
    if any(v != v for v in (model_low, model_high)):
        return ""
    if low > model_high:
        return "above"
    if high < model_low:
        return "below"
    return "within"


def _claimed(c: dict[str, Any]) -> tuple[str, float, float]:
    unit = "km" if c["metric"] == "km" else "days"
    if "value" in c:
        v = float(c["value"])
        return f"{c['value']:,} {unit}", v, v
    return f"{c['low']:,}-{c['high']:,} {unit}", float(c["low"]), float(c["high"])


def claim_table(
    *,
    scenarios: tuple[str, ...] = ("official", "observed", "disrupted"),
    n_draws: int = N_DRAWS,
    seed: int = 0,
    network: Network | None = None,
) -> pd.DataFrame:
    """The paper's, operators' and observed figures next to the model's, with verdicts and sources.

    One row per claim and route definition.  Columns: claim_id, kind, claim, claimed
    (text), claimed_low, claimed_high, metric, source_title, source_url, claim_note,
    origin_id, destination_id, alternative, model_route (place names and the alternative's
    title), model_distance_km, note, and per scenario ``<name>_days`` (the Monte Carlo
    median), ``<name>_p10_days``, ``<name>_p90_days``, ``<name>_range`` ("p10-p90", or why
    there is no figure), ``<name>_all_likely_days`` and ``<name>_verdict`` (:func:`verdict`:
    the claim within, above or below the model's p10-p90 days, or within +/-
    :data:`KM_TOLERANCE` of its length for km claims).  Days are rounded to 0.1, km to 1.
    Route definitions whose nodes are missing from the layers get an empty model figure and
    a note.
    """
    if network is None:  # the bundled network: the same table until its layers change
        net = default_network()
        key = (id(net), tuple(scenarios), n_draws, seed, _claims_stamp())
        if key not in _CLAIM_TABLES:
            _CLAIM_TABLES.clear()
            _CLAIM_TABLES[key] = _claim_table(scenarios=scenarios, n_draws=n_draws, seed=seed,
                                              network=net)
        return _CLAIM_TABLES[key].copy()
    return _claim_table(scenarios=scenarios, n_draws=n_draws, seed=seed, network=network)


#: The last claim table of the bundled network (``geo compare`` and the gallery reuse it).
_CLAIM_TABLES: dict[tuple[Any, ...], pd.DataFrame] = {}


def _claims_stamp() -> tuple[int, int]:
    st = CLAIMS_FILE.stat()
    return st.st_mtime_ns, st.st_size


def _claim_table(*, scenarios: tuple[str, ...], n_draws: int, seed: int,
                 network: Network) -> pd.DataFrame:
    net = network
    scs = {s: load_scenario(s) for s in scenarios}
    cache: dict[tuple[str, str, str, str], _Result] = {}
    names = {n: str(x.get("name", n)) for n, x in net.graph.nodes(data=True)}
    rows = []
    for c in _load_claims():
        claimed, low, high = _claimed(c)
        base = {"claim_id": c["id"], "kind": c["kind"], "claim": c["claim"],
                "claimed": claimed, "claimed_low": low, "claimed_high": high,
                "metric": c["metric"], "source_title": c["source"]["title"],
                "source_url": c["source"]["url"], "claim_note": c.get("note", "")}
        for rd in c.get("routes", []) or [{}]:
            row = dict(base, origin_id="", destination_id="", alternative="", model_route="",
                       model_distance_km=math.nan, note="")
            if rd:
                o, d, alt = rd["origin"], rd["destination"], rd["alternative"]
                row.update(origin_id=o, destination_id=d, alternative=alt,
                           model_route=f"{_short(names.get(o, o))} \u2192 "
                                       f"{_short(names.get(d, d))}, {ALTERNATIVES[alt]}")
                if o not in net.graph or d not in net.graph:
                    row["note"] = "node not in the layers"
                    rows.append(row)
                    continue
                for name, sc in scs.items():
                    key = (o, d, alt, name)
                    if key not in cache:
                        cache[key] = _run(net, o, d, sc, alt, n_draws, seed)
                    _claim_cells(row, name, cache[key], c["metric"], low, high)
            rows.append(row)
    return pd.DataFrame(rows)


def _short(name: str) -> str:
    """A place name without its parenthesised detail: "Port of Shanghai (Yangshan)" -> ..."""
    return name.split(" (")[0]


def _claim_cells(row: dict[str, Any], name: str, res: _Result, metric: str, low: float,
                 high: float) -> None:
    if res.route is None:
        row.update({f"{name}_days": math.nan, f"{name}_p10_days": math.nan,
                    f"{name}_p90_days": math.nan, f"{name}_range": res.note,
                    f"{name}_all_likely_days": math.nan, f"{name}_verdict": ""})
        return
    days = res.route.estimate.days()
    km = round(res.route.distance_km)
    row[f"{name}_days"] = round(days["transit_days"], 1)
    row[f"{name}_p10_days"] = round(days["p10_days"], 1)
    row[f"{name}_p90_days"] = round(days["p90_days"], 1)
    row[f"{name}_range"] = f"{days['p10_days']:.1f}-{days['p90_days']:.1f}"
    row[f"{name}_all_likely_days"] = round(days["all_likely_days"], 1)
    if metric == "km":
        band = (km * (1 - KM_TOLERANCE), km * (1 + KM_TOLERANCE))
    else:
        band = (row[f"{name}_p10_days"], row[f"{name}_p90_days"])
    row[f"{name}_verdict"] = verdict(low=low, high=high, model_low=band[0], model_high=band[1])
    if math.isnan(row["model_distance_km"]):
        row["model_distance_km"] = km
    if res.note and not row["note"]:
        row["note"] = f"{res.note} (ends at {res.end_id})"
