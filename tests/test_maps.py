"""geo.make_map: layers, styles, escaping, reproducible bytes, offline assets, user sites files."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import folium
import geopandas as gpd
import pytest
import shapely
from branca.element import Element
from folium.plugins import MarkerCluster
from mapdata import IMG, SCRIPT, TEMPLATE, use_hostile_layers
from pyproj import Geod

import geo
from geo._errors import GeoError, LayerError
from geo.maps._assets import ASSETS, inline_assets
from geo.maps._elements import Legend
from geo.maps._ids import deterministic_ids
from geo.maps._popups import link_popup
from geo.maps.interactive import SECTOR_COLOURS, link_style, network_link_style, node_symbol, render_html
from geo.measure import geodesic_path


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from geo import layers

    monkeypatch.setenv(layers.LAYERS_ENV, str(tmp_path / "layers"))
    yield use_hostile_layers(tmp_path / "layers")


def test_same_inputs_give_identical_bytes(hostile: Path) -> None:
    first = render_html(offline=True, title=SCRIPT)
    second = render_html(offline=True, title=SCRIPT)
    assert first == second
    assert "map_00000000" in first


def test_deterministic_ids_are_scoped_to_the_block() -> None:
    with deterministic_ids():
        assert Element()._id == "00000000"
        with deterministic_ids():  # nested: same counter, ids stay unique
            assert Element()._id == "00000001"
    assert re.fullmatch(r"[0-9a-f]{32}", Element()._id)


def test_folium_class_asset_lists_are_untouched(hostile: Path) -> None:
    before = (list(folium.Map.default_js), list(MarkerCluster.default_js))
    render_html(offline=True)
    assert (list(folium.Map.default_js), list(MarkerCluster.default_js)) == before
    assert any("bootstrap" in url for _, url in folium.Map.default_js)


def test_offline_page_is_self_contained(hostile: Path) -> None:
    html = render_html(offline=True)
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    for word in ("bootstrap", "fontawesome", "awesome-markers", "glyphicons"):
        assert word not in html.lower()
    assert "L.Icon.Default.imagePath=''" in html
    assert "url(images/" not in html and "data:image/png;base64," in html
    assert "Country outlines" in html
    assert "tile.openstreetmap.org" not in html


def test_online_page_links_only_the_pinned_assets(hostile: Path) -> None:
    html = render_html(offline=False)
    urls = set(re.findall(r'<script src="([^"]+)"', html)) | \
        set(re.findall(r'<link rel="stylesheet" href="([^"]+)"', html))
    assert urls == {ASSETS[n].url for n in ("leaflet", "jquery", "leaflet_css")}


def test_inline_assets_refuses_unknown_external_scripts() -> None:
    with pytest.raises(GeoError, match=r"unknown\.example"):
        inline_assets('<script src="https://unknown.example/x.js"></script>')


def test_inlined_javascript_cannot_close_its_script_element() -> None:
    from geo.maps._assets import _safe_js

    assert _safe_js("var s = '</script><p>';") == "var s = '<\\/script><p>';"


def test_hostile_text_never_reaches_the_page_raw(hostile: Path) -> None:
    html = render_html(offline=True, title=f"{SCRIPT} {TEMPLATE}")
    assert "window.__pwned=1</script>" not in html
    assert "<img src=x" not in html
    assert "${7*7}" not in html and "`tick`" not in html and "back\\slash" not in html
    assert "&lt;/script&gt;" in html and "&#36;{7*7}" in html and "&#96;tick&#96;" in html
    assert "<title>&lt;/script&gt;" in html


def test_legend_escapes_its_labels() -> None:
    legend = Legend(title=IMG, sections=[], note=TEMPLATE)
    text = legend.heading_html + legend.html_text  # the title is the fold button's text
    assert "<img" not in text and "&lt;img" in text
    assert "${" not in text


def test_corridor_subset_draws_its_nodes_and_sites(hostile: Path) -> None:
    m = geo.make_map(corridors=["border_run"], offline=True)
    html = m.get_root().render()
    assert '"expected": ' not in html  # counts are compact JSON
    assert '{"corridors":1,"nodes":3,"sites":1}' in html


def test_unknown_corridor_id_is_named(hostile: Path) -> None:
    with pytest.raises(LayerError, match="nowhere"):
        geo.make_map(corridors=["nowhere"])


def _network_lines(m: folium.Map) -> list[folium.PolyLine] | None:
    """The polylines of the map's "Other network links" layer (None: no such layer)."""
    groups = [c for c in m._children.values()
              if isinstance(c, folium.FeatureGroup) and c.layer_name == "Other network links"]
    if not groups:
        return None
    assert len(groups) == 1
    return [c for c in groups[0]._children.values() if isinstance(c, folium.PolyLine)]


