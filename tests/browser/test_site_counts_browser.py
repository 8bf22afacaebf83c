"""Every site count draws, online and offline (issue 8, part 2), and Jinja2 payloads show literally.

The three site renderings switch at 150 (plain markers -> clustered markers) and 3,000
(clustered markers -> the clustered point layer); offline maps with 151 to 3,000 sites were blank
("Map has no maxZoom specified": a map without tiles had no zoom range).  Pages are built
once per module, for 1, 150, 151, 1,000, 3,000, 3,001 and 10^5 generated sites, offline
(assets inlined) and online (the pinned CDN URLs are served from the local copies, tiles
are refused).  In each page the drawn sites are counted from the DOM/canvas state, not
from the input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from jinja_payloads import EVALUATES_TO, PAYLOADS, evaluated

pytestmark = pytest.mark.browser

COUNTS = (1, 150, 151, 1000, 3000, 3001, 100_000)
MODES = ("offline", "online")


def _sites(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(n)
    names = [f"site {k}" for k in range(n)]
    for k, text in enumerate(PAYLOADS[:n]):
        names[k] = text
    return gpd.GeoDataFrame(
        {"name": names, "sector": rng.choice(["rail", "port", "dry_port"], n)},
        crs="EPSG:4326", geometry=shapely.points(rng.uniform(60, 80, n), rng.uniform(38, 48, n)))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    from geo.maps.interactive import save_html

    root = tmp_path_factory.mktemp("counts")
    out: dict[tuple[int, str], Path] = {}
    for n in COUNTS:
        sites = _sites(n)
        for mode in MODES:
            path = root / f"sites_{n}_{mode}.html"
            save_html(path, corridors=False, nodes=False, sites=sites,
                      offline=mode == "offline", title="jqT{{7*7}}qj")
            out[n, mode] = path
    return out


class Page:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A page that serves the pinned CDN assets from the local copies and refuses the rest."""
    from geo.maps._assets import ASSETS

    local = {a.url: a for a in ASSETS.values()}
    context = browser.new_context(viewport={"width": 1200, "height": 800},
                                  service_workers="block")
    state = Page(context.new_page())

    def _route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        elif url in local:
            asset = local[url]
            route.fulfill(path=str(asset.path()),
                          content_type="text/css" if asset.kind == "css" else "text/javascript")
        else:
            state.blocked.append(url)
            route.abort()

    state.page.route("**/*", _route)
    state.page.on("pageerror", lambda exc: state.errors.append(f"pageerror: {exc}"))
    state.page.on("console", lambda msg: state.errors.append(f"console: {msg.text}")
                  if msg.type == "error" and "net::ERR_FAILED" not in msg.text else None)
    try:
        yield state
    finally:
        context.close()


DRAWN_JS = """() => {
  const s = window.geoAtlas.layers.sites;
  const big = window.geoClusteredPoints && window.geoClusteredPoints['Sites'];
  if (big) {
    // grid clusters of the points in view (all of them at the opening view): every point
    // is in one drawn cluster or drawn alone; without clustering the group holds them all
    const n = big.shown === null ? big.group.getLayers().length
                                 : big.shown.reduce((a, c) => a + c.count, 0);
    return {kind: 'big', n: n, count: big.count,
            clusters: document.querySelectorAll('.geo-cluster, .marker-cluster').length,
            canvases: document.querySelectorAll('canvas').length};
  }
  if (s.getVisibleParent) {  // markercluster: the numbers on the cluster icons in the page
    let n = 0;                 // plus the single markers drawn outside clusters
    const icons = document.querySelectorAll('.leaflet-marker-pane .marker-cluster');
    icons.forEach(el => { n += parseInt(el.textContent, 10); });
    n += document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length;
    return {kind: 'cluster', n: n, clusters: icons.length,
            animating: !!window.geoAtlas.map._animatingZoom};
  }
  return {kind: 'markers', n: s.getLayers().length,
          paths: document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length};
}"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", COUNTS)
def test_every_site_count_is_drawn(page: Page, pages: dict[tuple[int, str], Path], n: int,
                                   mode: str) -> None:
    p = page.page
    p.goto(pages[n, mode].resolve().as_uri(), wait_until="load")
    p.wait_for_function("() => window.geoAtlas !== undefined", timeout=15000)
    if n > 3000:
        p.wait_for_function("() => window.geoClusteredPoints && window.geoClusteredPoints['Sites']"
                            " && window.geoClusteredPoints['Sites'].drawnMs !== null", timeout=60000)
    if 150 < n <= 3000:  # wait for clustering (and any zoom animation) to settle
        with contextlib.suppress(Exception):  # the assertions below report what was drawn
            p.wait_for_function(f"() => {{ const d = ({DRAWN_JS})(); "
                                f"return !d.animating && d.n === {n}; }}", timeout=10000)
    drawn = p.evaluate(DRAWN_JS)
    assert page.errors == [], page.errors
    assert p.evaluate("() => window.geoAtlas.expected.sites") == n
    assert p.evaluate("() => window.geoAtlas.map.getMaxZoom()") >= 10
    if n <= 150:
        assert drawn == {"kind": "markers", "n": n, "paths": n}
    elif n <= 3000:
        assert drawn["kind"] == "cluster" and drawn["n"] == n and drawn["clusters"] > 0
    else:
        assert drawn["kind"] == "big" and drawn["n"] == drawn["count"] == n
        assert drawn["clusters"] > 0
    # the legend (with its title) and the layer control are there: the page is not blank
    assert "jqT{{7*7}}qj" in p.locator(".geo-legend").inner_text()
    assert p.locator(".leaflet-control-layers").count() == 1
    if mode == "online":
        assert all("tile.openstreetmap.org" in u for u in page.blocked), page.blocked
    else:
        assert page.blocked == []


@pytest.mark.parametrize("n", [150, 151, 3001])
def test_jinja_payloads_show_literally_in_popups_and_tooltips(page: Page, pages: dict,
                                                              n: int) -> None:
    p = page.page
    p.goto(pages[n, "offline"].resolve().as_uri(), wait_until="load")
    p.wait_for_function("() => window.geoAtlas !== undefined", timeout=15000)
    if n > 3000:
        p.wait_for_function("() => window.geoClusteredPoints['Sites'].drawnMs !== null",
                            timeout=60000)
        texts = p.evaluate("""(k) => {
            const s = window.geoClusteredPoints['Sites'];
            const out = [];
            for (let i = 0; i < k; i++) { out.push(s.popup(i).textContent); }
            return out;
        }""", len(PAYLOADS))
    else:
        texts = p.evaluate("""() => {
            const out = [];
            const all = window.geoAtlas.layers.sites.getLayers();
            for (const m of all) {
                out.push(m.getPopup().getContent().textContent || '');
                const t = m.getTooltip().getContent();
                out.push(typeof t === 'string' ? new DOMParser()
                    .parseFromString(t, 'text/html').body.textContent : t.textContent);
            }
            return out;
        }""")
    joined = "\n".join(texts)
    for text in PAYLOADS:
        assert text in joined, text
    assert evaluated(joined) == []
    assert EVALUATES_TO  # the payloads include evaluable expressions (see test_template_injection)
    assert page.errors == []
