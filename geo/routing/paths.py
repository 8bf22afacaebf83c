"""Routing on the network: the best path between two places, alternatives, OD matrices.

Paths are searched on the state graph of :class:`geo.routing.graph.Network` (nodes are
``(node, class)`` states, so gauge breaks and port handling fall where they happen) and
turned into :class:`geo.routing.route.Route` objects with a transit-time estimate.

Coordinates are (lon, lat) in degrees; distances in km; times in hours unless named ``_days``.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from geo._errors import RoutingError
from geo.routing.estimate import N_DRAWS, Exposure, estimate_many
from geo.routing.graph import Network, Optimize, Place, default_network, union_pairs
from geo.routing.route import Route, Step, build_route, legs_distance_km
from geo.routing.scenarios import Scenario, ScenarioLike, load_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["od_matrix", "route"]

log = logging.getLogger(__name__)
_SRC = ("__origin__",)
_DST = ("__destination__",)


def _states_by_node(sg: nx.Graph) -> dict[str, list[Any]]:
    """The states of every node, in the state graph's (deterministic) node order."""
    out: dict[str, list[Any]] = {}
    for state in sg.nodes:
        out.setdefault(state[0], []).append(state)
    return out


def _tree(sg: nx.Graph, states: dict[str, list[Any]], o: str) -> tuple[dict[Any, float],
                                                                      dict[Any, list[Any]]]:
    """Shortest-path tree from every state of node ``o`` (distances and paths to all states)."""
    sources = states.get(o, [])
    if not sources:
        return {}, {}
    dist, paths = nx.multi_source_dijkstra(sg, sources, weight="weight")
    return dist, paths


def _tree_best(tree: tuple[dict[Any, float], dict[Any, list[Any]]],
               states: dict[str, list[Any]], d: str) -> Any:
    """The state of node ``d`` that ``tree`` reaches first (ties: the first state in node
    order), or None when ``d`` is not reached."""
    dist = tree[0]
    reached = [s for s in states.get(d, []) if s in dist]
    if not reached:
        return None
    return min(reached, key=lambda s: dist[s])  # min keeps the first of equal distances


def _tree_path(tree: tuple[dict[Any, float], dict[Any, list[Any]]],
               states: dict[str, list[Any]], d: str) -> list[Any] | None:
    """The best path of ``tree`` to any state of node ``d``, framed as ``[_SRC, ..., _DST]``
    (ties: the first state in node order), or None when ``d`` is not reached."""
    best = _tree_best(tree, states, d)
    return None if best is None else [_SRC, *tree[1][best], _DST]


class _TreeSummaries:
    """The distance and exposure of the route to every state of one shortest-path tree,
    built incrementally: each state's from its parent's plus one edge.

    It follows :func:`geo.routing.paths._steps` and :func:`geo.routing.route.route_legs`
    rule for rule (transfers counted on the next step, port handling at the first and last
    sea step, rail/road steps of one gauge with no transfer merged into a leg) and adds the
    terms in the same order, so the figures equal theirs to the last bit (the tests compare
    :func:`od_matrix` with :func:`route` exactly).  Dwell counts are whole numbers, so the
    last step's port handling can be added at the end.

    A state's summary is the tuple ``(n_steps, km by mode, dwell counts, port-call km,
    km of the closed legs, open leg (mode, gauge, km by mode) or None, pending transfer,
    last step is sea)``, the last step counted as not last.
    """

    def __init__(self, paths: dict[Any, list[Any]], sg_adj: Any, links_adj: Any,
                 edge_exposure: Any) -> None:
        self._paths, self._sg, self._links = paths, sg_adj, links_adj
        self._edge_exposure = edge_exposure
        self._memo: dict[Any, tuple[Any, ...]] = {}

    def route(self, state: Any) -> tuple[float, Exposure]:
        """(distance_km, whole exposure) of the tree's path to ``state``."""
        _, dist, counts, port_km, closed, leg, _, last_sea = self._summary(state)
        counts = dict(counts)
        if last_sea:
            counts["sea_port"] = counts.get("sea_port", 0.0) + 1.0
        leg_km = [float(sum(leg[2].values()))] if leg is not None else []
        return legs_distance_km([*closed, *leg_km]), Exposure(dict(dist), counts, port_km)

    def _summary(self, state: Any) -> tuple[Any, ...]:
        memo = self._memo
        if state in memo:
            return memo[state]
        path = self._paths[state]
        i = len(path) - 1  # walk up to the nearest known state (or the root) ...
        while i > 0 and path[i - 1] not in memo:
            i -= 1
        if i == 0:
            memo[path[0]] = (0, {}, {}, 0.0, (), None, None, False)
            i = 1
        for a, b in zip(path[i - 1:-1], path[i:], strict=True):  # ... then down again
            memo[b] = self._next(memo[a], a, b)
        return memo[state]

    def _next(self, prev: tuple[Any, ...], a: Any, b: Any) -> tuple[Any, ...]:
        n_steps, dist, counts, port_km, closed, leg, pending, last_sea = prev
        edge = self._sg[a][b]
        if a[0] == b[0]:  # a transfer inside one node: counted on the next step
            return (n_steps, dist, counts, port_km, closed, leg,
                    edge.get("transfer") or pending, last_sea)
        data = self._links[a[0]][b[0]][edge["key"]]
        step_km, step_counts, step_port_km = self._edge_exposure(data)
        mode, gauge = data["mode"], data["gauge_mm"]
        step_counts = dict(step_counts)
        if pending:
            step_counts[pending] = step_counts.get(pending, 0.0) + 1.0
        if mode == "sea" and n_steps == 0:
            step_counts["sea_port"] = step_counts.get("sea_port", 0.0) + 1.0
        dist, counts = _fold(dist, step_km), _fold(counts, step_counts)
        if (leg is not None and leg[0] == mode and leg[1] == gauge and not pending
                and mode in ("rail", "road")):
            leg = (mode, gauge, _fold(leg[2], step_km))
        else:
            if leg is not None:
                closed = (*closed, float(sum(leg[2].values())))
            leg = (mode, gauge, dict(step_km))
        return (n_steps + 1, dist, counts, port_km + step_port_km, closed, leg, None,
                mode == "sea")


