"""The multimodal network and place look-up.

The network is one undirected :class:`networkx.MultiGraph` whose nodes are the node ids of
``nodes.geojson`` and whose edges are the links of ``links.geojson`` (keyed by link id; all
statuses are kept, routing filters them) plus **sea legs** between sea ports, computed on
searoute's sea-lane network in two variants where they differ: ``direct`` (shortest open
lane, for Asia-Europe via Suez) and ``cape`` (Suez and Panama closed).  The Caspian ferry is a
link of mode ``ferry`` in the layers, not a sea leg.  No port-to-inland transfer is invented:
only links in the layers join ports to the land network.

Routing (:mod:`geo.routing.paths`) runs on a simple graph of **states** ``(node, class)``
where the class is the mode (and gauge for rail) of the edge used to reach the node, so
that waiting happens where it really does: a break of gauge only where a 1,435 mm and a
1,520 mm link meet, port handling only where cargo goes between land and sea.  Weights come
from the scenario's likely values (``optimize="time"``) or are kilometres
(``optimize="distance"``).

Coordinates are (lon, lat) in degrees; distances in km; times in hours unless named ``_days``.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import networkx as nx
from shapely.geometry import LineString

from geo._errors import RoutingError
from geo._format import is_missing
from geo.layers import countries, layer_path, links, nodes
from geo.measure import distance_km
from geo.membership import arrangements_path, customs_union_pairs
from geo.routing.scenarios import Scenario, point_values
from geo.routing.sealanes import PASSAGES, VARIANTS, normalise_passage, sea_leg
from geo.schema import Mode, Status

__all__ = [
    "DEFAULT_SEA_PAIRS",
    "Network",
    "Optimize",
    "Place",
    "default_network",
    "normalise_name",
]

log = logging.getLogger(__name__)

#: What routes minimise: the all-likely transit time (hours) or the distance (km).
Optimize: TypeAlias = Literal["time", "distance"]

#: Port groups joined by sea legs: every port of the first group to every port of the second.
#: Node ids only (the coordinates come from the nodes layer); a missing id is skipped.
DEFAULT_SEA_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("shanghai_port", "lianyungang"),
     ("rotterdam_port", "hamburg_port", "piraeus_port", "constanta_port")),
    (("poti_port", "batumi_port"), ("constanta_port",)),
)

SEA_LEG_SOURCE = {
    "title": "searoute 1.6 sea-lane network (Eurostat SeaRoute marnet, from the ORNL/CTA "
             "Global Shipping Lane Network)",
    "url": "https://pypi.org/project/searoute/",
}

_COUNTRY_MIN_KM = 1.0  # a link "crosses" a country only with more than this many km in it


def normalise_name(text: str) -> str:
    """Case- and accent-insensitive key of a place name: ``"Xi'an"`` -> ``"xian"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", stripped.casefold())


@dataclass(frozen=True)
class Place:
    """A resolved place: the node id, how it was found and, for (lon, lat), the snap distance."""

    node_id: str
    query: str
    snap_km: float = 0.0


def _edge_class(mode: str, gauge_mm: Any) -> str:
    if mode == Mode.RAIL.value and not is_missing(gauge_mm):
        return f"rail{int(gauge_mm)}"
    return mode


def _base_mode(cls: str) -> str:
    return "rail" if cls.startswith("rail") else cls


def transfer_dwell_key(cls_a: str, cls_b: str) -> str | None:
    """The dwell key for changing from edge class ``cls_a`` to ``cls_b`` at a node.

    Returns ``None`` for a free transfer (e.g. rail of unknown gauge, or boarding a ferry,
    whose waiting is counted on the ferry leg).
    """
    if cls_a == cls_b:
        return None
    a, b = sorted((_base_mode(cls_a), _base_mode(cls_b)))
    if a == b == "rail":
        return "gauge_change" if cls_a != "rail" and cls_b != "rail" else None
    if (a, b) == ("rail", "road"):
        return "transshipment"
    if "sea" in (a, b):
        return "sea_port"
    return None  # ferry <-> rail/road: counted as dwell_h.ferry_port on the ferry leg


