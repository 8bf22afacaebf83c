"""Validation reports every problem at once: file, feature index and id, field, what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import geo
from builders import (
    AKTOGAY,
    ALASHANKOU,
    DOSTYK,
    collection,
    make_corridor,
    make_link,
    make_node,
    make_site,
    mini_layers,
    write,
)


@pytest.fixture
def atlas(tmp_path: Path) -> Path:
    return mini_layers(tmp_path / "atlas")


def messages(problems: list[geo.Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def test_mini_layers_are_valid(atlas: Path) -> None:
    for kind in ("nodes", "links", "corridors", "sites", "energy"):
        assert geo.validate(atlas / f"{kind}.geojson") == [], kind


def test_swapped_lat_lon_is_named(atlas: Path) -> None:
    write(atlas / "nodes.geojson", collection(
        make_node("dostyk", (DOSTYK[1], 182.4855), country="KAZ"),  # lat > 90 after swap
    ))
    (problem,) = geo.validate(atlas / "nodes.geojson")
    assert problem.field == "geometry" and problem.index == 0 and problem.feature_id == "dostyk"
    assert "swapped" in problem.message


def test_swapped_but_in_range_is_caught_by_country_check(atlas: Path) -> None:
    write(atlas / "nodes.geojson", collection(
        make_node("aktogay", (AKTOGAY[1], AKTOGAY[0]), country="KAZ"),
    ))
    (problem,) = geo.validate(atlas / "nodes.geojson")
    assert "declared country 'KAZ'" in problem.message
    assert "swapped" in problem.message


def test_out_of_range(atlas: Path) -> None:
    write(atlas / "sites.geojson", collection(
        make_site("far", (200.0, 95.0), country="KAZ"),
    ))
    (problem,) = geo.validate(atlas / "sites.geojson")
    assert "out of range" in problem.message and "lon in [-180, 180]" in problem.message


@pytest.mark.parametrize(
    ("kind", "feature", "field", "allowed"),
    [
        ("links", make_link("x", "alashankou", "dostyk", [ALASHANKOU, DOSTYK], mode="hovercraft"),
         "mode", "['rail', 'road', 'ferry', 'sea']"),
        ("links", make_link("x", "alashankou", "dostyk", [ALASHANKOU, DOSTYK], status="dreamt"),
         "status", "'under_construction'"),
        ("sites", make_site("x", DOSTYK, country="KAZ", sector="casino"), "sector",
         "'gas_pipeline'"),
        ("nodes", make_node("x", DOSTYK, country="KAZ", kind="castle"), "kind", "'sea_port'"),
        ("nodes", make_node("x", DOSTYK, country="KZ"), "country", "alpha-3"),
        ("nodes", make_node("x", DOSTYK, country="KAZ", facilities=["sauna"]), "facilities",
         "'gauge_change'"),
    ],
)
def test_unknown_vocabulary_lists_the_choices(atlas: Path, kind: str, feature: dict, field: str,
                                              allowed: str) -> None:
    write(atlas / f"{kind}.geojson", collection(feature))
    problems = geo.validate(atlas / f"{kind}.geojson")
    assert [p.field for p in problems] == [field]
    assert allowed in problems[0].message


def test_link_ends_must_meet_nodes(atlas: Path) -> None:
    write(atlas / "links.geojson", collection(
        make_link("gap", "dostyk", "aktogay", [(82.0, 45.5), AKTOGAY], documented_length_km=304.0),
    ))
    (problem,) = geo.validate(atlas / "links.geojson")
    assert problem.feature_id == "gap" and "does not meet node 'dostyk'" in problem.message


def test_link_to_unknown_node(atlas: Path) -> None:
    write(atlas / "links.geojson", collection(
        make_link("lost", "dostyk", "atlantis", [DOSTYK, AKTOGAY], documented_length_km=304.0),
    ))
    (problem,) = geo.validate(atlas / "links.geojson")
    assert problem.field == "to_id" and "'atlantis' does not exist" in problem.message


def test_rail_needs_gauge_and_lengths_need_a_source_or_circuity(atlas: Path) -> None:
    bad = make_link("bad", "dostyk", "aktogay", [DOSTYK, AKTOGAY], gauge_mm=None, circuity=None)
    bad["properties"]["gauge_mm"] = None
    write(atlas / "links.geojson", collection(bad))
    fields = sorted(p.field for p in geo.validate(atlas / "links.geojson"))
    assert fields == ["circuity", "gauge_mm"]


def test_duplicate_ids(atlas: Path) -> None:
    write(atlas / "nodes.geojson", collection(
        make_node("dostyk", DOSTYK, country="KAZ"),
        make_node("dostyk", DOSTYK, country="KAZ"),
    ))
    (problem,) = geo.validate(atlas / "nodes.geojson")
    assert problem.index == 1 and "duplicate id 'dostyk' (first used by feature 0)" in problem.message


def test_missing_source_and_bad_url(atlas: Path) -> None:
    a = make_node("a", DOSTYK, country="KAZ")
    del a["properties"]["sources"]
    b = make_node("b", DOSTYK, country="KAZ", sources=[{"title": "Blog", "url": "ftp://x"}])
    write(atlas / "nodes.geojson", collection(a, b))
    problems = geo.validate(atlas / "nodes.geojson")
    assert [(p.feature_id, p.field) for p in problems] == [("a", "sources"), ("b", "sources")]
    assert "is missing" in problems[0].message and "http(s) URL" in problems[1].message


def test_every_problem_is_reported_at_once(atlas: Path) -> None:
    write(atlas / "sites.geojson", collection(
        make_site("a", DOSTYK, country="KAZ", sector="casino"),
        make_site("b", (DOSTYK[0], 95.0), country="KAZ", status="rumoured"),
        make_site("c", DOSTYK, country="KAZ", corridor="nowhere"),
    ))
    problems = geo.validate(atlas / "sites.geojson")
    assert [(p.feature_id, p.field) for p in problems] == [
        ("a", "sector"), ("b", "status"), ("b", "geometry"), ("c", "corridor")]
    with pytest.raises(geo.LayerError) as info:
        geo.load_layer(atlas / "sites.geojson")
    assert len(info.value.problems) == 4 and "(and 3 more problems)" in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"   \n", "file is empty"),
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-16 text (truncated data at byte 2; encoding tried: UTF-16"),
        (b'{"a": "\x80"}', "not UTF-8 text (invalid start byte at byte 7; encoding tried: UTF-8)"),
        (b'{"type": "Feature"}', "expected 'FeatureCollection'"),
        (b"[1, 2]", "expected 'FeatureCollection'"),
        (b'{"type": "FeatureCollection"}', "'features' is missing"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "nodes.geojson"
    path.write_bytes(content)
    (problem,) = geo.validate(path)
    assert str(path) in str(problem) and expected in problem.message


def test_declared_crs_must_be_wgs84_lon_lat(atlas: Path) -> None:
    data = collection(make_node("dostyk", DOSTYK, country="KAZ"),
                      crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}})
    write(atlas / "nodes.geojson", data)
    (problem,) = geo.validate(atlas / "nodes.geojson")
    assert problem.field == "crs" and "not WGS84 longitude/latitude" in problem.message
    data["crs"]["properties"]["name"] = "urn:ogc:def:crs:OGC:1.3:CRS84"
    write(atlas / "nodes.geojson", data)
    assert geo.validate(atlas / "nodes.geojson") == []


def test_corridor_path_must_follow_links(atlas: Path) -> None:
    write(atlas / "corridors.geojson", collection(
        make_corridor("jump", ["alashankou", "aktogay"]),
        make_corridor("ghost", ["dostyk", "ghost_town"]),
    ))
    problems = geo.validate(atlas / "corridors.geojson")
    text = messages(problems)
    assert "no link joins consecutive nodes 'alashankou' and 'aktogay'" in text
    assert "node 'ghost_town' does not exist" in text


def test_corridor_geometry_must_be_null(atlas: Path) -> None:
    corridor = make_corridor("c", ["alashankou", "dostyk"])
    corridor["geometry"] = {"type": "LineString", "coordinates": [list(ALASHANKOU), list(DOSTYK)]}
    write(atlas / "corridors.geojson", collection(corridor))
    (problem,) = geo.validate(atlas / "corridors.geojson")
    assert problem.field == "geometry" and "computed from its links" in problem.message


def test_kind_from_name_or_argument(tmp_path: Path) -> None:
    path = write(tmp_path / "my_stations.geojson",
                 collection(make_node("dostyk", DOSTYK, country="KAZ")))
    with pytest.raises(geo.LayerError, match="pass kind=one of"):
        geo.validate(path)
    assert geo.validate(path, kind="nodes") == []
    with pytest.raises(geo.LayerError, match="unknown layer kind 'stations'"):
        geo.validate(path, kind="stations")


def test_load_user_layer_adds_measures(atlas: Path) -> None:
    links = geo.load_layer(atlas / "links.geojson")
    row = links.set_index("id").loc["dostyk_aktogay"]
    assert row["length_method"] == "documented" and row["length_used_km"] == 304.0
    assert row["countries"] == ["KAZ"]
    corridors = geo.load_layer(atlas / "corridors.geojson")
    (corr,) = corridors.itertuples()
    assert corr.countries == ["CHN", "KAZ"]
    assert corr.link_ids == ["alashankou_dostyk", "dostyk_aktogay"]
    assert corr.geometry.coords[0] == ALASHANKOU and corr.geometry.coords[-1] == AKTOGAY
    assert json.loads(json.dumps(corr.length_by_country_km))  # plain JSON-able dict