def _links_in_no_corridor() -> set[str]:
    used = {i for ids in geo.corridors()["link_ids"] for i in ids}
    return set(geo.links()["id"]) - used


def test_links_in_no_corridor_are_drawn_thinner(hostile: Path) -> None:
    outside = _links_in_no_corridor()
    assert outside == {"alashankou_aktogay", "dostyk_aktau"}
    m = geo.make_map(offline=True)
    lines = _network_lines(m)
    assert lines is not None and len(lines) == len(outside)
    # styled by mode and status like corridor legs, but thinner and lighter
    road = {"properties": {"mode": "road", "status": "operational"}}
    rail = {"properties": {"mode": "rail", "status": "planned"}}
    assert [(x.options["color"], x.options["dashArray"], x.options["weight"]) for x in lines] \
        == [(s["color"], s.get("dashArray"), s["weight"])
            for s in (network_link_style(road), network_link_style(rail))]
    for f in (road, rail):
        assert network_link_style(f)["weight"] < link_style(f)["weight"]
        assert network_link_style(f)["opacity"] < link_style(f)["opacity"]
    # densified along the geodesic like the corridors (Dostyk-Aktau is about 2,500 km)
    assert len(lines[1].locations) > 25
    html = m.get_root().render()
    assert '"network_links":2' in html and "Other network links" in html


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, 2),
    ({"network_links": False}, None),
    ({"corridors": ["border_run", "caspian"]}, 2),  # every bundled corridor, as a list
    ({"corridors": ["border_run"]}, None),  # a subset: off unless asked for
    ({"corridors": ["border_run"], "network_links": True}, 4),
    ({"corridors": False, "network_links": True}, 6),
])
def test_network_links_default_and_option(hostile: Path, kwargs: dict,
                                          expected: int | None) -> None:
    lines = _network_lines(geo.make_map(offline=True, **kwargs))
    assert (None if lines is None else len(lines)) == expected


def test_network_link_tooltips_and_popups_are_escaped(hostile: Path) -> None:
    html = render_html(offline=True)
    img = "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"
    # the named link, and a nameless one shown as "from – to" (Dostyk is named IMG)
    assert f"<b>{img}</b> <span class=\"geo-tip-detail\">road \u00b7 330 km</span>" in html
    assert f"<b>{img} \u2013 Aktau</b>" in html
    assert "<th>Circuity basis</th><td>&#36;{7*7} &#96;tick&#96; back&#92;slash</td>" in html
    assert ('<a href="https://example.org/length" target="_blank" rel="noopener noreferrer">'
            "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;</a>") in html
    assert "<img src=x" not in html and "window.__pwned=1</script>" not in html


@pytest.mark.parametrize(("row", "needles", "absent"), [
    ({"name": "A", "mode": "rail", "gauge_mm": 1435.0, "opened": 2007.0,
      "length_method": "documented", "length_used_km": 160.2, "circuity_used": 1.12,
      "length_source": {"title": "J", "url": "javascript:alert(1)"}, "circuity_basis": "x"},
     ["<td>1435 mm</td>", "<td>2007</td>", "160 km (documented)",
      "<th>Length source</th><td>J (javascript:alert(1))</td>"], ["href", "Circuity"]),
    ({"from_id": "a", "to_id": "b", "length_method": "circuity", "length_used_km": 92.0,
      "circuity_used": 1.24, "circuity_basis": "calibrated", "countries": ["DEU"]},
     ["a \u2013 b</div>", "92 km (circuity 1.24 \u00d7 geodesic)",
      "<th>Circuity basis</th><td>calibrated</td>", "<td>DEU</td>"], ["Length source"]),
])
def test_link_popup_rows(row: dict, needles: list[str], absent: list[str]) -> None:
    popup = link_popup(row)
    for needle in needles:
        assert needle in popup
    for text in absent:
        assert text not in popup


def test_overview_draws_every_bundled_link_outside_the_corridors() -> None:
    lines = _network_lines(geo.make_map(offline=True))
    assert lines is not None and len(lines) == len(_links_in_no_corridor()) > 0