def _fold(acc: dict[str, float], add: dict[str, float]) -> dict[str, float]:
    """``acc`` plus ``add`` key by key, as :meth:`Exposure.__add__` adds them."""
    out = dict(acc)
    for k, v in add.items():
        out[k] = out.get(k, 0.0) + v
    return out


def _paths(sg: nx.Graph, o: str, d: str, *, k: int) -> list[list[Any]]:
    """Up to ``k`` best state paths from node ``o`` to node ``d`` that differ physically.

    The best one comes from the shortest-path tree of ``o`` (the same search
    :func:`od_matrix` shares between all destinations, so both give the same route); the
    next ones from Yen's algorithm, skipping paths over the same links as one already kept.
    """
    states = _states_by_node(sg)
    first = _tree_path(_tree(sg, states, o), states, d)
    if first is None:
        return []
    out: list[list[Any]] = [first]
    if k == 1:
        return out
    work = sg.copy()
    for state in states[o]:
        work.add_edge(_SRC, state, weight=0.0, key=None)
    for state in states[d]:
        work.add_edge(state, _DST, weight=0.0, key=None)
    seen: set[tuple[str, ...]] = {_link_keys(work, first)}
    try:
        gen = nx.shortest_simple_paths(work, _SRC, _DST, weight="weight")
        for tries, path in enumerate(gen):
            keys = _link_keys(work, path)
            if keys not in seen:
                seen.add(keys)
                out.append(path)
            if len(out) >= k or tries >= 50 * k:
                break
    except nx.NetworkXNoPath:
        pass
    return out


def _link_keys(work: nx.Graph, path: list[Any]) -> tuple[str, ...]:
    return tuple(work[a][b]["key"] for a, b in itertools.pairwise(path)
                 if work[a][b].get("key"))


def _steps(net: Network, sg: Any, path: list[Any]) -> list[Any]:
    """The edges of a state path as Steps (``sg``: the state graph)."""
    links = net.graph
    steps: list[Step] = []
    pending: str | None = None
    inner = path[1:-1]
    for a, b in itertools.pairwise(inner):
        if a[0] == b[0]:
            pending = sg[a][b].get("transfer") or pending
            continue
        key = sg[a][b]["key"]
        data = links[a[0]][b[0]][key]
        steps.append(Step(key=key, data=data, reverse=data["from_id"] != a[0],
                          transfer=pending))
        pending = None
    return steps


