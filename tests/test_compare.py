"""geo.compare: the standard alternatives side by side, the claim table and the chart."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from netbuilders import make_link, make_network, make_node, port

from geo.routing.alternatives import ALTERNATIVES, _load_claims, compare


def world():
    """Xi'an by rail to Shanghai; a northern rail line to Duisburg; no Duisburg port link."""
    sh, ro = port("shanghai_port"), port("rotterdam_port")
    xian = make_node("xian", 108.94, 34.34, country="CHN", name="Xi'an")
    du = make_node("duisburg", 6.76, 51.43, country="DEU")
    links = [make_link("x_sh", xian, sh, gauge_mm=1435, length_km=1500.0),
             make_link("x_du", xian, du, gauge_mm=1435, length_km=11000.0,
                       countries=["CHN", "KAZ", "RUS", "BLR", "POL", "DEU"])]
    return make_network([sh, ro, xian, du], links,
                        sea_pairs=((("shanghai_port",), ("rotterdam_port",)),))


def test_alternatives_side_by_side_with_ranges() -> None:
    c = compare("xian", "duisburg", network=world(), n_draws=300)
    routes = c.routes.set_index("alternative")
    assert list(routes.index) == list(ALTERNATIVES)
    suez, cape = routes.loc["sea_suez"], routes.loc["sea_cape"]
    assert cape.transit_days > suez.transit_days
    assert suez.end_id == "rotterdam_port" and suez.end_gap_km > 100  # comparable end point
    assert "comparable end point" in suez.note
    north = routes.loc["northern"]
    assert north.end_id == "duisburg" and north.end_gap_km == 0
    legs = c.legs
    assert set(legs["alternative"]) >= {"sea_suez", "sea_cape", "northern"}
    per_route = legs.groupby("alternative")["total_h"].sum() / 24
    for alt in ("sea_suez", "sea_cape", "northern"):
        row = routes.loc[alt]
        # the headline is the median: always inside the band printed next to it
        assert row.p10_days <= row.transit_days <= row.p90_days
        assert row.fast_days <= row.all_likely_days <= row.slow_days
        assert row.moving_days + row.dwell_days == pytest.approx(row.transit_days)
        assert per_route[alt] == pytest.approx(row.transit_days)


@pytest.mark.parametrize("scenario", ["official", "observed", "disrupted"])
def test_headline_stays_inside_the_band_with_lopsided_ranges(scenario: str) -> None:
    # likely speed at the slow end: the all-likely figure falls outside p10-p90, the
    # headline (median) cannot
    lopsided = {"speed_kmh.rail": (10, 10, 100), "speed_kmh.sea": (10, 10, 60)}
    c = compare("xian", "duisburg", network=world(), scenario=scenario,
                overrides=lopsided, n_draws=300)
    ok = c.routes.dropna(subset=["transit_days"])
    assert len(ok) >= 2
    assert (ok.all_likely_days > ok.p90_days).all()
    assert ((ok.p10_days <= ok.transit_days) & (ok.transit_days <= ok.p90_days)).all()
    assert (ok.moving_days + ok.dwell_days - ok.transit_days).abs().max() < 1e-9


def test_disrupted_scenario_closes_suez_in_compare() -> None:
    c = compare("xian", "duisburg", network=world(), scenario="disrupted", n_draws=100)
    suez = c.routes.set_index("alternative").loc["sea_suez"]
    assert "closed" in suez.note and suez.transit_days != suez.transit_days  # NaN


def test_chart_is_written_and_deterministic(tmp_path: Path) -> None:
    c = compare("xian", "duisburg", network=world(), n_draws=100)
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    c.chart(a)
    c.chart(b)
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_to_dict_is_json_with_provenance() -> None:
    c = compare("xian", "duisburg", network=world(), n_draws=50)
    doc = json.loads(json.dumps(c.to_dict()))
    assert doc["provenance"]["scenario"]["name"] == "official"
    assert len(doc["routes"]) == len(ALTERNATIVES)