@pytest.mark.parametrize(("props", "colour", "dash"), [
    ({"mode": "rail", "status": "operational"}, "#b2182b", None),
    ({"mode": "road", "status": "under_construction"}, "#e08214", "9 6"),
    ({"mode": "ferry", "status": "planned"}, "#2166ac", "2 6"),
    ({"mode": "hovercraft", "status": "planned"}, "#555555", "2 6"),
])
def test_link_style_by_mode_and_status(props: dict, colour: str, dash: str | None) -> None:
    style = link_style({"properties": props})
    assert style["color"] == colour
    assert style.get("dashArray") == dash


@pytest.mark.parametrize(("row", "symbol"), [
    ({"kind": "border_crossing"}, "border_crossing"),
    ({"kind": "border_crossing", "facilities": ["gauge_change"]}, "border_gauge"),
    ({"kind": "station", "facilities": ["bogie_exchange"]}, "gauge_change"),
    ({"kind": "gauge_change", "facilities": None}, "gauge_change"),
    ({"kind": "sea_port"}, "sea_port"),
    ({"kind": "town", "facilities": ["ferry_terminal"]}, "sea_port"),
    ({"kind": "dry_port"}, "dry_port"),
    ({"kind": "junction"}, "other"),
])
def test_node_symbols(row: dict, symbol: str) -> None:
    assert node_symbol(row) == symbol


def test_long_segments_follow_the_geodesic() -> None:
    # Shanghai to Rotterdam area, test positions: the great circle bulges north
    path = geodesic_path([(121.5, 31.2), (4.5, 51.9)], max_segment_km=100.0)
    assert len(path) > 80
    geod = Geod(ellps="WGS84")
    mid = geod.npts(121.5, 31.2, 4.5, 51.9, 1)[0]
    assert max(p[1] for p in path) > 60.0 > mid[1] - 10
    steps = [geod.inv(*a, *b)[2] / 1000 for a, b in itertools.pairwise(path)]
    assert max(steps) <= 100.0 + 1e-6


@pytest.mark.parametrize(("coords", "expected_lons"), [
    ([(179.0, 0.0), (-179.0, 0.0)], [179.0, 181.0]),
    ([(-179.0, 10.0), (179.0, 10.0)], [-179.0, -181.0]),
    ([(170.0, 50.0), (-170.0, 50.0), (-160.0, 50.0)], [170.0, 190.0, 200.0]),
])
def test_antimeridian_lines_never_jump(coords: list, expected_lons: list) -> None:
    path = geodesic_path(coords, max_segment_km=10_000.0)
    assert [p[0] for p in path] == expected_lons


@pytest.mark.parametrize("coords", [[], [(10.0, 10.0)], [(10.0, 10.0), (10.0, 10.0)]])
def test_geodesic_path_edge_cases(coords: list) -> None:
    assert geodesic_path(coords) == [[c[0], c[1]] for c in coords]


def test_routes_layer_lists_days_in_the_legend(hostile: Path) -> None:
    routes = gpd.GeoDataFrame(
        {"name": [f"Sea {TEMPLATE}", "Rail"], "transit_days": [38.5, 18.0],
         "distance_km": [20000.0, 11000.0]},
        geometry=[shapely.LineString([(121.5, 31.2), (4.5, 51.9)]),
                  shapely.LineString([(108.9, 34.3), (6.8, 51.4)])], crs="EPSG:4326")
    html = render_html(corridors=False, nodes=False, sites=False, routes=routes, offline=True)
    assert "38.5 days" in html and "18.0 days" in html
    assert '{"routes":2}' in html
    assert "${7*7}" not in html


def test_many_sites_are_clustered(hostile: Path) -> None:
    pts = gpd.GeoDataFrame({"name": [f"s{i}" for i in range(30)]},
                           geometry=[shapely.Point(60 + i * 0.1, 40) for i in range(30)],
                           crs="EPSG:4326")
    html = render_html(corridors=False, nodes=False, sites=pts, cluster_threshold=10,
                       offline=True)
    assert "L.markerClusterGroup" in html and "leaflet.markercluster" in html
    assert "<script src=" not in html


# --------------------------------------------------------------------------- user sites


