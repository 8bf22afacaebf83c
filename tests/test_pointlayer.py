"""ClusteredPointLayer: the data travels once, as columns, escaped for a <script> element."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo._errors import LayerError
from geo.maps._pointlayer import ClusteredPointLayer, clustered_points_layer, clustered_points_map

HOSTILE = "</script><img src=x onerror=\"window.__xss=1\"> `${7*7}` \u2028 & 'q'"
SECTORS = ["rail", "road", "port", "power_plant"]


def make_sites(n: int, *, seed: int = 5) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    titles = [f"Project {i}" for i in range(n)]
    titles[1] = HOSTILE
    return gpd.GeoDataFrame(
        {"id": [f"site_{i}" for i in range(n)], "title": titles,
         "sector": [SECTORS[k] for k in rng.integers(0, len(SECTORS), n)],
         "commitment_year": rng.integers(2000, 2022, n),
         "amount_constant_usd": np.where(np.arange(n) % 7 == 0, np.nan,
                                         rng.uniform(1e5, 1e9, n).round(0))},
        crs="EPSG:4326",
        geometry=shapely.points(rng.uniform(40, 110, n), rng.uniform(25, 55, n)))


def _payload(html: str) -> dict:
    match = re.search(r"build\((\{.*?\})\);\n", html)
    assert match, "data object not found"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def html() -> str:
    m = clustered_points_map(make_sites(1000), color_by="sector", title="Sites <test>")
    return m.get_root().render()


def test_data_is_sent_once_as_columns(html):
    assert html.count('"lon":[') == 1
    assert html.count('"lat":[') == 1
    data = _payload(html)
    assert len(data["lon"]) == len(data["lat"]) == 1000
    assert data["fields"] == ["id", "title", "sector", "commitment_year", "amount_constant_usd"]
    # the title column is an array; repetitive text is dictionary-encoded
    assert data["columns"][1][1] == HOSTILE
    sector = data["columns"][2]
    assert sorted(sector["d"]) == sorted(SECTORS) and len(sector["k"]) == 1000
    assert data["columns"][4][0] is None  # NaN -> null, never the string "nan"
    assert len(data["colour"]) == 1000 and len(data["palette"]) == len(SECTORS) + 1


def test_hostile_text_is_escaped_for_the_script_element(html):
    assert "</script><img" not in html
    assert "<img src=x" not in html
    assert "\\u003c/script\\u003e\\u003cimg" in html
    assert "\u2028" not in html
    assert "Sites &lt;test&gt;" in html


def test_popups_are_built_with_text_content_not_inner_html(html):
    start = html.index("var started = performance.now()")
    script = html[start:html.index("</script>", start)]
    assert "textContent" in script
    assert "innerHTML" not in script
    assert "L.canvas(" in script and "cells(" in script  # grid clusters drawn on canvas
    assert ".html(" not in script and "bindPopup(\"" not in script


def test_rendering_is_deterministic_apart_from_element_ids():
    sites = make_sites(50)

    def render() -> str:
        html = clustered_points_map(sites).get_root().render()
        return re.sub(r"_[0-9a-f]{32}", "_ID", html)

    assert render() == render()


def test_unclustered_layer_needs_no_markercluster_assets():
    html = clustered_points_map(make_sites(20), cluster=False, offline=False).get_root().render()
    assert "leaflet.markercluster" not in html and "markerClusterGroup" not in html
    assert "L.featureGroup(" in html


def test_grid_clustering_needs_no_markercluster_assets_and_the_old_one_does():
    grid = clustered_points_map(make_sites(20), offline=False).get_root().render()
    assert "leaflet.markercluster" not in grid and "markerClusterGroup" not in grid
    assert '"cellPx":100' in grid  # 2 x the default cluster radius of 50 px
    old = clustered_points_map(make_sites(20), offline=False,
                         cluster="markercluster").get_root().render()
    assert "leaflet.markercluster" in old and "markerClusterGroup" in old
    with pytest.raises(ValueError, match="cluster must be"):
        clustered_points_layer(make_sites(5), cluster="supercluster")


def test_layer_counts_points_and_checks_columns():
    sites = make_sites(10)
    layer = clustered_points_layer(sites, fields=["title"], label="title")
    assert isinstance(layer, ClusteredPointLayer) and layer.count == 10
    with pytest.raises(LayerError, match=r"unknown column\(s\) \['nope'\]"):
        clustered_points_layer(sites, fields=["nope"])
    with pytest.raises(LayerError, match="label 'id' must be one of fields"):
        clustered_points_layer(sites, fields=["title"], label="id")


def test_missing_or_non_point_geometries_are_refused_with_rows():
    sites = make_sites(3)
    sites.loc[2, "geometry"] = shapely.LineString([(60, 40), (61, 41)])
    with pytest.raises(LayerError, match=r"rows \[2\]"):
        clustered_points_layer(sites)


def test_large_payloads_travel_compressed_and_unpack_to_the_same_data():
    import base64
    import gzip

    sites = make_sites(300)
    plain = clustered_points_map(sites, compress=False).get_root().render()
    packed = clustered_points_map(sites, compress=True).get_root().render()
    blob = re.search(r'var packed = "([A-Za-z0-9+/=]+)";', packed)
    assert blob and "build({" not in packed
    assert json.loads(gzip.decompress(base64.b64decode(blob.group(1)))) == _payload(plain)
    assert HOSTILE not in packed and "\\u003c/script" not in packed
    assert len(packed) < len(plain)