def test_claims_file_cites_every_figure() -> None:
    claims = _load_claims()
    ids = {c["id"] for c in claims}
    assert {"paper_6500km", "paper_60d_sea", "paper_14d_land"} <= ids
    for c in claims:
        assert c["kind"] in ("paper", "official", "observed")
        assert c["metric"] in ("km", "days")
        assert "value" in c or ("low" in c and "high" in c)
        assert c["source"]["title"]
        if c["kind"] != "paper":
            assert c["source"]["url"].startswith("http")
        for rd in c.get("routes", []):
            assert rd["alternative"] in ALTERNATIVES


def test_claim_table_puts_model_next_to_claims() -> None:
    from geo.routing.alternatives import claim_table

    t = claim_table(network=world(), scenarios=("official", "disrupted"), n_draws=50)
    sea = t[(t.claim_id == "paper_60d_sea") & (t.alternative == "sea_suez")].iloc[0]
    assert sea.claimed == "60 days" and 25 < sea.official_days < 60
    # names, not ids, in the route the model computed
    assert sea.model_route.startswith("Shanghai Port \u2192 Rotterdam Port, ")
    p10, p90 = (float(x) for x in sea.official_range.split("-"))
    assert p10 <= sea.official_days <= p90  # the median, inside its band
    assert sea.official_all_likely_days > 0
    assert "closed" in sea.disrupted_range
    # the verdict follows from the claim and the model's p10-p90
    expected = "above" if sea.official_p90_days < 60 else \
        "below" if sea.official_p10_days > 60 else "within"
    assert sea.official_verdict == expected
    assert sea.disrupted_verdict == ""  # no model figure, no verdict
    missing = t[t.claim_id == "paper_6500km"].iloc[0]
    assert missing.note == "node not in the layers"
    assert {"source_title", "source_url"} <= set(t.columns)


def test_all_sea_between_two_ports_stays_at_sea() -> None:
    """From one sea port to another the sea alternatives sail port to port.

    With European rail connectors in the network, landing at Piraeus and going on by rail
    can be faster, but that is not the "all sea" baseline the 60-days claim is about.
    """
    result = compare("shanghai_port", "rotterdam_port", scenario="official", n_draws=50, seed=0)
    for alternative in ("sea_suez", "sea_cape"):
        legs = result.route_objects[alternative].legs
        assert list(legs["mode"]) == ["sea"]
        assert (legs["from_id"].iloc[0], legs["to_id"].iloc[-1]) == ("shanghai_port", "rotterdam_port")


@pytest.mark.parametrize(("low", "high", "band", "expected"), [
    (60, 60, (36.0, 43.6), "above"),
    (10, 12, (10.1, 14.9), "within"),
    (27, 35, (36.0, 43.6), "below"),
    (30, 60, (36.0, 43.6), "within"),  # a claimed range that overlaps the model's
    (14, 14, (float("nan"), float("nan")), ""),
])
def test_verdict(low: float, high: float, band: tuple[float, float], expected: str) -> None:
    from geo.routing.alternatives import verdict

    assert verdict(low=low, high=high, model_low=band[0], model_high=band[1]) == expected


def test_paper_is_named_and_its_claims_cite_it() -> None:
    from geo.routing.alternatives import paper

    doc = paper()
    assert doc["title"] == "The Effects of Regional Arrangements on China's Foreign Policy in Central Asia"
    for figure in ("6500 Km", "60 days", "14 days"):
        assert figure in doc["quote"]
    for c in _load_claims():
        if c["kind"] == "paper":
            assert c["source"]["title"] == doc["title"]
        assert "issue" not in c["source"]["title"]


def test_sea_alternatives_are_named_for_where_they_land() -> None:
    """The classic all-water route ends its sea leg at a North Sea port; the sea-rail route
    at Piraeus, then rail; each route's path says so in words."""
    c = compare("xian", "duisburg", n_draws=50)
    for alt, ports in (("sea_suez", ("Rotterdam", "Hamburg")), ("sea_rail_piraeus", ("Piraeus",)),
                      ("sea_cape", ("Rotterdam", "Hamburg"))):
        legs = c.route_objects[alt].legs
        sea = legs[legs["mode"] == "sea"]
        assert len(sea) == 1
        assert any(p in sea["to_name"].iloc[0] for p in ports)
        path = c.routes.set_index("alternative").loc[alt, "path"]
        assert "sea " in path and any(p in path for p in ports)
    assert "via the Cape" in c.routes.set_index("alternative").loc["sea_cape", "path"]
    assert c.title == "Xi'an to Duisburg"
