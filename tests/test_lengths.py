"""Computed section and corridor lengths against documented figures from sources.

Each check states the documented figure, its source and a tolerance chosen by mode and
terrain.  The modelled length is ``length_used_km``: documented section lengths where the
layers have them, else geodesic length times the link's circuity factor.  Station-to-station
geodesics run 0-15 % short of rail lines on plains and 30-65 % short of mountain roads, so a
stated circuity (1.10 plain rail, 1.45 mountain road) leaves an uncertainty of about
+-8 % (plain rail) and +-12 % (mountain road) around the truth.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest

import geo

#: Tolerances by mode and terrain (fraction of the documented figure).
RAIL_PLAIN = 0.08
ROAD_MOUNTAIN = 0.12
MIXED_FERRY_RAIL = 0.08
MOSTLY_DOCUMENTED = 0.03


@pytest.fixture(scope="module")
def network() -> nx.Graph:
    graph = nx.Graph()
    for link in geo.links().itertuples():
        graph.add_edge(link.from_id, link.to_id, km=link.length_used_km, id=link.id)
    return graph


def section_km(graph: nx.Graph, path: list[str]) -> float:
    return sum(graph[a][b]["km"] for a, b in itertools.pairwise(path))


# (from, via..., to), documented km, tolerance, source
SECTIONS = [
    pytest.param(["lanzhou", "turpan", "urumqi"], 1904, RAIL_PLAIN,
                 id="Lanxin railway Lanzhou-Urumqi 1,904 km (Lanxin railway article, kiwix copy)"),
    pytest.param(["urumqi", "jinghe", "alashankou"], 460, RAIL_PLAIN,
                 id="Northern Xinjiang railway Urumqi-Alashankou 460 km (newikis)"),
    pytest.param(["kars", "sivas", "ankara"], 1310, MOSTLY_DOCUMENTED,
                 id="Kars-Ankara 1,310 km by the Eastern Express route (Daily Sabah 2022)"),
    pytest.param(["marabda", "akhalkalaki", "kartsakhi"], 180, MOSTLY_DOCUMENTED,
                 id="BTK Marabda-Kartsakhi 180 km in Georgia (mkrailway.ge)"),
]


@pytest.mark.parametrize(("path", "documented_km", "tolerance"), SECTIONS)
def test_section_length_against_documented(network: nx.Graph, path: list[str],
                                           documented_km: float, tolerance: float) -> None:
    assert section_km(network, path) == pytest.approx(documented_km, rel=tolerance)


# corridor id, tolerance; the documented figure and its source are in corridors.geojson
CORRIDORS = [
    pytest.param("almaty_urumqi_khorgos", RAIL_PLAIN,
                 id="Urumqi-Almaty via Khorgos ~1,040 km (TCA: Horgos 670 km from Urumqi, 370 from Almaty)"),
    pytest.param("almaty_urumqi_alashankou", RAIL_PLAIN,
                 id="Urumqi-Almaty via Alashankou ~1,341 km (TCA: the Khorgos switch cut 301 km)"),
    pytest.param("cku_railway", MOSTLY_DOCUMENTED,
                 id="CKU railway 567.9 km = 213 CHN (RG) + 304.94 KGZ (24.kg, Dec 2025) + 50 UZB"),
    pytest.param("karakoram_highway", ROAD_MOUNTAIN,
                 id="Karakoram Highway 1,300 km = 887 PAK + 413 CHN (KKH article, piglix copy)"),
    pytest.param("titr_aktau_poti", MIXED_FERRY_RAIL,
                 id="Aktau-Poti across the Caspian 1,300 km (Trend)"),
]


@pytest.mark.parametrize(("corridor_id", "tolerance"), CORRIDORS)
def test_corridor_length_against_documented(corridor_id: str, tolerance: float) -> None:
    corridor = geo.corridors().set_index("id").loc[corridor_id]
    assert corridor["length_source"]["url"].startswith("http")
    assert corridor["length_used_km"] == pytest.approx(corridor["documented_length_km"], rel=tolerance)


def test_documented_corridor_figures_match_the_sources_named_in_the_tests() -> None:
    corridors = geo.corridors().set_index("id")
    expected = {"almaty_urumqi_khorgos": 1040, "almaty_urumqi_alashankou": 1341,
                "cku_railway": 567.9, "karakoram_highway": 1300, "titr_aktau_poti": 1300}
    assert {k: corridors.loc[k, "documented_length_km"] for k in expected} == expected


def test_btk_georgian_section(network: nx.Graph) -> None:
    """Georgian BTK section 263 km (Transport Journal: 504 AZ + 263 GE + 79 TR).

    Modelled from the Azerbaijani border via Rustavi and Tbilisi to Marabda, then the
    documented Marabda-Akhalkalaki (153 km) and Akhalkalaki-Kartsakhi (29 km) sections.
    """
    path = ["boyuk_kesik", "gardabani", "tbilisi", "marabda", "akhalkalaki", "kartsakhi"]
    assert section_km(network, path) == pytest.approx(263, rel=RAIL_PLAIN)


def test_khorgos_route_is_shorter_than_alashankou_by_about_301_km() -> None:
    corridors = geo.corridors().set_index("id")
    saving = (corridors.loc["almaty_urumqi_alashankou", "length_used_km"]
              - corridors.loc["almaty_urumqi_khorgos", "length_used_km"])
    # TCA: switching the Urumqi-Almaty train to Horgos cut 301 km; plain-rail tolerance on
    # two ~1,000 km figures leaves about +-100 km on their difference.
    assert saving == pytest.approx(301, abs=100)


def test_documented_sections_are_not_shorter_than_the_geodesic() -> None:
    """A real line cannot be shorter than the geodesic between its ends.

    Node coordinates flagged approximate may be off by 0.1-0.2 degrees (10-20 km), so a
    documented section may come out up to 15 % below the geodesic of its ends; more than
    that means a misplaced node or a length that belongs to other end points.
    """
    links = geo.links()
    documented = links[links["length_method"] == "documented"]
    ratio = documented["documented_length_km"] / documented["geodesic_length_km"]
    bad = documented.loc[ratio < 0.85, "id"].tolist()
    assert bad == []
    road = documented[documented["mode"] == "road"]
    assert ((road["documented_length_km"] / road["geodesic_length_km"]) <= 1.7).all()


def test_lengths_are_geodesic_not_planar() -> None:
    links = geo.links()
    # planar degrees x 111.32 km would overstate this mostly east-west line at 46 N by ~27 %
    row = links.set_index("id").loc["dostyk_aktogay"]
    line = row.geometry
    naive_km = line.length * 111.32
    assert row["geodesic_length_km"] == pytest.approx(geo.geodesic_length_km(line), abs=1e-3)
    # independent check: great-circle (haversine) on the mean-radius sphere is within 0.5 %
    (lon1, lat1), (lon2, lat2) = line.coords[0], line.coords[-1]
    p1, p2, dlon = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    assert len(line.coords) == 2
    assert row["geodesic_length_km"] == pytest.approx(2 * 6371.0088 * math.asin(math.sqrt(h)), rel=5e-3)
    assert naive_km / row["geodesic_length_km"] > 1.2


def test_every_link_length_used_follows_its_method() -> None:
    links = geo.links()
    doc = links["length_method"] == "documented"
    assert (links.loc[doc, "length_used_km"] == links.loc[doc, "documented_length_km"]).all()
    circ = links.loc[~doc]
    assert circ["length_used_km"].to_numpy() == pytest.approx(
        (circ["geodesic_length_km"] * circ["circuity"]).to_numpy(), abs=2e-3)


def test_length_by_country_adds_up_to_length_used() -> None:
    for frame in (geo.links(), geo.corridors()):
        for row in frame.itertuples():
            total = sum(row.length_by_country_km.values()) + row.water_length_km
            assert total == pytest.approx(row.length_used_km, rel=1e-3), row.id


def test_ferry_length_is_water_not_a_country() -> None:
    ferry = geo.links().set_index("id").loc["aktau_port_baku_alat_port"]
    assert ferry["water_length_km"] > 0.9 * ferry["length_used_km"]


def test_countries_in_order_along_the_middle_corridor() -> None:
    corridor = geo.corridors().set_index("id").loc["titr_btk"]
    assert corridor["countries"] == ["CHN", "KAZ", "AZE", "GEO", "TUR"]
    assert corridor["status"] == "operational" and corridor["gauges_mm"] == [1435, 1520]
    assert corridor["geometry"].coords[0] == pytest.approx(
        geo.nodes().set_index("id").loc["lianyungang"].geometry.coords[0])
