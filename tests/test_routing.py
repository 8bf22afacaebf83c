"""Routing on the multimodal network: small built worlds, then the curated layers."""

from __future__ import annotations

import json

import pytest
from netbuilders import line_world, make_link, make_network, make_node, port

from geo._errors import RoutingError, ScenarioError
from geo.layers import layer_dir
from geo.routing.paths import od_matrix, route

HAVE_LAYERS = (layer_dir() / "nodes.geojson").exists() and (layer_dir() / "links.geojson").exists()
needs_layers = pytest.mark.skipif(not HAVE_LAYERS, reason="curated layers not present yet")


# ----------------------------------------------------------------------------- built worlds


def test_legs_merge_and_waits_fall_where_they_happen() -> None:
    r = route("a", "e", network=line_world())
    legs = r.legs
    assert list(legs["mode"]) == ["rail", "rail", "road"]
    assert list(legs["gauge_mm"]) == [1435, 1520, pd_na()]
    assert legs["link_ids"].iloc[0] == ["ab", "bc"]  # same gauge, no wait: one leg
    assert "gauge change at c" in legs["dwell_note"].iloc[1]
    assert "border CHN-KAZ" in legs["dwell_note"].iloc[1]
    assert "transshipment at d" in legs["dwell_note"].iloc[2]
    assert r.distance_km == pytest.approx(430.0)
    assert r.total_h == pytest.approx(legs["total_h"].sum())
    assert r.moving_h == pytest.approx(legs["moving_h"].sum())
    assert r.countries == ["CHN", "KAZ"]


def pd_na():
    import pandas as pd

    return pd.NA


def test_time_is_distance_over_speed_plus_waits() -> None:
    sc = {"speed_kmh.rail": 50, "speed_kmh.road": 40, "dwell_h.gauge_change": 6,
          "dwell_h.border_rail": 4, "dwell_h.transshipment": 3}
    r = route("a", "e", network=line_world(), overrides=sc)
    assert r.moving_h == pytest.approx(350 / 50 + 80 / 40)
    assert r.dwell_h == pytest.approx(6 + 4 + 3)


def test_names_are_case_and_accent_insensitive_and_aliases_work() -> None:
    net = line_world()
    assert net.resolve("ALPHA").node_id == "a"
    assert net.resolve("Alfa").node_id == "a"
    assert net.resolve("Álpha").node_id == "a"


def test_unknown_name_gets_suggestions() -> None:
    with pytest.raises(RoutingError, match=r"unknown place 'Epsilom'.*Epsilon \(e\)"):
        route("a", "Epsilom", network=line_world())


def test_lon_lat_is_snapped_and_the_distance_reported() -> None:
    r = route((100.05, 40.0), "e", network=line_world())
    assert r.origin_id == "a"
    assert 3 < r.origin_snap_km < 6  # 0.05 deg of longitude at 40 N is about 4.3 km


def test_swapped_lat_lon_is_refused() -> None:
    with pytest.raises(RoutingError, match=r"\(lat, lon\)"):
        route((40.0, 100.0), "e", network=line_world())


def test_disconnected_places_give_a_clear_error() -> None:
    a = make_node("a", 10.0, 10.0)
    b = make_node("b", 11.0, 10.0)
    c = make_node("c", 20.0, 10.0)
    d = make_node("d", 21.0, 10.0)
    net = make_network([a, b, c, d], [make_link("ab", a, b), make_link("cd", c, d)])
    with pytest.raises(RoutingError, match="not connected"):
        route("a", "d", network=net)


def test_planned_links_only_on_request() -> None:
    a = make_node("a", 10.0, 10.0)
    b = make_node("b", 11.0, 10.0)
    c = make_node("c", 12.0, 10.0)
    links = [make_link("ab", a, b, length_km=100.0), make_link("bc", b, c, length_km=100.0),
             make_link("ac", a, c, length_km=120.0, status="under_construction")]
    net = make_network([a, b, c], links)
    assert route("a", "c", network=net).legs["link_ids"].iloc[0] == ["ab", "bc"]
    r = route("a", "c", network=net, include_status=["operational", "under_construction"])
    assert r.legs["link_ids"].iloc[0] == ["ac"]


def test_avoid_country_node_and_mode_and_k_alternatives() -> None:
    a = make_node("a", 10.0, 10.0, country="CHN")
    b = make_node("b", 11.0, 11.0, country="RUS")
    c = make_node("c", 11.0, 9.0, country="KAZ")
    d = make_node("d", 12.0, 10.0, country="DEU")
    links = [make_link("ab", a, b, length_km=100.0), make_link("bd", b, d, length_km=100.0),
             make_link("ac", a, c, length_km=150.0), make_link("cd", c, d, length_km=150.0)]
    net = make_network([a, b, c, d], links)
    assert "RUS" in route("a", "d", network=net).countries
    assert "RUS" not in route("a", "d", network=net, avoid=["RUS"]).countries
    assert "b" not in route("a", "d", network=net, avoid=["b"]).node_ids
    r = route("a", "d", network=net, k=2)
    assert len(r.alternatives) == 1
    assert r.alternatives[0].total_h >= r.total_h
    with pytest.raises(RoutingError, match="not connected"):
        route("a", "d", network=net, avoid=["rail"])
    with pytest.raises(RoutingError, match="cannot avoid 'atlantis'"):
        route("a", "d", network=net, avoid=["atlantis"])


