"""ClusteredPointLayer in headless Chromium, offline: drawn on canvas, clustered, safe popups.

Uses the ``offline_page`` fixture of tests/browser/conftest.py (system Chromium through
Playwright, every network request aborted and recorded; skipped with the reason when
Chromium or Playwright is missing, unless CI=true).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.maps._pointlayer import clustered_points_map

pytestmark = pytest.mark.browser

HOSTILE = "</script><img src=x onerror=\"window.__xss=1\"> `${7*7}` & <b>bold</b>"


def make_sites(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(9)
    titles = [f"Project {i}" for i in range(n)]
    titles[1] = HOSTILE
    return gpd.GeoDataFrame(
        {"id": [f"site_{i}" for i in range(n)], "title": titles,
         "sector": rng.choice(["rail", "road", "port"], n),
         "note": [HOSTILE if i == 1 else None for i in range(n)]},
        crs="EPSG:4326",
        geometry=shapely.points(rng.uniform(60, 80, n), rng.uniform(38, 48, n)))


def _open(offline_page: Any, path: Path) -> dict[str, Any]:
    page = offline_page.page
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function(
        "() => window.geoClusteredPoints && window.geoClusteredPoints['Sites']"
        " && window.geoClusteredPoints['Sites'].drawnMs !== null", timeout=30000)
    return page.evaluate("""() => {
        const s = window.geoClusteredPoints['Sites'];
        return {count: s.count, layers: s.group.getLayers().length,
                canvases: document.querySelectorAll('canvas').length,
                clusters: document.querySelectorAll('.marker-cluster, .geo-cluster').length,
                shown: s.shown === null ? null : s.shown.reduce((a, c) => a + c.count, 0)};
    }""")


def _popup_of(offline_page: Any, index: int) -> dict[str, Any]:
    return offline_page.page.evaluate("""(i) => {
        const s = window.geoClusteredPoints['Sites'];
        s.group.fire('click', {layer: {geoIndex: i}});  // what a click on point i fires
        const box = document.querySelector('.leaflet-popup-content .geo-points-popup');
        return {text: box ? box.textContent : null,
                heading: box ? box.querySelector('h4').textContent : null,
                elements: box ? Array.from(box.querySelectorAll('*'))
                                     .map(e => e.tagName.toLowerCase()) : [],
                xss: window.__xss === undefined ? null : window.__xss};
    }""", index)


@pytest.mark.parametrize("compress", [False, True])
def test_clustered_points_draw_offline_with_safe_popups(offline_page, tmp_path, compress):
    path = tmp_path / "pointlayer.html"
    clustered_points_map(make_sites(1000), name="Sites", color_by="sector",
                   compress=compress).save(str(path))
    state = _open(offline_page, path)
    assert state["count"] == 1000
    assert state["shown"] == 1000  # the whole set is in view: every point in one cluster
    assert 0 < state["clusters"] < state["layers"] < 1000  # counts and single points
    popup = _popup_of(offline_page, 1)
    assert popup["heading"] == HOSTILE  # shown as text, exactly
    assert HOSTILE in popup["text"]
    assert set(popup["elements"]) <= {"h4", "table", "tbody", "tr", "th", "td"}
    assert popup["xss"] is None
    offline_page.check_clean()
    offline_page.screenshot("pointlayer_clustered.png")


def _reference_cells(sites: gpd.GeoDataFrame, zoom: int, cell_px: int) -> list[int]:
    """Grid clusters the slow, obvious way: Web Mercator pixels, floor, count per cell."""
    counts: dict[tuple[int, int], int] = {}
    for p in sites.geometry:
        lon, lat = round(p.x, 5), round(p.y, 5)  # the page gets 5 decimals
        s = math.sin(math.radians(lat))
        x = (lon + 180.0) / 360.0 * 256.0 * 2**zoom
        y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0 * 2**zoom
        key = (math.floor(x / cell_px), math.floor(y / cell_px))
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.values())


def test_grid_clusters_match_a_reference_at_every_zoom(offline_page, tmp_path):
    sites = make_sites(2000)
    path = tmp_path / "pointlayer_grid.html"
    clustered_points_map(sites, name="Sites", cluster_radius_px=40, uncluster_zoom=9).save(str(path))
    _open(offline_page, path)
    for zoom in range(0, 11):
        got = offline_page.page.evaluate(
            "(z) => window.geoClusteredPoints['Sites'].cells(z, null).map(c => c.count)"
            ".sort((a, b) => a - b)", zoom)
        want = _reference_cells(sites, zoom, 80) if zoom < 9 else [1] * 2000
        assert got == want, zoom
    offline_page.check_clean()


def test_clicking_a_cluster_zooms_in_until_points_open_popups(offline_page, tmp_path):
    path = tmp_path / "pointlayer_click.html"
    clustered_points_map(make_sites(5000), name="Sites").save(str(path))
    _open(offline_page, path)
    page = offline_page.page
    zoom = page.evaluate("() => window.geoClusteredPoints['Sites'].group._map.getZoom()")
    for _ in range(12):
        cluster = page.query_selector(".geo-cluster")
        if cluster is None:
            break
        cluster.click()
        page.wait_for_function(
            "(z) => window.geoClusteredPoints['Sites'].group._map.getZoom() > z", arg=zoom)
        page.wait_for_timeout(300)  # moveend: the clusters of the new view are drawn
        zoom = page.evaluate("() => window.geoClusteredPoints['Sites'].group._map.getZoom()")
    singles = page.evaluate(
        "() => window.geoClusteredPoints['Sites'].shown.filter(c => c.count === 1).length")
    assert singles > 0 and zoom >= 3
    # a real click on a drawn point opens its popup
    xy = page.evaluate("""() => {
        const s = window.geoClusteredPoints['Sites'], map = s.group._map;
        const size = map.getSize();
        const m = s.group.getLayers().find(l => l.geoIndex !== undefined && (() => {
            const p = map.latLngToContainerPoint(l.getLatLng());
            return p.x > 20 && p.y > 80 && p.x < size.x - 60 && p.y < size.y - 20; })());
        const p = map.latLngToContainerPoint(m.getLatLng());
        const r = map.getContainer().getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y, i: m.geoIndex};
    }""")
    page.mouse.click(xy["x"], xy["y"])
    page.wait_for_selector(".leaflet-popup-content .geo-points-popup h4")
    heading = page.text_content(".leaflet-popup-content .geo-points-popup h4")
    # the point clicked, or one drawn over it at the same pixel
    assert heading == HOSTILE or re.fullmatch(r"Project \d+", heading or "")
    offline_page.check_clean()


def test_markercluster_clusterer_still_draws_with_safe_popups(offline_page, tmp_path):
    path = tmp_path / "pointlayer_mc.html"
    clustered_points_map(make_sites(1000), name="Sites", color_by="sector",
                   cluster="markercluster").save(str(path))
    state = _open(offline_page, path)
    assert state["count"] == state["layers"] == 1000
    assert state["clusters"] > 0
    popup = _popup_of(offline_page, 1)
    assert popup["heading"] == HOSTILE and popup["xss"] is None
    offline_page.check_clean()


def test_unclustered_points_are_drawn_on_one_canvas(offline_page, tmp_path):
    path = tmp_path / "pointlayer_flat.html"
    clustered_points_map(make_sites(300), name="Sites", cluster=False).save(str(path))
    state = _open(offline_page, path)
    assert state["count"] == state["layers"] == 300
    assert state["canvases"] >= 1 and state["clusters"] == 0
    popup = _popup_of(offline_page, 2)
    assert popup["heading"] == "Project 2"
    assert "note" not in popup["text"]  # null cells are left out
    offline_page.check_clean()
