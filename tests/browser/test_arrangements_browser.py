"""The arrangements page in a real browser: controls, colours, popups, no network, inert data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import geo
from geo.maps.arrangements import NO_ROLE_COLOUR, ROLE_COLOURS, render_arrangements_page

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.pwned=1">{{ 7*7 }}'


def write_page(path: Path, *, hostile: bool = False) -> Path:
    mem = geo.arrangements()
    if hostile:
        i = mem.index[(mem["arrangement"] == "eaeu") & (mem["country"] == "KAZ")][0]
        mem.loc[i, "note"] = HOSTILE
        mem.at[i, "sources"] = [{"title": HOSTILE, "url": "javascript:window.pwned=2"}]
    html = render_arrangements_page(mem, geo.arrangements(table="arrangements"), geo.countries(),
                                    geo.corridors(), last_year=2026)
    path.write_text(html, encoding="utf-8")
    return path


def test_controls_colour_the_members_of_each_year(offline_page: Any, tmp_path: Path) -> None:
    offline_page.open(write_page(tmp_path / "arrangements.html"))
    page = offline_page.page
    ids = list(geo.arrangements(table="arrangements")["id"])
    assert page.eval_on_selector_all("#arrangement option", "os => os.map(o => o.value)") == ids
    assert page.evaluate("() => window.geoAtlas.layers.corridors.getLayers().length") == \
        len(geo.corridors())
    page.select_option("#arrangement", "eaeu")
    page.fill("#year", "2014")
    assert page.evaluate("() => window.geoAtlas.fillOf('KAZ')") == NO_ROLE_COLOUR
    assert "Eurasian Economic Union, 31 December 2014: 0 members" in page.inner_text("#summary")
    page.fill("#year", "2024")
    assert page.evaluate("() => window.geoAtlas.fillOf('KAZ')") == ROLE_COLOURS["founding_member"]
    assert page.evaluate("() => window.geoAtlas.fillOf('ARM')") == ROLE_COLOURS["member"]
    n = len(geo.members("eaeu", year=2024))
    assert f"31 December 2024: {n} members" in page.inner_text("#summary")
    page.select_option("#arrangement", "sco")
    page.fill("#year", "2016")
    for iso in ("IND", "PAK", "IRN", "MNG"):
        assert page.evaluate(f"() => window.geoAtlas.roleOf('{iso}')") == "observer"
    assert page.locator(".geo-legend").is_visible()
    assert "observer (" in page.inner_text(".geo-legend")
    offline_page.screenshot("arrangements_sco_2016.png")
    offline_page.check_clean()


def test_popup_shows_role_dates_and_linked_sources(offline_page: Any, tmp_path: Path) -> None:
    offline_page.open(write_page(tmp_path / "arrangements.html"))
    page = offline_page.page
    page.evaluate("() => window.geoAtlas.set('eaeu_customs_union', 2012)")
    page.evaluate("() => window.geoAtlas.openPopup('KAZ')")
    text = page.inner_text(".leaflet-popup-content")
    assert "Kazakhstan" in text and "founding member" in text and "since 2010-01-01" in text
    row = geo.arrangements().query("arrangement == 'eaeu_customs_union' and country == 'KAZ'").iloc[0]
    hrefs = page.eval_on_selector_all(".leaflet-popup-content a", "as => as.map(a => a.href)")
    assert hrefs == [s["url"] for s in row["sources"]]
    offline_page.check_clean()


def test_hostile_note_and_source_stay_text(offline_page: Any, tmp_path: Path) -> None:
    offline_page.open(write_page(tmp_path / "hostile.html", hostile=True))
    page = offline_page.page
    page.evaluate("() => window.geoAtlas.set('eaeu', 2024)")
    page.evaluate("() => window.geoAtlas.openPopup('KAZ')")
    text = page.inner_text(".leaflet-popup-content")
    assert HOSTILE in text
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.locator(".leaflet-popup-content a").count() == 0  # javascript: URL not linked
    assert page.evaluate("() => window.pwned") is None
    offline_page.check_clean()
