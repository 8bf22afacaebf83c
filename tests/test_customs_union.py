"""Borders inside a customs union: their own dwell parameter, and the what-if without the union."""

from __future__ import annotations

from dataclasses import replace

import pytest
from netbuilders import make_link, make_network, make_node

import geo
from geo.membership import customs_union_pairs
from geo.routing.graph import union_pairs
from geo.routing.scenarios import load_scenario

KAZ_RUS = frozenset({"KAZ", "RUS"})


def border_world():
    """CHN -> KAZ -> RUS -> BLR -> POL on 1,520 mm (except the Chinese end), 300 km each."""
    a = make_node("a", 80.0, 45.0, country="CHN")
    b = make_node("b", 76.0, 45.0, country="KAZ")
    c = make_node("c", 72.0, 52.0, country="RUS")
    d = make_node("d", 30.0, 54.0, country="BLR")
    e = make_node("e", 23.5, 52.1, country="POL")
    links = [make_link("ab", a, b, gauge_mm=1520, length_km=300.0),
             make_link("bc", b, c, length_km=300.0), make_link("cd", c, d, length_km=300.0),
             make_link("de", d, e, length_km=300.0)]
    return make_network([a, b, c, d, e], links)


@pytest.mark.parametrize(("year", "inside"), [(2009, False), (2010, True), (2024, True)])
def test_kazakhstan_russia_is_a_union_border_from_2010(year: int, inside: bool) -> None:
    assert (KAZ_RUS in customs_union_pairs(year)) is inside


def test_union_pairs_follow_the_members_of_the_layer() -> None:
    members_2016 = set(geo.members("eaeu_customs_union", year=2016)["iso3"])
    pairs = customs_union_pairs(2016)
    assert {c for p in pairs for c in p} == members_2016
    assert len(pairs) == len(members_2016) * (len(members_2016) - 1) // 2
    assert frozenset({"KAZ", "CHN"}) not in pairs and frozenset({"BLR", "POL"}) not in pairs


def test_the_what_if_has_no_union_borders() -> None:
    sc = load_scenario("official")
    assert union_pairs(replace(sc, customs_union=False)) == frozenset()
    assert KAZ_RUS in union_pairs(sc)
    assert sc.describe()["customs_union"] is True


def test_edge_exposure_counts_union_borders_separately() -> None:
    net = border_world()
    g = net.graph
    edge = g.edges["b", "c", "bc"]
    assert net.edge_exposure(edge)[1] == {"border_rail": 1.0}
    assert net.edge_exposure(edge, union_pairs=frozenset({KAZ_RUS}))[1] == {"border_rail_union": 1.0}
    outer = g.edges["d", "e", "de"]
    assert net.edge_exposure(outer, union_pairs=frozenset({KAZ_RUS}))[1] == {"border_rail": 1.0}


@pytest.mark.parametrize("scenario", ["official", "observed", "disrupted"])
def test_every_scenario_gives_a_sourced_union_range(scenario: str) -> None:
    sc = load_scenario(scenario)
    p = sc.params["dwell_h.border_rail_union"]
    assert 0 <= p.low <= p.likely <= p.high <= sc.params["dwell_h.border_rail"].low
    assert p.sources and p.note


def test_route_through_the_union_costs_the_union_dwell() -> None:
    overrides = {"dwell_h.border_rail": 30.0, "dwell_h.border_rail_union": 2.0}
    net = border_world()
    r = geo.route("a", "e", network=net, overrides=overrides, n_draws=50)
    notes = "; ".join(r.legs["dwell_note"])
    assert "border KAZ-RUS (customs union)" in notes and "border RUS-BLR (customs union)" in notes
    # CHN-KAZ and BLR-POL are full borders, KAZ-RUS and RUS-BLR union borders
    assert r.dwell_h == pytest.approx(2 * 30.0 + 2 * 2.0)


def test_compare_what_if_without_the_union_adds_two_full_borders() -> None:
    kw = {"origin": "xian", "destination": "duisburg", "alternatives": ("northern",),
          "n_draws": 100, "seed": 0}
    sc = load_scenario("official")
    gap_h = sc.value("dwell_h.border_rail") - sc.value("dwell_h.border_rail_union")
    with_union = geo.compare(**kw).routes.set_index("alternative").loc["northern"]
    without = geo.compare(**kw, customs_union=False).routes.set_index("alternative").loc["northern"]
    assert with_union["distance_km"] == pytest.approx(without["distance_km"])
    assert without["all_likely_days"] - with_union["all_likely_days"] == pytest.approx(2 * gap_h / 24)
    before = geo.compare(**kw, year=2009).routes.set_index("alternative").loc["northern"]
    assert before["all_likely_days"] == pytest.approx(without["all_likely_days"])
