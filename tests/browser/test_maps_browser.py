"""Offline maps in headless Chromium: no network, no errors, counts, escaping, layer toggle."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mapdata import EXPECTED, HOSTILE, SCRIPT, TEMPLATE, use_hostile_layers

pytestmark = pytest.mark.browser

COUNT_JS = """() => {
  const out = {};
  for (const [k, layer] of Object.entries(window.geoAtlas.layers)) {
    out[k] = layer.getLayers().length;
  }
  return out;
}"""


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from geo import layers
    from geo.maps.interactive import save_html

    old = os.environ.get(layers.LAYERS_ENV)
    root = tmp_path_factory.mktemp("hostile")
    use_hostile_layers(root / "layers")
    try:
        out = root / "hostile.html"
        save_html(out, offline=True, title=f"Atlas {SCRIPT} {TEMPLATE}")
        yield out
    finally:
        if old is None:
            os.environ.pop(layers.LAYERS_ENV, None)
        else:
            os.environ[layers.LAYERS_ENV] = old


def test_offline_map_draws_expected_layers_without_network(offline_page: Any,
                                                           hostile_map: Path) -> None:
    started = time.perf_counter()
    offline_page.open(hostile_map)
    elapsed = time.perf_counter() - started
    counts = offline_page.page.evaluate(COUNT_JS)
    assert offline_page.page.evaluate("() => window.geoAtlas.expected") == EXPECTED
    for key, n in EXPECTED.items():
        assert counts[key] == n, (key, counts)
    # drawn in the DOM: node DivIcons, and one SVG path per corridor section, link and site
    page = offline_page.page
    assert page.locator(".leaflet-marker-pane .geo-node").count() == EXPECTED["nodes"]
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    sections = page.evaluate("""() => window.geoAtlas.layers.corridors.getLayers()
        .reduce((n, g) => n + g.getLayers().length, 0)""")
    assert sections == 2 + 4  # border_run has 2 sections, caspian 4
    # plus one thinner path per link in no corridor ("Other network links") and one per
    # energy line
    assert paths == sections + EXPECTED["sites"] + EXPECTED["network_links"] + EXPECTED["energy"]
    assert page.evaluate("() => window.__pwned") is None
    offline_page.screenshot("hostile_map.png")
    offline_page.check_clean()
    print(f"offline hostile map loaded and drawn in {elapsed:.2f} s")


def test_popups_and_tooltips_show_hostile_text_literally(offline_page: Any,
                                                         hostile_map: Path) -> None:
    offline_page.open(hostile_map)
    page = offline_page.page
    # a real click on the Dostyk node (named with an <img onerror> string) opens its popup
    dostyk = page.evaluate("""() => {
        const g = window.geoAtlas.layers.nodes;
        return g.getLayers().findIndex(l => l.getLatLng().lng > 82.48 && l.getLatLng().lng < 82.49);
    }""")
    assert dostyk >= 0
    page.evaluate("""i => window.geoAtlas.map.setView(
        window.geoAtlas.layers.nodes.getLayers()[i].getLatLng(), 11, {animate: false})""", dostyk)
    box = page.evaluate("""i => {
        const r = window.geoAtlas.layers.nodes.getLayers()[i].getElement().getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2];
    }""", dostyk)
    page.mouse.click(*box)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5000)
    assert HOSTILE[1] in popup.inner_text()
    assert popup.locator("img").count() == 0
    # corridor popups and tooltips (opened through Leaflet) show the literal names
    texts = page.evaluate("""() => {
        window.geoAtlas.map.closePopup();
        const out = [];
        for (const g of window.geoAtlas.layers.corridors.getLayers()) {
            const first = g.getLayers()[0];
            g.openPopup(first.getCenter());
            out.push(g.getPopup().getElement().innerText);
            g.closePopup();
            g.openTooltip(first.getCenter());
            out.push(g.getTooltip().getElement().innerText);
            g.closeTooltip();
        }
        for (const line of window.geoAtlas.layers.energy.getLayers()) {
            line.openPopup(line.getCenter());
            out.push(line.getPopup().getElement().innerText);
            line.closePopup();
            line.openTooltip(line.getCenter());
            out.push(line.getTooltip().getElement().innerText);
            line.closeTooltip();
        }
        for (const m of window.geoAtlas.layers.sites.getLayers()) {
            m.openPopup();
            out.push(m.getPopup().getElement().innerText);
            m.closePopup();
            m.openTooltip();
            out.push(m.getTooltip().getElement().innerText);
            m.closeTooltip();
        }
        return out;
    }""")
    joined = "\n".join(texts)
    for hostile in HOSTILE:
        assert hostile in joined, hostile
    assert "49" not in "\n".join(t for t in texts if "7*7" in t or "tick" in t)
    legend = page.locator(".geo-legend").inner_text()
    assert SCRIPT in legend and TEMPLATE in legend
    assert page.title() == f"Atlas {SCRIPT} {TEMPLATE}"
    assert page.evaluate("() => window.__pwned") is None
    offline_page.check_clean()


def test_layer_control_toggles_sites_off(offline_page: Any, hostile_map: Path) -> None:
    offline_page.open(hostile_map)
    page = offline_page.page
    site_paths = "() => window.geoAtlas.map.hasLayer(window.geoAtlas.layers.sites)"
    assert page.evaluate(site_paths) is True
    before = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    page.locator(".leaflet-control-layers-overlays label", has_text="Sites") \
        .locator("input").click()
    assert page.evaluate(site_paths) is False
    after = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    assert after == before - EXPECTED["sites"]
    page.locator(".leaflet-control-layers-overlays label", has_text="Nodes") \
        .locator("input").click()
    assert page.locator(".leaflet-marker-pane .geo-node").count() == 0
    offline_page.screenshot("hostile_map_toggled.png")
    offline_page.check_clean()


def test_big_site_layer_shows_hostile_text_literally(offline_page: Any, tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely

    from geo.maps.interactive import save_html

    pts = gpd.GeoDataFrame({"name": list(HOSTILE), "sector": ["hydro", "port", "rail"],
                            "sources": [[{"title": h, "url": "javascript:window.__pwned=1"}]
                                        for h in HOSTILE]},
                           geometry=[shapely.Point(60 + 2 * i, 40) for i in range(3)],
                           crs="EPSG:4326")
    out = tmp_path / "big.html"
    save_html(out, corridors=False, nodes=False, sites=pts, big_threshold=2, offline=True)
    offline_page.open(out)
    page = offline_page.page
    page.wait_for_function("() => window.geoClusteredPoints && window.geoClusteredPoints['Sites']"
                           " && window.geoClusteredPoints['Sites'].drawnMs !== null", timeout=15000)
    assert page.evaluate("() => window.geoAtlas.layers.sites"
                         " === window.geoClusteredPoints['Sites'].group") is True
    popups = page.evaluate("""() => {
        const s = window.geoClusteredPoints['Sites'];
        return [0, 1, 2].map(i => {
            const marker = s.group.getLayers().find(l => l.geoIndex === i);
            s.group.fire('click', {layer: marker});
            const all = document.querySelectorAll('.leaflet-popup-content .geo-points-popup');
            const box = all[all.length - 1];  // a closing popup may linger
            return {text: box.innerText, links: box.querySelectorAll('a, img, script').length};
        });
    }""")
    for hostile, popup in zip(HOSTILE, popups, strict=True):
        assert hostile in popup["text"] and popup["links"] == 0
        assert "javascript:window.__pwned=1" in popup["text"]  # a URL shown as text
    assert "49" not in popups[2]["text"]
    assert page.evaluate("() => window.__pwned") is None
    # the layer control lists the layer under the same name as the small-set site layer
    page.locator(".leaflet-control-layers-overlays label", has_text="Sites") \
        .locator("input").click()
    assert page.evaluate("() => window.geoAtlas.map.hasLayer("
                         "window.geoAtlas.layers.sites)") is False
    assert page.locator(".geo-legend", has_text="hydro").count() == 1
    offline_page.check_clean()


def test_energy_line_popup_and_tooltip_show_hostile_text_literally(offline_page: Any,
                                                                   hostile_map: Path) -> None:
    offline_page.open(hostile_map)
    page = offline_page.page
    texts = page.evaluate("""() => {
        const [line] = window.geoAtlas.layers.energy.getLayers();
        line.openPopup(line.getCenter());
        const el = line.getPopup().getElement();
        const popup = [el.innerText, el.querySelectorAll('img').length];
        line.closePopup();
        line.openTooltip(line.getCenter());
        const tip = line.getTooltip().getElement().innerText;
        return [popup[0], popup[1], tip];
    }""")
    popup, images, tip = texts
    assert images == 0
    assert SCRIPT in popup and HOSTILE[1] in popup and TEMPLATE in popup
    for needle in ("gas pipeline", "2,000 km", "stalled", "Geodesic length", "Countries"):
        assert needle in popup, needle
    assert SCRIPT in tip and "gas pipeline" in tip
    legend = page.locator(".geo-legend").inner_text()
    assert "Energy lines" in legend and "gas pipeline" in legend
    assert page.evaluate("() => window.__pwned") is None
    offline_page.check_clean()
