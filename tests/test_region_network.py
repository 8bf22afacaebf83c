"""The regional network of issue 9: one connected piece, and routes with plausible legs.

Documented figures and their sources are stated per check; tolerances follow
tests/test_lengths.py (plain rail +-8 %, mountain road +-12 %, mostly documented +-3 %).
"""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

import geo
from geo.measure import distance_km
from geo.routing.graph import default_network
from geo.routing.paths import route

RAIL_PLAIN = 0.08
ROAD_MOUNTAIN = 0.12
MOSTLY_DOCUMENTED = 0.03
BUILT = ["operational", "under_construction"]


def _node_ids(r) -> set[str]:
    """Every node the route passes, from the link ids of its legs."""
    ends = geo.links().set_index("id")[["from_id", "to_id"]]
    ids = [i for links in r.legs["link_ids"] for i in links]
    return set(ends.loc[ids, "from_id"]) | set(ends.loc[ids, "to_id"])


def _geodesic(a: str, b: str) -> float:
    n = geo.nodes().set_index("id")
    pa, pb = n.loc[a].geometry, n.loc[b].geometry
    return distance_km(pa.x, pa.y, pb.x, pb.y)


def test_operational_and_under_construction_network_is_one_piece() -> None:
    g = default_network().graph
    built = nx.Graph()
    built.add_nodes_from(g.nodes)
    built.add_edges_from((u, v) for u, v, d in g.edges(data=True) if d["status"] in BUILT)
    pieces = list(nx.connected_components(built))
    assert len(pieces) == 1, sorted(map(len, pieces))


@pytest.fixture(scope="module")
def lengths() -> nx.Graph:
    g = nx.Graph()
    for link in geo.links().itertuples():
        g.add_edge(link.from_id, link.to_id, km=link.length_used_km)
    return g


def _km(g: nx.Graph, path: list[str]) -> float:
    return sum(g[a][b]["km"] for a, b in itertools.pairwise(path))


SECTIONS = [
    pytest.param(["turpan", "korla", "kashgar"], 1446, MOSTLY_DOCUMENTED,
                 id="Southern Xinjiang railway Turpan-Kashgar 1,446 km (Nanjiang railway article)"),
    pytest.param(["uzen", "bereket", "inche_burun", "gorgan"], 925, RAIL_PLAIN,
                 id="Kazakhstan-Turkmenistan-Iran railway Uzen-Gorgan 925 km (AzVision 2014)"),
    pytest.param(["tashkent", "samarkand", "bukhara"], 600, MOSTLY_DOCUMENTED,
                 id="Tashkent-Bukhara more than 600 km (Uzbekistan Today)"),
    pytest.param(["torugart", "makmal", "kazarman", "jalal_abad"], 304.94, MOSTLY_DOCUMENTED,
                 id="CKU Kyrgyz section Torugart-Jalal-Abad 304.94 km (Kyrgyz cabinet via 24.kg, Dec 2025)"),
    pytest.param(["khunjerab", "sost", "gilgit", "raikot", "thakot", "havelian", "hasan_abdal"], 806,
                 ROAD_MOUNTAIN, id="KKH in Pakistan Khunjerab-Hasan Abdal 806 km (Wikipedia KKH)"),
    pytest.param(["dera_ismail_khan", "quetta", "surab", "gwadar_port"], 1387, MOSTLY_DOCUMENTED,
                 id="CPEC western route D.I. Khan-Gwadar 210+300+235+449+193 km (Daily Times, The News)"),
]


@pytest.mark.parametrize(("path", "documented_km", "tolerance"), SECTIONS)
def test_regional_sections_against_documented(lengths: nx.Graph, path: list[str],
                                              documented_km: float, tolerance: float) -> None:
    assert _km(lengths, path) == pytest.approx(documented_km, rel=tolerance)


def test_ferry_legs_sail_the_sourced_times_at_the_likely_speed() -> None:
    """Aktau-Baku 22 h, Kuryk-Alat 18 h (sea-news.az, sudohodstvo 2017); within 10 %."""
    for origin, hours in (("aktau_port", 22.0), ("kuryk_port", 18.0)):
        r = route(origin, "baku_alat_port", modes=["ferry"])
        assert r.legs["moving_h"].sum() == pytest.approx(hours, rel=0.10)


