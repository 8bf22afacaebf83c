"""Every page of the committed gallery draws offline, with no errors and the expected layers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

GALLERY = Path(__file__).resolve().parents[2] / "maps"
PAGES = sorted(p.name for p in GALLERY.glob("*.html") if p.name != "index.html")

COUNT_JS = """() => {
  const out = {};
  for (const [k, layer] of Object.entries(window.geoAtlas.layers)) {
    if (k !== 'countries') out[k] = layer.getLayers().length;
  }
  return out;
}"""


@pytest.mark.skipif(not PAGES, reason="maps/ has no gallery yet (run `geo maps`)")
@pytest.mark.parametrize("name", PAGES)
def test_gallery_page_draws_offline(offline_page: Any, name: str) -> None:
    started = time.perf_counter()
    offline_page.open(GALLERY / name)
    elapsed = time.perf_counter() - started
    page = offline_page.page
    expected = page.evaluate("() => window.geoAtlas.expected")
    assert expected, "the page declares no layers"
    assert page.evaluate(COUNT_JS) == expected
    if "nodes" in expected:
        assert page.locator(".leaflet-marker-pane .geo-node").count() == expected["nodes"]
    assert page.locator(".leaflet-overlay-pane path").count() > 0
    assert page.locator(".geo-legend").is_visible()
    offline_page.screenshot(name.replace(".html", ".png"))
    offline_page.check_clean()
    print(f"{name}: drawn offline in {elapsed:.2f} s")


def test_gallery_index_links_resolve(offline_page: Any) -> None:
    index = GALLERY / "index.html"
    if not index.exists():
        pytest.skip("maps/ has no gallery yet (run `geo maps`)")
    offline_page.page.goto(index.resolve().as_uri())
    hrefs = offline_page.page.eval_on_selector_all("a[href$='.html']",
                                                   "els => els.map(e => e.getAttribute('href'))")
    assert sorted(hrefs) == PAGES
    offline_page.check_clean()
