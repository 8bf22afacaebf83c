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

from geo._errors import RoutingError
from geo.routing.estimate import N_DRAWS
from geo.routing.graph import Network, Optimize, Place, default_network, union_pairs
from geo.routing.route import Route, Step, build_route
from geo.routing.scenarios import Scenario, ScenarioLike, load_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["od_matrix", "route"]

log = logging.getLogger(__name__)
_SRC = ("__origin__",)
_DST = ("__destination__",)


def _paths(sg: nx.Graph, o: str, d: str, *, k: int) -> list[list[Any]]:
    """Up to ``k`` best state paths from node ``o`` to node ``d`` that differ physically."""
    work = sg.copy()
    for state in [s for s in sg.nodes if s[0] == o]:
        work.add_edge(_SRC, state, weight=0.0, key=None)
    for state in [s for s in sg.nodes if s[0] == d]:
        work.add_edge(state, _DST, weight=0.0, key=None)
    if _SRC not in work or _DST not in work:
        return []
    out: list[list[Any]] = []
    seen: set[tuple[str, ...]] = set()
    try:
        gen = nx.shortest_simple_paths(work, _SRC, _DST, weight="weight")
        for tries, path in enumerate(gen):
            keys = tuple(work[a][b]["key"] for a, b in itertools.pairwise(path)
                         if work[a][b].get("key"))
            if keys not in seen:
                seen.add(keys)
                out.append(path)
            if len(out) >= k or tries >= 50 * k:
                break
    except nx.NetworkXNoPath:
        return []
    return out


def _steps(net: Network, sg: nx.Graph, path: list[Any]) -> list[Any]:

    steps: list[Step] = []
    pending: str | None = None
    inner = path[1:-1]
    for a, b in itertools.pairwise(inner):
        if a[0] == b[0]:
            pending = sg[a][b].get("transfer") or pending
            continue
        key = sg[a][b]["key"]
        data = net.graph.edges[a[0], b[0], key]
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
    import pandas as pd

    net = network if network is not None else default_network()
    sc = load_scenario(scenario, overrides=overrides)
    sg = net.state_graph(scenario=sc, optimize=optimize, modes=modes, avoid=avoid,
                         include_status=include_status)
    rows = []
    for o, d in itertools.product(origins, destinations):
        po, pdst = net.resolve(o), net.resolve(d)
        row: dict[str, Any] = {"origin_id": po.node_id, "destination_id": pdst.node_id,
                               "distance_km": math.nan, "transit_days": math.nan,
                               "p10_days": math.nan, "p90_days": math.nan,
                               "all_likely_days": math.nan, "moving_h": math.nan,
                               "dwell_h": math.nan, "note": ""}
        paths = [] if po.node_id == pdst.node_id else _paths(sg, po.node_id, pdst.node_id, k=1)
        if paths:
            r = _build(net, sg, paths[0], po, pdst, sc, optimize, n_draws, seed)
            days = r.estimate.days()
            row.update(distance_km=r.distance_km, transit_days=days["transit_days"],
                       p10_days=days["p10_days"], p90_days=days["p90_days"],
                       all_likely_days=days["all_likely_days"], moving_h=r.moving_h, dwell_h=r.dwell_h)
        else:
            row["note"] = "same place" if po.node_id == pdst.node_id else "not connected"
        rows.append(row)
    return pd.DataFrame(rows)