def test_bad_options() -> None:
    net = line_world()
    with pytest.raises(RoutingError, match="optimize"):
        route("a", "e", network=net, optimize="beauty")
    with pytest.raises(RoutingError, match="mode"):
        route("a", "e", network=net, modes=["camel"])
    with pytest.raises(RoutingError, match="same node"):
        route("a", "Alpha", network=net)
    with pytest.raises(ScenarioError):
        route("a", "e", network=net, scenario="nonexistent")


def sea_world():
    sh, ro = port("shanghai_port"), port("rotterdam_port")
    return make_network([sh, ro], [], sea_pairs=((("shanghai_port",), ("rotterdam_port",)),))


def test_red_sea_closure_goes_round_the_cape_and_adds_days() -> None:
    net = sea_world()
    suez = route("shanghai_port", "rotterdam_port", network=net)
    assert "suez" in suez.legs["passages"].iloc[0]
    for kwargs in ({"avoid": ["babalmandab"]}, {"avoid": ["suez"]},
                   {"scenario": "disrupted"}):
        cape = route("shanghai_port", "rotterdam_port", network=net, **kwargs)
        assert "south_africa" in cape.legs["passages"].iloc[0]
        assert cape.distance_km > suez.distance_km + 5000
        if "scenario" not in kwargs:
            # PEMP: at least +7 days round the Cape (porteconomicsmanagement.org)
            assert cape.transit_days - suez.transit_days >= 7


def test_sea_route_has_port_handling_at_both_ends() -> None:
    r = route("shanghai_port", "rotterdam_port", network=sea_world(),
              overrides={"dwell_h.sea_port": 10, "dwell_h.port_call": 0,
                         "dwell_h.canal_transit": 0})
    assert r.dwell_h == pytest.approx(20)


def test_route_geojson_carries_provenance_and_scenario() -> None:
    doc = route("a", "e", network=line_world(), scenario="observed").to_geojson()
    text = json.dumps(doc)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    assert doc["provenance"]["scenario"]["name"] == "observed"
    props = doc["properties"]
    assert props["p10_days"] <= props["transit_days"] <= props["p90_days"]
    assert sum(f["properties"]["total_h"] for f in doc["features"]) == \
        pytest.approx(props["transit_days"] * 24, abs=0.1)
    assert props["all_likely_days"] > 0
    assert json.loads(text) == doc


def test_od_matrix_reports_unconnected_pairs_without_raising() -> None:
    a = make_node("a", 10.0, 10.0)
    b = make_node("b", 11.0, 10.0)
    c = make_node("c", 30.0, 10.0)
    net = make_network([a, b, c], [make_link("ab", a, b, length_km=100.0)])
    m = od_matrix(["a"], ["b", "c", "a"], network=net)
    assert list(m["note"]) == ["", "not connected", "same place"]
    assert m["distance_km"].iloc[0] == pytest.approx(100.0)


# ----------------------------------------------------------------------------- curated layers


@needs_layers
def test_urumqi_almaty_is_shorter_via_khorgos() -> None:
    # TCA: the Khorgos route cut 301 km from the Alashankou one (reference A2)
    via_khorgos = route("urumqi", "almaty", optimize="distance", avoid=["alashankou", "dostyk"])
    via_alashankou = route("urumqi", "almaty", optimize="distance", avoid=["khorgos", "altynkol"])
    best = route("urumqi", "almaty", optimize="distance")
    assert via_khorgos.distance_km < via_alashankou.distance_km
    assert "khorgos" in " ".join(best.legs["from_id"]) + " ".join(best.legs["to_id"]) or \
        best.distance_km == pytest.approx(via_khorgos.distance_km)


@needs_layers
def test_avoiding_russia_from_xian_takes_the_middle_corridor() -> None:
    r = route("xian", "istanbul", avoid=["RUS", "BLR"])
    assert "RUS" not in r.countries
    assert "ferry" in r.modes  # across the Caspian
    assert {"KAZ", "AZE", "GEO", "TUR"} <= set(r.countries)


@needs_layers
def test_real_sea_leg_red_sea_closure() -> None:
    open_ = route("shanghai_port", "rotterdam_port", modes=["sea"])
    closed = route("shanghai_port", "rotterdam_port", modes=["sea"], scenario="disrupted")
    assert closed.transit_days > open_.transit_days