def test_shanghai_rotterdam_port_to_port_lands_in_the_cited_range() -> None:
    """PEMP: ~27 days at 16 kn without calls, ~35 days with calls (port to port)."""
    days = route("shanghai_port", "rotterdam_port", modes=["sea"]).estimate.days()
    assert 27 <= days["all_likely_days"] <= 35
    assert days["p10_days"] <= 35


def test_urumqi_tashkent_via_kazakhstan() -> None:
    r = route("Urumqi", "Tashkent", optimize="distance")
    assert r.countries == ["CHN", "KAZ", "UZB"]
    assert {"almaty", "shymkent", "arys"} <= _node_ids(r)
    assert any("gauge change" in n for n in r.legs["dwell_note"])
    assert 1.1 < r.distance_km / _geodesic("urumqi", "tashkent") < 1.6


def test_urumqi_tashkent_via_the_cku_railway() -> None:
    r = route("Urumqi", "Tashkent", optimize="distance", avoid=["KAZ"], include_status=BUILT,
              modes=["rail"])
    assert r.countries == ["CHN", "KGZ", "UZB"]
    assert {"korla", "kashgar", "torugart", "makmal", "angren", "pap"} <= _node_ids(r)
    assert any("gauge change at makmal" in n for n in r.legs["dwell_note"])
    # documented pieces: Turpan-Kashgar 1,446 + CKU 567.9 km; the rest is circuity-based
    assert r.distance_km > 1446 + 567.9


def test_kashgar_gwadar_by_road() -> None:
    r = route("Kashi", "Gwadar", optimize="distance")
    assert r.countries == ["CHN", "PAK"] and r.modes == ["road"]
    # KKH 1,300 km (Kashgar-Hasan Abdal) + M-14 297 + N-50 510 + N-25 235 + N-85/M-8 642 km,
    # + Hasan Abdal-Islamabad about 50 km: 3,034 km documented, mountain-road tolerance
    assert r.distance_km == pytest.approx(3034, rel=ROAD_MOUNTAIN)


def test_almaty_tashkent_by_rail() -> None:
    r = route("Alma-Ata", "Tashkent", optimize="distance")
    assert r.countries == ["KAZ", "UZB"] and r.modes == ["rail"]
    assert {"shu", "lugovaya", "shymkent", "arys", "saryagash"} <= _node_ids(r)
    assert 1.1 < r.distance_km / _geodesic("almaty", "tashkent") < 1.6


def test_xian_tehran_changes_gauge_twice() -> None:
    r = route("Xi'an", "Tehran")
    assert r.countries[0] == "CHN" and r.countries[-1] == "IRN" and "TKM" in r.countries
    changes = [n for n in r.legs["dwell_note"] if "gauge change" in n]
    assert len(changes) >= 2 and any("inche_burun" in n for n in changes)


def test_tashkent_mazar_i_sharif_over_the_friendship_bridge() -> None:
    r = route("Tashkent", "Mazar-e Sharif", optimize="distance")
    assert r.countries == ["UZB", "AFG"]
    assert {"termez", "hairatan"} <= _node_ids(r)
    # the modelled line runs west via Bukhara (Kagan) to Karshi, so about twice the geodesic
    assert 1.1 < r.distance_km / _geodesic("tashkent", "mazar_i_sharif") < 2.3


def test_breaks_of_gauge_fall_on_gauge_change_nodes() -> None:
    """Where 1,435 and 1,520 mm links meet, the node says it changes gauge (Brest/Małaszewicze audit)."""
    links = geo.links()
    rail = links[links["mode"] == "rail"]
    gauges: dict[str, set[int]] = {}
    for r in rail.itertuples():
        for end in (r.from_id, r.to_id):
            gauges.setdefault(end, set()).add(int(r.gauge_mm))
    facilities = geo.nodes().set_index("id")["facilities"]
    breaks = sorted(n for n, g in gauges.items() if {1435, 1520} <= g)
    assert {"dostyk", "altynkol", "makmal", "akhalkalaki", "malaszewicze", "inche_burun"} <= set(breaks)
    assert [n for n in breaks if "gauge_change" not in list(facilities[n] or [])] == []
