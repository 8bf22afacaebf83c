"""BigPointLayer in headless Chromium, offline: drawn on canvas, clustered, safe popups.

Uses the ``offline_page`` fixture of tests/browser/conftest.py (system Chromium through
Playwright, every network request aborted and recorded; skipped with the reason when
Chromium or Playwright is missing, unless CI=true).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.maps._pointlayer import big_points_map

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
        "() => window.geoBigPoints && window.geoBigPoints['Sites']"
        " && window.geoBigPoints['Sites'].drawnMs !== null", timeout=30000)
    return page.evaluate("""() => {
        const s = window.geoBigPoints['Sites'];
        return {count: s.count, layers: s.group.getLayers().length,
                canvases: document.querySelectorAll('canvas').length,
                clusters: document.querySelectorAll('.marker-cluster').length};
    }""")


def _popup_of(offline_page: Any, index: int) -> dict[str, Any]:
    return offline_page.page.evaluate("""(i) => {
        const s = window.geoBigPoints['Sites'];
        const marker = s.group.getLayers().find(l => l.geoIndex === i);
        s.group.fire('click', {layer: marker});
        const box = document.querySelector('.leaflet-popup-content .geo-bigpoint-popup');
        return {text: box ? box.textContent : null,
                heading: box ? box.querySelector('h4').textContent : null,
                elements: box ? Array.from(box.querySelectorAll('*'))
                                     .map(e => e.tagName.toLowerCase()) : [],
                xss: window.__xss === undefined ? null : window.__xss};
    }""", index)


@pytest.mark.parametrize("compress", [False, True])
def test_clustered_points_draw_offline_with_safe_popups(offline_page, tmp_path, compress):
    path = tmp_path / "bigpoints.html"
    big_points_map(make_sites(1000), name="Sites", color_by="sector",
                   compress=compress).save(str(path))
    state = _open(offline_page, path)
    assert state["count"] == state["layers"] == 1000
    assert state["clusters"] > 0
    popup = _popup_of(offline_page, 1)
    assert popup["heading"] == HOSTILE  # shown as text, exactly
    assert HOSTILE in popup["text"]
    assert set(popup["elements"]) <= {"h4", "table", "tbody", "tr", "th", "td"}
    assert popup["xss"] is None
    offline_page.check_clean()
    offline_page.screenshot("bigpoints_clustered.png")


def test_unclustered_points_are_drawn_on_one_canvas(offline_page, tmp_path):
    path = tmp_path / "bigpoints_flat.html"
    big_points_map(make_sites(300), name="Sites", cluster=False).save(str(path))
    state = _open(offline_page, path)
    assert state["count"] == state["layers"] == 300
    assert state["canvases"] >= 1 and state["clusters"] == 0
    popup = _popup_of(offline_page, 2)
    assert popup["heading"] == "Project 2"
    assert "note" not in popup["text"]  # null cells are left out
    offline_page.check_clean()
