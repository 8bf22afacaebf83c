"""What a reader sees at 1400x900, measured in headless Chromium with no network.

Every popup opened lies inside the map and clear of the legend; labels are on the map at the
initial zoom; the comparison page holds the paper's three figures and a verdict for every
scenario, and its scenario control switches the routes drawn.  Screenshots go to
tests/_artifacts/ for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import geo
from geo.maps.gallery import comparison_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1400, "height": 900}
SCENARIOS = ("official", "observed", "disrupted")

#: Opens the popup of every layer in the given groups (at most ``limit`` per group), waits
#: for Leaflet's auto-pan to settle, and returns each popup's box with the map's and the
#: legend's boxes (client pixels).
POPUP_BOXES_JS = """async ([keys, limit]) => {
  const atlas = window.geoAtlas, map = atlas.map;
  const box = e => { const r = e.getBoundingClientRect();
                     return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const watch = () => {  // call before opening: the auto-pan starts while it opens
    let moving = false, ended = false;
    map.once('movestart', () => { moving = true; });
    map.once('moveend', () => { ended = true; });
    return () => new Promise(done => {  // then until the popup stops moving
      let last = null;
      const wait = () => {
        const el = document.querySelector('.leaflet-popup');
        const now = el ? JSON.stringify(box(el)) : null;
        const panning = map._panAnim && map._panAnim._inProgress;  // Leaflet's pan animation
        if ((!moving || ended) && !panning && now === last) { done(); }
        else { last = now; setTimeout(wait, 100); }
      };
      setTimeout(wait, 100);
    });
  };
  const out = [];
  for (const key of keys) {
    const group = atlas.layers[key];
    if (!group) continue;
    const members = [];
    group.eachLayer(l => { members.push(l); });
    for (const layer of members.slice(0, limit)) {
      let target = layer, where = null;
      if (layer.getLayers && !layer.getPopup()) { target = layer.getLayers()[0]; }
      if (!target.getPopup || !target.getPopup()) continue;
      where = target.getLatLng ? target.getLatLng()
            : (target.getLayers ? target.getLayers()[0] : target).getLatLngs().flat(3)[0];
      map.setView(where, map.getZoom(), {animate: false});
      const settled = watch();
      target.openPopup(where);
      await settled();
      const el = target.getPopup().getElement();
      const legend = document.querySelector('.geo-legend');
      const layers = document.querySelector('.leaflet-control-layers');
      out.push({key, popup: box(el.querySelector('.leaflet-popup-content-wrapper')),
                tip: box(el), map: box(map.getContainer()),
                legend: legend ? box(legend) : null, layers: layers ? box(layers) : null,
                text: el.innerText.slice(0, 80)});
      target.closePopup();
    }
  }
  return out;
}"""


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["l"] >= outer["l"] - 0.5 and inner["t"] >= outer["t"] - 0.5
            and inner["r"] <= outer["r"] + 0.5 and inner["b"] <= outer["b"] + 0.5)


def _intersects(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _check_popups(boxes: list[dict[str, Any]]) -> None:
    assert boxes, "no popup was opened"
    for b in boxes:
        assert _inside(b["tip"], b["map"]), f"popup leaves the map: {b}"
        for control in ("legend", "layers"):
            if b[control] is not None:
                assert not _intersects(b["tip"], b[control]), f"{control} covers a popup: {b}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    out = tmp_path_factory.mktemp("story")
    overview = out / "overview.html"
    geo.make_map(offline=True, title="Corridor atlas: overview").save(str(overview))
    kkh = out / "kkh.html"
    geo.make_map(corridors=["karakoram_highway"], offline=True,
                 title="Karakoram Highway").save(str(kkh))
    comparison = out / "comparison.html"
    comparison_page(comparison, n_draws=200)
    yield {"overview": overview, "kkh": kkh, "comparison": comparison}


@pytest.fixture
def reader(offline_page: Any) -> Any:
    offline_page.page.set_viewport_size(VIEWPORT)
    return offline_page


def test_overview_popups_stay_inside_the_map_and_clear_of_the_legend(
        reader: Any, pages: dict[str, Path]) -> None:
    reader.open(pages["overview"])
    boxes = reader.page.evaluate(POPUP_BOXES_JS, [["corridors", "network_links", "nodes",
                                                   "sites"], 12])
    keys = {b["key"] for b in boxes}
    assert {"corridors", "nodes", "sites"} <= keys
    _check_popups(boxes)
    # the tallest popup (a corridor with its sections) scrolls instead of growing
    heights = [b["tip"]["b"] - b["tip"]["t"] for b in boxes]
    assert max(heights) <= VIEWPORT["height"]
    reader.check_clean()


def test_labels_present_at_the_initial_zoom(reader: Any, pages: dict[str, Path]) -> None:
    for name in ("overview", "kkh"):
        reader.open(pages[name])
        shown = reader.page.evaluate("""() => {
            const map = window.geoAtlas.map.getContainer().getBoundingClientRect();
            return [...document.querySelectorAll('.geo-label')]
              .filter(e => e.style.display !== 'none')
              .map(e => { const r = e.getBoundingClientRect();
                          return {text: e.textContent, kind: e.className,
                                  l: r.left, t: r.top, r: r.right, b: r.bottom,
                                  inside: r.left >= map.left && r.right <= map.right &&
                                          r.top >= map.top && r.bottom <= map.bottom}; });
        }""")
        nodes = [s for s in shown if "geo-label-node" in s["kind"]]
        assert len(nodes) >= 5, name
        assert all(s["inside"] for s in shown)
        for i, a in enumerate(shown):  # no two visible labels collide
            for b in shown[i + 1:]:
                assert not _intersects(a, b), (a["text"], b["text"])
        if name == "kkh":
            assert {"Kashgar", "Gilgit", "Sost"} <= {s["text"] for s in nodes}
        else:
            assert any("geo-label-country" in s["kind"] for s in shown)
        reader.screenshot(f"story_{name}.png")
    reader.check_clean()


def test_clicking_a_line_leaves_no_focus_outline(reader: Any, pages: dict[str, Path]) -> None:
    reader.open(pages["kkh"])
    page = reader.page
    path = page.locator(".leaflet-overlay-pane path.leaflet-interactive").last
    path.click(force=True)
    page.wait_for_timeout(300)
    outline = page.evaluate("""() => {
        const e = document.activeElement;
        return e && e.tagName.toLowerCase() === 'path' ? getComputedStyle(e).outlineStyle
                                                        : 'none'; }""")
    assert outline == "none"
    reader.check_clean()


def test_comparison_page_tells_the_claim(reader: Any, pages: dict[str, Path]) -> None:
    reader.open(pages["comparison"])
    page = reader.page
    panel = page.locator("#geo-story")
    text = panel.inner_text()
    assert "The Effects of Regional Arrangements on China's Foreign Policy in Central Asia" in text
    for figure in ("6500 Km", "6,500 km", "60 days", "14 days"):
        assert figure in text, figure
    assert "xian" not in text.replace("Xi'an", "")  # names, not ids
    # every paper claim has a verdict (or the reason there is none) for every scenario
    claims = page.evaluate("""() => [...document.querySelectorAll('.geo-claim-paper')].map(c => {
        const head = [...c.querySelectorAll('tr:first-child th')].map(th => th.textContent);
        const rows = [...c.querySelectorAll('tr')].slice(1).map(tr =>
            [...tr.querySelectorAll('.geo-verdict')].map(v => v.textContent));
        return {head, rows};
    })""")
    assert len(claims) == 3
    for claim in claims:
        assert claim["head"][1:] == list(SCENARIOS)
        for verdicts in claim["rows"]:
            assert len(verdicts) == 3 and all(verdicts)
    verdicts = [v for c in claims for r in c["rows"] for v in r]
    assert any(v.startswith("claim ") for v in verdicts)
    assert page.locator("#geo-story img.geo-chart").evaluate("i => i.naturalWidth") > 100
    reader.screenshot("story_comparison.png")
    reader.check_clean()


def test_scenario_control_switches_table_and_routes(reader: Any, pages: dict[str, Path]) -> None:
    reader.open(pages["comparison"])
    page = reader.page
    on_map = """() => Object.entries(window.geoAtlas.layers)
        .filter(([k, l]) => k.startsWith('routes_') && window.geoAtlas.map.hasLayer(l))
        .map(([k]) => k)"""
    medians = "() => [...document.querySelectorAll('.geo-median')].map(e => e.textContent)"
    assert page.evaluate(on_map) == ["routes_official"]
    official = page.evaluate(medians)
    page.locator(".geo-switch button", has_text="observed").click()
    assert page.evaluate(on_map) == ["routes_observed"]
    assert page.evaluate(medians) != official
    assert page.locator(".geo-switch button[aria-selected=true]").inner_text() == "observed"
    page.locator(".geo-switch button", has_text="disrupted").click()
    assert page.evaluate(on_map) == ["routes_disrupted"]
    boxes = page.evaluate(POPUP_BOXES_JS, [["routes_disrupted"], 10])
    _check_popups(boxes)
    assert any("waiting" in b["text"].lower() or "Legs" in b["text"] for b in boxes) or boxes
    reader.screenshot("story_comparison_disrupted.png")
    reader.check_clean()


def test_comparison_route_popups_list_legs_and_sources(reader: Any,
                                                      pages: dict[str, Path]) -> None:
    reader.open(pages["comparison"])
    page = reader.page
    boxes = page.evaluate(POPUP_BOXES_JS, [["routes_official"], 10])
    _check_popups(boxes)
    texts = page.evaluate("""async () => {
        const out = [];
        window.geoAtlas.layers.routes_official.eachLayer(l => {
            l.openPopup(l.getLatLngs().flat(3)[0]);
            out.push(l.getPopup().getElement().innerText);
            l.closePopup();
        });
        return out;
    }""")
    assert len(texts) == 5
    for t in texts:
        assert "Legs (days of the median draw)" in t and "waiting for" in t
        assert "Sources of the speeds and waiting times" in t
    reader.check_clean()