def test_user_sites_file_reaches_the_map(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(f"name,lon,lat,owner\n{IMG},71.4,51.1,Owner X\nB,69.3,41.3,\n",
                    encoding="utf-8")
    gdf = geo.read_points(path)
    assert list(gdf.geometry.x) == [71.4, 69.3] and gdf.crs.to_epsg() == 4326
    html = render_html(corridors=False, nodes=False, sites=gdf, site_fields=["owner"],
                       offline=True)
    assert "<img src=x" not in html and "Owner X" in html
    # a path is read the same way (not mistaken for "the bundled sites")
    assert render_html(corridors=False, nodes=False, sites=path, site_fields=["owner"],
                       offline=True) == html


def test_cli_map_shows_every_column_of_a_sites_file(hostile: Path, tmp_path: Path) -> None:
    from geo.cli.main import main

    path = tmp_path / "mine.tsv"
    path.write_text("Latitude\tLongitude\tname\towner\n51.1\t71.4\tA\tOwner X\n",
                    encoding="utf-8")
    out = tmp_path / "m.html"
    assert main(["map", "--sites", str(path), "--corridor", "border_run", "--offline",
                 "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<th>owner</th><td>Owner X</td>" in html
    assert "<th>Latitude</th>" not in html  # the coordinates are the marker itself


@pytest.mark.parametrize(("text", "needles"), [
    ("name,lon,lat\nA,70,40\nB,x,41\n", ["line 3", "field 'lon'", "not a number"]),
    ("name,lon,lat\nA,200,40\n", ["line 2", "field 'lon'", "out of range"]),
    ("name,x_coord\nA,70\n", ["no longitude column"]),
])
def test_cli_bad_sites_csv_names_file_line_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        needles: list[str]) -> None:
    from geo.cli.main import main

    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["map", "--sites", str(path), "-o", str(tmp_path / "m.html")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bad.csv" in err
    for needle in needles:
        assert needle in err
    assert not (tmp_path / "m.html").exists()


def test_cli_bad_sites_geojson_lists_every_feature_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli.main import main

    path = tmp_path / "bad.geojson"
    path.write_text('{"type":"FeatureCollection","features":['
                    '{"type":"Feature","properties":{"id":"a"},'
                    '"geometry":{"type":"Point","coordinates":[70,40]}},'
                    '{"type":"Feature","properties":{"id":"b"},'
                    '"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},'
                    '{"type":"Feature","properties":{"id":"c"},'
                    '"geometry":{"type":"Point","coordinates":[40,95]}}]}', encoding="utf-8")
    assert main(["map", "--sites", str(path), "-o", str(tmp_path / "m.html")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "bad.geojson, feature 1, id 'b', field 'geometry'" in err
    assert "bad.geojson, feature 2, id 'c', field 'geometry'" in err and "latitude" in err
    assert "2 problems in" in err


def test_many_sites_become_one_big_point_layer(hostile: Path) -> None:
    pts = gpd.GeoDataFrame(
        {"name": [IMG, TEMPLATE, None], "id": ["a", "b", "c"],
         "sector": ["hydro", "port", None], "status": ["planned", None, "operational"],
         "sources": [[{"title": "T", "url": "https://example.org/a"}],
                     [{"title": "J", "url": "javascript:alert(1)"}], None]},
        geometry=[shapely.Point(60 + i, 40) for i in range(3)], crs="EPSG:4326")
    html = render_html(corridors=False, nodes=False, sites=pts, big_threshold=2, offline=True)
    assert "geoClusteredPoints" in html and '"cellPx":' in html  # clustered on a grid, in the page
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "<img src=x" not in html
    assert "innerHTML" not in html.split("geoClusteredPoints")[1]  # popups are built as text
    # popup rows like the small-set popups; no link is made, the URL is text
    assert '"fields":["name","Sector","Status","Sources"]' in html
    assert '"T (https://example.org/a)"' in html and "href" not in html.split("geoClusteredPoints")[1]
    # colours as in the legend: sector colours, the default colour for a missing sector
    palette = re.search(r'"palette":(\[[^]]*\])', html).group(1)
    assert SECTOR_COLOURS["hydro"] in palette and SECTOR_COLOURS["port"] in palette
    assert "#7b3294" in palette
    for colour in (SECTOR_COLOURS["hydro"], SECTOR_COLOURS["port"], "#7b3294"):
        assert html.count(colour) >= 2  # map layer and legend
    assert '{"sites":3}' in html


def test_big_site_layer_is_self_contained_offline(hostile: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    n = 10_000
    pts = gpd.GeoDataFrame({"name": [f"p{i}" for i in range(n)],
                            "sector": rng.choice(["rail", "hydro"], n)},
                           geometry=shapely.points(rng.uniform(50, 80, n),
                                                   rng.uniform(38, 50, n)), crs="EPSG:4326")
    html = render_html(sites=pts, offline=True)
    assert "geoClusteredPoints" in html
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=|url\(['\"]?https?:",
                         html, re.IGNORECASE)
    assert "/* leaflet: " in html  # inlined
    for asset in ("markerclusterjs", "markerclustercss", "markerclusterdefaultcss"):
        assert f"/* {asset}: " not in html  # the grid clusterer needs no plugin


def _energy_lines(m: folium.Map) -> list[folium.PolyLine] | None:
    """The polylines of the map's "Energy lines" layer (None: no such layer)."""
    groups = [c for c in m._children.values()
              if isinstance(c, folium.FeatureGroup) and c.layer_name == "Energy lines"]
    if not groups:
        return None
    assert len(groups) == 1
    return [c for c in groups[0]._children.values() if isinstance(c, folium.PolyLine)]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, 1),  # all corridors: the overview draws the energy lines
    ({"energy": False}, None),
    ({"corridors": ["border_run"]}, None),  # a corridor page: off unless asked for
    ({"corridors": ["border_run"], "energy": True}, 1),
])
def test_energy_layer_default_and_option(hostile: Path, kwargs: dict,
                                         expected: int | None) -> None:
    lines = _energy_lines(geo.make_map(offline=True, **kwargs))
    assert (None if lines is None else len(lines)) == expected


def test_overview_without_an_energy_file_draws_no_energy_layer(hostile: Path) -> None:
    (hostile / "energy.geojson").unlink()
    assert _energy_lines(geo.make_map(offline=True)) is None
    with pytest.raises(LayerError, match="does not exist"):
        geo.make_map(offline=True, energy=True)


def test_energy_lines_are_styled_by_kind_and_escaped(hostile: Path) -> None:
    from geo.maps._energy import ENERGY_COLOURS, energy_style

    (line,) = _energy_lines(geo.make_map(offline=True)) or []
    assert line.options["color"] == ENERGY_COLOURS["gas_pipeline"]
    assert line.options["dashArray"] == energy_style(
        {"properties": {"kind": "gas_pipeline", "status": "stalled"}})["dashArray"]
    assert len({energy_style({"properties": {"kind": k}})["color"]
                for k in ENERGY_COLOURS}) == len(ENERGY_COLOURS)
    html = render_html(offline=True)
    script = "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    img = "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"
    assert f"<b>{script}</b> <span class=\"geo-tip-detail\">gas pipeline \u00b7 30 bcm/yr" in html
    assert f"<th>Operator</th><td>{img}</td>" in html
    assert "<th>Documented length</th><td>2,000 km</td>" in html
    assert "<th>Kind</th><td>gas pipeline</td>" in html
    assert '"energy":1' in html and "Energy lines" in html
    assert "<img src=x" not in html and "window.__pwned=1</script>" not in html


def test_energy_popup_rows_for_the_bundled_lines() -> None:
    from geo.maps._popups import energy_popup

    energy = geo.energy().set_index("id", drop=False)
    popup = energy_popup(energy.loc["datka_kemin_500kv"].to_dict())
    for needle in ("<th>Capacity</th><td>500 kV</td>", "<th>Documented length</th><td>410 km",
                   "<th>Geodesic length</th>", "% of documented", "<td>KGZ (geodesic: KGZ ",
                   "<th>Financier</th><td>china_exim (Export-Import Bank of China loan",
                   '<a href="https://vb.kg./doc/'):
        assert needle in popup, needle
    line_d = energy_popup(energy.loc["cagp_line_d"].to_dict())
    assert "<th>Status</th><td>stalled</td>" in line_d
    assert "<th>Named but not crossed</th><td>KGZ</td>" in line_d


def test_energy_colours_differ_from_the_mode_colours() -> None:
    from geo.maps._energy import ENERGY_COLOURS
    from geo.maps.interactive import MODE_COLOURS

    assert not set(ENERGY_COLOURS.values()) & set(MODE_COLOURS.values())


def test_every_site_sector_has_its_own_colour() -> None:
    assert set(SECTOR_COLOURS) == set(geo.Sector.choices())
    assert len(set(SECTOR_COLOURS.values())) == len(SECTOR_COLOURS)