@dataclass
class Network:
    """The physical network (see the module docstring) and the look-ups on it."""

    graph: nx.MultiGraph
    _name_index: dict[str, set[str]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(
        cls,
        nodes: gpd.GeoDataFrame,
        links: gpd.GeoDataFrame,
        *,
        sea_pairs: Sequence[tuple[Sequence[str], Sequence[str]]] = DEFAULT_SEA_PAIRS,
    ) -> Network:
        """Build the network from a nodes and a links frame (as ``geo.nodes()``/``geo.links()``).

        Parameters
        ----------
        nodes : GeoDataFrame
            Points with ``id``, ``name``, ``kind``, ``country`` and optional ``aliases``,
            ``name_local``, ``facilities``.
        links : GeoDataFrame
            LineStrings with ``id``, ``from_id``, ``to_id``, ``mode``, ``gauge_mm``, ``status``,
            ``length_used_km`` and optional ``countries``, ``length_by_country_km``.
        sea_pairs : sequence of (ports, ports)
            Port groups to join by sea legs; each port of the first group to each of the
            second, in the ``direct`` variant and, when that passes Suez, the ``cape`` one.
        """
        g = nx.MultiGraph()
        for row in nodes.itertuples(index=False):
            rec = row._asdict()
            pt = rec["geometry"]
            g.add_node(rec["id"], name=rec.get("name") or rec["id"],
                       name_local=rec.get("name_local"), aliases=rec.get("aliases"),
                       kind=rec.get("kind"), country=rec.get("country"),
                       facilities=list(rec.get("facilities") or []),
                       lon=float(pt.x), lat=float(pt.y))
        for row in links.itertuples(index=False):
            rec = row._asdict()
            u, v = rec["from_id"], rec["to_id"]
            if u not in g or v not in g:
                log.warning("link %s skipped: unknown node %s", rec["id"],
                            u if u not in g else v)
                continue
            countries = list(rec.get("countries") or [])
            by_country = rec.get("length_by_country_km") or {}
            if isinstance(by_country, dict) and by_country:
                crossed = [c for c in countries if by_country.get(c, 0.0) > _COUNTRY_MIN_KM]
                countries = crossed or countries
            if not countries:
                countries = list(dict.fromkeys([g.nodes[u]["country"], g.nodes[v]["country"]]))
            gauge = rec.get("gauge_mm")
            g.add_edge(u, v, key=rec["id"], id=rec["id"], from_id=u, to_id=v,
                       name=rec.get("name"), mode=rec["mode"],
                       gauge_mm=None if is_missing(gauge) else int(gauge),
                       status=rec.get("status", Status.OPERATIONAL.value),
                       distance_km=float(rec["length_used_km"]), countries=tuple(countries),
                       passages=(), geometry=rec["geometry"], variant=None)
        net = cls(graph=g)
        net._add_sea_legs(sea_pairs)
        net._build_name_index()
        log.info("network: %d nodes, %d edges (%d sea legs)", g.number_of_nodes(),
                 g.number_of_edges(),
                 sum(1 for *_, d in g.edges(data=True) if d["mode"] == Mode.SEA.value))
        return net

    def _add_sea_legs(self, sea_pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> None:
        g = self.graph
        for group_a, group_b in sea_pairs:
            for a, b in itertools.product(group_a, group_b):
                if a == b or a not in g or b not in g:
                    if a != b:
                        log.info("sea leg %s-%s skipped: node not in the layers", a, b)
                    continue
                pa = (g.nodes[a]["lon"], g.nodes[a]["lat"])
                pb = (g.nodes[b]["lon"], g.nodes[b]["lat"])
                seen: set[tuple[str, ...]] = set()
                for variant, closed in VARIANTS.items():
                    try:
                        leg = sea_leg(pa, pb, avoid=closed)
                    except RoutingError as exc:
                        log.warning("sea leg %s-%s (%s) skipped: %s", a, b, variant, exc)
                        continue
                    if leg.passages in seen:  # the Cape variant of a Black Sea hop = direct
                        continue
                    seen.add(leg.passages)
                    key = f"sea_{a}_{b}_{variant}"
                    g.add_edge(a, b, key=key, id=key, from_id=a, to_id=b,
                               name=f"sea lane ({variant})", mode=Mode.SEA.value, gauge_mm=None,
                               status=Status.OPERATIONAL.value, distance_km=leg.distance_km,
                               countries=(), passages=leg.passages,
                               geometry=LineString(leg.coords), variant=variant,
                               sources=[SEA_LEG_SOURCE])

    def _build_name_index(self) -> None:
        idx: dict[str, set[str]] = {}
        for nid, data in self.graph.nodes(data=True):
            names = [nid, data.get("name") or ""]
            local = data.get("name_local")
            if isinstance(local, str):
                names += [local, *re.split(r"[/,;]", local)]
            aliases = data.get("aliases")
            if isinstance(aliases, (list, tuple)):
                names += [a for a in aliases if isinstance(a, str)]
            for n in names:
                key = normalise_name(n)
                if key:
                    idx.setdefault(key, set()).add(nid)
        self._name_index = idx

    # ------------------------------------------------------------------ places
    def label(self, node_id: str) -> str:
        """``"Name (id)"`` of a node."""
        return f"{self.graph.nodes[node_id].get('name', node_id)} ({node_id})"

    def resolve(self, place: str | tuple[float, float] | Sequence[float]) -> Place:
        """Find a node by id, by name (case/accent-insensitive) or by (lon, lat).

        Raises
        ------
        RoutingError
            For an unknown name (with the closest suggestions), an ambiguous name, or a
            coordinate that is not a (lon, lat) pair.
        """
        if isinstance(place, str):
            return self._resolve_name(place)
        if isinstance(place, (tuple, list)) and len(place) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in place):
            return self._snap(float(place[0]), float(place[1]))
        raise RoutingError(f"place {place!r} must be a node id, a name or a (lon, lat) pair")

    def _resolve_name(self, text: str) -> Place:
        if text in self.graph:
            return Place(text, text)
        key = normalise_name(text)
        ids = sorted(self._name_index.get(key, ()))
        if len(ids) == 1:
            return Place(ids[0], text)
        if len(ids) > 1:
            raise RoutingError(f"place {text!r} is ambiguous: "
                               f"{', '.join(self.label(i) for i in ids)}; give the node id")
        city = self._gazetteer_city(key)
        if city is not None:
            found = self.nearest_node(city.lon, city.lat, country=city.country)
            where = "" if found is None else (
                f"; the nearest node is {self.label(found[0])}, {found[1]:.0f} km away")
            raise RoutingError(f"{text!r} ({city.country}, {city.source_url}) is not in the "
                               f"network{where}; give that node or a (lon, lat) pair")
        raise RoutingError(self._unknown_message(text, key))

    def _gazetteer_city(self, key: str) -> Any:
        from geo.routing.places import gazetteer  # places imports this module

        hits = [c for c in gazetteer() if normalise_name(c.name) == key]
        return max(hits, key=lambda c: c.population) if hits else None

    def _unknown_message(self, text: str, key: str) -> str:
        """Suggestions ranked by name similarity, then by the country of the best match."""
        scored: dict[str, float] = {}
        for k, ids in self._name_index.items():
            ratio = difflib.SequenceMatcher(None, key, k).ratio()
            if ratio >= 0.6:
                for i in ids:
                    scored[i] = max(scored.get(i, 0.0), ratio)
        if not scored:
            return (f"unknown place {text!r}; give a node id, a node name or a (lon, lat) "
                    "pair (geo places lists them)")
        top = max(scored, key=lambda i: (scored[i], i))
        top_country = self.graph.nodes[top].get("country")
        order = sorted(scored, key=lambda i: (-round(scored[i], 2),
                                              self.graph.nodes[i].get("country") != top_country,
                                              i))
        hint = ", ".join(self.label(i) for i in order[:5])
        return f"unknown place {text!r}; did you mean: {hint}?"

    def _snap(self, lon: float, lat: float) -> Place:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
            hint = " (it looks like (lat, lon); give (lon, lat))" if abs(lon) <= 90 else ""
            raise RoutingError(f"({lon}, {lat}) is not a valid (lon, lat) pair{hint}")
        found = self.nearest_node(lon, lat)
        if found is None:
            raise RoutingError("the network has no connected node to snap to")
        nid, d_km = found
        log.info("(%.4f, %.4f) snapped to %s, %.1f km away", lon, lat, nid, d_km)
        return Place(nid, f"({lon}, {lat})", snap_km=d_km)

    def nearest_node(self, lon: float, lat: float, *,
                     country: str | None = None) -> tuple[str, float] | None:
        """(node id, geodesic km) of the nearest connected node to (lon, lat).

        With ``country`` (ISO3), the nearest node in that country when it has one, else the
        nearest anywhere.  None when no node is connected.
        """
        best: tuple[float, str] | None = None
        best_any: tuple[float, str] | None = None
        for nid, data in self.graph.nodes(data=True):
            if self.graph.degree(nid) == 0:
                continue
            d_km = distance_km(lon, lat, data["lon"], data["lat"])
            if best_any is None or d_km < best_any[0]:
                best_any = (d_km, nid)
            if country is not None and data.get("country") == country and \
                    (best is None or d_km < best[0]):
                best = (d_km, nid)
        pick = best or best_any
        return None if pick is None else (pick[1], pick[0])

    # ------------------------------------------------------------------ filtering
    def parse_avoid(self, avoid: Iterable[str] | None) -> dict[str, set[str]]:
        """Split ``avoid`` into countries, nodes, passages and modes; unknown items raise."""
        out: dict[str, set[str]] = {"countries": set(), "nodes": set(), "passages": set(),
                                    "modes": set()}
        if avoid is None:
            return out
        if isinstance(avoid, str):
            avoid = [avoid]
        by_code, by_name = _country_lookup()
        for item in avoid:
            text = str(item).strip()
            passage = normalise_passage(text)
            if text in self.graph:
                out["nodes"].add(text)
            elif text.lower() in Mode.choices():
                out["modes"].add(text.lower())
            elif passage is not None:
                out["passages"].add(passage)
            elif text.upper() in by_code:
                out["countries"].add(text.upper())
            elif " ".join(text.lower().split()) in by_name:
                out["countries"].add(by_name[" ".join(text.lower().split())])
            else:
                choices = [*by_code, *(by_code.values()), *Mode.choices(), *PASSAGES]
                close = difflib.get_close_matches(text.upper() if len(text) == 3 else text,
                                                  choices, n=4, cutoff=0.6)
                close += [by_name[c] for c in difflib.get_close_matches(
                    text.lower(), list(by_name), n=3, cutoff=0.6) if by_name[c] not in close]
                labels = list(dict.fromkeys(_label(c, by_code, by_name) for c in close))
                hint = f"; did you mean {', '.join(labels)}?" if labels else ""
                raise RoutingError(
                    f"cannot avoid {text!r}: not a country (ISO3 code such as RUS, or a Natural "
                    f"Earth name such as Russia), node id, mode ({', '.join(Mode.choices())}) "
                    f"or sea passage ({', '.join(PASSAGES)}){hint}")
        return out

    def edge_allowed(self, data: dict[str, Any], *, statuses: set[str], modes: set[str] | None,
                     avoid: dict[str, set[str]]) -> bool:
        """Whether an edge may be used under the filters."""
        if data["status"] not in statuses:
            return False
        if modes is not None and data["mode"] not in modes:
            return False
        if data["mode"] in avoid["modes"]:
            return False
        if avoid["countries"] & set(data["countries"]):
            return False
        if avoid["passages"] & set(data["passages"]):
            return False
        g = self.graph
        for end in (data["from_id"], data["to_id"]):
            if end in avoid["nodes"] or g.nodes[end].get("country") in avoid["countries"]:
                return False
        return True

    # ------------------------------------------------------------------ costs
    def edge_exposure(self, data: dict[str, Any], *,
                      union_pairs: frozenset[frozenset[str]] = frozenset()
                      ) -> tuple[dict[str, float], dict[str, float], float]:
        """(distance_km by mode, dwell counts, port-call km) of traversing one edge.

        A rail edge between two countries counts a ``border_rail`` crossing, or a
        ``border_rail_union`` crossing when the pair is in ``union_pairs`` (see
        :func:`union_pairs`).  Road borders always count ``border_road``.
        """
        mode = data["mode"]
        dist = {mode: data["distance_km"]}
        counts: dict[str, float] = {}
        g = self.graph
        if mode in (Mode.RAIL.value, Mode.ROAD.value):
            a = g.nodes[data["from_id"]].get("country")
            b = g.nodes[data["to_id"]].get("country")
            if a != b:
                inside = mode == Mode.RAIL.value and frozenset((a, b)) in union_pairs
                counts["border_rail_union" if inside else f"border_{mode}"] = 1.0
        elif mode == Mode.FERRY.value:
            counts["ferry_port"] = 1.0
        port_km = 0.0
        if mode == Mode.SEA.value:
            port_km = data["distance_km"]
            canals = [p for p in data["passages"] if p in ("suez", "panama")]
            if canals:
                counts["canal_transit"] = float(len(canals))
        return dist, counts, port_km

    def state_graph(
        self,
        *,
        scenario: Scenario,
        optimize: Optimize = "time",
        modes: Iterable[str] | None = None,
        avoid: Iterable[str] | None = None,
        include_status: Iterable[str] | None = None,
    ) -> nx.Graph:
        """The simple graph of (node, class) states that routing runs on (see module doc)."""
        if optimize not in ("time", "distance"):
            raise RoutingError(f"optimize must be 'time' or 'distance', got {optimize!r}")
        mode_set = None
        if modes is not None:
            mode_set = {str(m).lower() for m in ([modes] if isinstance(modes, str) else modes)}
            bad = sorted(mode_set - set(Mode.choices()))
            if bad:
                raise RoutingError(f"unknown mode(s) {bad}; must be among {Mode.choices()}")
        statuses = set(include_status) if include_status is not None \
            else set(scenario.include_status)
        bad_status = sorted(statuses - set(Status.choices()))
        if bad_status:
            raise RoutingError(f"unknown status(es) {bad_status}; must be among "
                               f"{Status.choices()}")
        av = self.parse_avoid(avoid)
        av["passages"] |= set(scenario.closed_passages)
        values = point_values(scenario)
        pairs = union_pairs(scenario)
        sg = nx.Graph()
        classes: dict[str, set[str]] = {}
        for u, v, key, data in self.graph.edges(keys=True, data=True):
            if not self.edge_allowed(data, statuses=statuses, modes=mode_set, avoid=av):
                continue
            cls = _edge_class(data["mode"], data["gauge_mm"])
            if optimize == "distance":
                w = data["distance_km"]
            else:
                dist, counts, port_km = self.edge_exposure(data, union_pairs=pairs)
                w = sum(km / values[f"speed_kmh.{m}"] for m, km in dist.items())
                w += sum(n * values[f"dwell_h.{k}"] for k, n in counts.items())
                w += port_km / 1000.0 * values["rate.port_calls_per_1000km"] \
                    * values["dwell_h.port_call"]
            a, b = (u, cls), (v, cls)
            if not sg.has_edge(a, b) or sg[a][b]["weight"] > w:
                sg.add_edge(a, b, weight=w, key=key)
            classes.setdefault(u, set()).add(cls)
            classes.setdefault(v, set()).add(cls)
        for node, cls_set in classes.items():
            for ca, cb in itertools.combinations(sorted(cls_set), 2):
                dk = transfer_dwell_key(ca, cb)
                w = 0.0 if (dk is None or optimize == "distance") else values[f"dwell_h.{dk}"]
                sg.add_edge((node, ca), (node, cb), weight=w, key=None, transfer=dk)
        sg.graph["avoid"] = av
        return sg


def union_pairs(scenario: Scenario) -> frozenset[frozenset[str]]:
    """Country pairs whose rail borders lie inside a customs union under ``scenario``.

    Empty when ``scenario.customs_union`` is False (the what-if without the union) or when
    the layers directory has no arrangements table (logged).  Otherwise the pairs of
    :func:`geo.membership.customs_union_pairs` for ``scenario.year``.
    """
    if not scenario.customs_union:
        return frozenset()
    if not arrangements_path().exists():
        log.warning("no %s: every rail border counts as a full border crossing",
                    arrangements_path())
        return frozenset()
    return customs_union_pairs(scenario.year)


def _layer_stamp() -> tuple[str, ...]:

    stamp = []
    for kind in ("nodes", "links"):
        p = layer_path(kind)
        st = p.stat() if p.exists() else None
        stamp.append(f"{p}:{st.st_mtime_ns if st else 0}:{st.st_size if st else 0}")
    return tuple(stamp)


@functools.lru_cache(maxsize=2)
def _default_network(stamp: tuple[str, ...]) -> Network:

    return Network.from_frames(nodes(), links())


def default_network() -> Network:
    """The network built from the bundled layers (cached until the layer files change)."""
    return _default_network(_layer_stamp())


@functools.cache
def _country_lookup() -> tuple[dict[str, str], dict[str, str]]:
    """ISO3 -> Natural Earth name, and lower-case name -> ISO3 (from :func:`geo.countries`)."""
    gdf = countries()
    codes = {str(c).upper(): str(n) for c, n in zip(gdf["iso3"], gdf["name"], strict=True)
             if isinstance(c, str) and len(c) == 3 and c.isalpha()}
    names = {" ".join(n.lower().split()): c for c, n in codes.items()}
    return codes, names


def _label(choice: str, by_code: dict[str, str], by_name: dict[str, str]) -> str:
    """``RUS (Russia)`` for a code or a country name; other choices as they are."""
    if choice in by_code:
        return f"{choice} ({by_code[choice]})"
    code = by_name.get(" ".join(choice.lower().split()))
    return f"{code} ({by_code[code]})" if code else choice