def route(
    origin: str | tuple[float, float],
    destination: str | tuple[float, float],
    *,
    optimize: Optimize = "time",
    scenario: ScenarioLike = "official",
    modes: Iterable[str] | None = None,
    avoid: Iterable[str] | None = None,
    k: int = 1,
    include_status: Iterable[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    n_draws: int = N_DRAWS,
    seed: int = 0,
    network: Network | None = None,
) -> Route:
    """The best route between two places, with legs, moving and waiting times.

    Parameters
    ----------
    origin, destination : str or (lon, lat)
        A node id, a node name (case- and accent-insensitive; aliases too) or a (lon, lat)
        pair in degrees, snapped to the nearest connected node (the snap distance is reported).
    optimize : {"time", "distance"}
        Minimise the all-likely transit time (hours; every parameter at its likely value)
        or the distance (km).  The reported ``transit_days`` is the Monte Carlo median.
    scenario : str, path or Scenario
        ``"official"``, ``"observed"``, ``"disrupted"`` or a TOML file (see :mod:`geo.routing.scenarios`).
    modes : iterable of str, optional
        Modes allowed (``rail``, ``road``, ``ferry``, ``sea``); all by default.
    avoid : iterable of str, optional
        Countries (ISO3), node ids, sea passages (``suez``, ``cape``, ``babalmandab``,
        ``bosporus``, ...) or modes to keep off.
    k : int
        Number of routes; the 2nd..k-th are in ``Route.alternatives``.
    include_status : iterable of str, optional
        Link statuses to use; default the scenario's (``operational``).  Add
        ``under_construction``/``planned`` to route over lines such as the CKU railway.
    overrides : dict, optional
        Scenario values to change, e.g. ``{"speed_kmh.rail": 30}``.
    n_draws, seed : int
        Monte Carlo draws (default :data:`geo.routing.estimate.N_DRAWS`) and seed for the
        transit-time range.
    network : Network, optional
        Default: the network of the bundled layers.

    Returns
    -------
    Route

    Raises
    ------
    RoutingError
        Unknown or ambiguous place, bad option, or no route under the constraints.
    ScenarioError
        Bad scenario file or override.
    """

    if not isinstance(k, int) or k < 1:
        raise RoutingError(f"k must be a positive integer, got {k!r}")
    net = network if network is not None else default_network()
    sc = load_scenario(scenario, overrides=overrides)
    po, pd_ = net.resolve(origin), net.resolve(destination)
    same_node_error(net, po, pd_)
    sg = net.state_graph(scenario=sc, optimize=optimize, modes=modes, avoid=avoid,
                         include_status=include_status)
    routes: list[Route] = []
    for path in _paths(sg, po.node_id, pd_.node_id, k=k):
        routes.append(_build(net, sg, path, po, pd_, sc, optimize, n_draws, seed))
    if not routes:
        raise RoutingError(_no_route_message(net, po.node_id, pd_.node_id, sc, modes, avoid,
                                             include_status))
    best = routes[0]
    best.alternatives = tuple(routes[1:])
    return best


def _build(net: Network, sg: nx.Graph, path: list[Any], po: Place, pd_: Place, sc: Scenario,
           optimize: Optimize, n_draws: int, seed: int) -> Route:

    g = net.graph
    return build_route(
        _steps(net, sg, path), origin_id=po.node_id, destination_id=pd_.node_id,
        node_name={n: d.get("name", n) for n, d in g.nodes(data=True)},
        node_country={n: d.get("country") for n, d in g.nodes(data=True)},
        edge_exposure=functools.partial(net.edge_exposure, union_pairs=union_pairs(sc)),
        scenario=sc, optimize=optimize,
        n_draws=n_draws, seed=seed, origin_snap_km=po.snap_km,
        destination_snap_km=pd_.snap_km)


def same_node_error(net: Network, po: Place, pd_: Place) -> None:
    """Refuse an origin and destination that are (or snap to) the same network node."""
    if po.node_id != pd_.node_id:
        return
    snaps = [f"{what} {p.query} snaps to it ({p.snap_km:,.1f} km away)"
             for what, p in (("origin", po), ("destination", pd_)) if p.snap_km]
    detail = f"; {' and '.join(snaps)}" if snaps else ""
    raise RoutingError(f"origin and destination are the same node: {net.label(po.node_id)}"
                       f"{detail}; give two different places")


def _no_route_message(net: Network, o: str, d: str, sc: Scenario, modes: Any, avoid: Any,
                      include_status: Any) -> str:
    statuses = list(include_status) if include_status is not None else list(sc.include_status)
    parts = [f"no route from {net.label(o)} to {net.label(d)}",
             f"scenario {sc.name!r} (statuses {statuses}, closed passages "
             f"{list(sc.closed_passages)})"]
    if modes is not None:
        parts.append(f"modes {sorted(modes) if not isinstance(modes, str) else [modes]}")
    if avoid:
        parts.append(f"avoiding {sorted(avoid) if not isinstance(avoid, str) else [avoid]}")
    return ", ".join(parts) + ": the places are not connected under these constraints; " \
        "allow more modes or statuses (include_status=[...]) or avoid less"


def od_matrix(
    origins: Sequence[str | tuple[float, float]],
    destinations: Sequence[str | tuple[float, float]],
    *,
    optimize: Optimize = "time",
    scenario: ScenarioLike = "official",
    modes: Iterable[str] | None = None,
    avoid: Iterable[str] | None = None,
    include_status: Iterable[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    n_draws: int = N_DRAWS,
    seed: int = 0,
    network: Network | None = None,
) -> pd.DataFrame:
    """Distance and transit time for every origin x destination pair.

    Pairs that are not connected (or identical) get NaN figures and a ``note`` instead of
    raising, so one bad pair does not lose the matrix.  Unknown names still raise.  The
    keyword arguments mean what they mean in :func:`route`.

    Returns
    -------
    pandas.DataFrame
        Columns ``origin_id``, ``destination_id``, ``distance_km``, ``transit_days`` (the
        Monte Carlo median), ``p10_days``, ``p90_days``, ``all_likely_days``, ``moving_h``,
        ``dwell_h`` (the median draw's split), ``note``.
    """
    net = network if network is not None else default_network()
    sc = load_scenario(scenario, overrides=overrides)
    sg = net.state_graph(scenario=sc, optimize=optimize, modes=modes, avoid=avoid,
                         include_status=include_status)
    resolved: dict[Any, Place] = {}

    def place(p: Any) -> Place:  # each distinct place resolved (snapped) once
        try:
            key: Any = p if isinstance(p, str) else ("lon_lat", *p)
            hash(key)
        except TypeError:  # not a name nor a pair of numbers: resolve() says what is wrong
            key = None
        if key is None or key not in resolved:
            found = net.resolve(p)
            if key is None:
                return found
            resolved[key] = found
        return resolved[key]

    starts, ends = [place(o) for o in origins], [place(d) for d in destinations]
    states = _states_by_node(sg)
    trees: dict[str, Any] = {}
    sg_adj, links_adj = nx.to_dict_of_dicts(sg), nx.to_dict_of_dicts(net.graph)
    exposure_of: dict[str, Any] = {}
    pairs = union_pairs(sc)

    def edge_exposure(data: dict[str, Any]) -> Any:  # each link's exposure computed once
        if data["id"] not in exposure_of:
            exposure_of[data["id"]] = net.edge_exposure(data, union_pairs=pairs)
        return exposure_of[data["id"]]

    cols: dict[str, list[Any]] = {c: [] for c in ("origin_id", "destination_id", "distance_km",
                                                   "note")}
    exposures: list[Exposure] = []
    routed: list[int] = []
    summaries: dict[str, _TreeSummaries] = {}
    for po, pdst in itertools.product(starts, ends):
        cols["origin_id"].append(po.node_id)
        cols["destination_id"].append(pdst.node_id)
        best = None
        if po.node_id != pdst.node_id:
            if po.node_id not in trees:  # one shortest-path tree per origin
                trees[po.node_id] = _tree(sg, states, po.node_id)
                summaries[po.node_id] = _TreeSummaries(trees[po.node_id][1], sg_adj, links_adj,
                                                       edge_exposure)
            best = _tree_best(trees[po.node_id], states, pdst.node_id)
        if best is None:
            cols["distance_km"].append(math.nan)
            cols["note"].append("same place" if po.node_id == pdst.node_id else "not connected")
            continue
        distance_km, total = summaries[po.node_id].route(best)
        cols["distance_km"].append(distance_km)
        cols["note"].append("")
        routed.append(len(cols["note"]) - 1)
        exposures.append(total)
    n = len(cols["note"])
    figures = {c: [math.nan] * n for c in ("transit_days", "p10_days", "p90_days",
                                           "all_likely_days", "moving_h", "dwell_h")}
    for i, est in zip(routed, estimate_many(exposures, scenario=sc, n_draws=n_draws, seed=seed),
                      strict=True):
        days = est.days()
        for c in ("transit_days", "p10_days", "p90_days", "all_likely_days"):
            figures[c][i] = days[c]
        figures["moving_h"][i] = est.moving_h
        figures["dwell_h"][i] = est.dwell_h
    frame = pd.DataFrame({"origin_id": cols["origin_id"],
                          "destination_id": cols["destination_id"],
                          "distance_km": cols["distance_km"], **figures, "note": cols["note"]})
    return frame
