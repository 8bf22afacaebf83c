"""The arrangements page and the membership timeline: offline, deterministic, data stays text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import geo
from geo.maps.arrangements import NO_ROLE_COLOUR, page_data, render_arrangements_page
from geo.maps.gallery import _arrangements_page, _index_html
from geo.maps.timeline import draw_timeline, membership_timeline

HOSTILE = '</script><img src=x onerror="window.pwned=1">{{ 7*7 }}${alert(1)}'


def frames(note: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    mem = geo.arrangements()
    if note is not None:
        mem.loc[mem.index[0], "note"] = note
        mem.at[mem.index[0], "sources"] = [{"title": note, "url": "javascript:alert(1)"}]
    return mem, geo.arrangements(table="arrangements")


def render(note: str | None = None) -> str:
    mem, arr = frames(note)
    return render_arrangements_page(mem, arr, geo.countries(), geo.corridors(), last_year=2026)


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="arrangements-data">(.*?)</script>', html,
                  re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_page_is_offline_and_deterministic() -> None:
    a, b = render(), render()
    assert a == b
    assert "<script src=" not in a and '<link rel="stylesheet"' not in a
    assert "L.tileLayer(" not in a  # no tiles: the outlines are the only background
    assert 'id="provenance"' in a


def test_page_carries_every_period_with_its_sources() -> None:
    data = embedded(render())
    mem = geo.arrangements()
    assert len(data["memberships"]) == len(mem)
    assert [a["id"] for a in data["arrangements"]] == list(geo.arrangements(table="arrangements")["id"])
    first = data["memberships"][0]
    assert first["sources"] == mem.iloc[0]["sources"]
    assert data["firstYear"] == 1996 and data["lastYear"] == 2026
    assert data["noRoleColour"] == NO_ROLE_COLOUR
    drawn = {f["properties"]["iso3"] for f in data["countries"]["features"]}
    assert set(mem["country"]) <= drawn
    assert len(data["corridors"]["features"]) == len(geo.corridors())


def test_hostile_text_stays_inert_json() -> None:
    html = render(HOSTILE)
    assert HOSTILE not in html
    assert "<img src=x" not in html and "{{ 7*7 }}" in html  # JSON text, never a template
    data = embedded(html)
    assert data["memberships"][0]["note"] == HOSTILE


def test_page_data_without_corridors() -> None:
    mem, arr = frames()
    data = page_data(mem, arr, geo.countries(), None, last_year=2020)
    assert data["corridors"]["features"] == []


def test_gallery_page_and_index_entry(tmp_path: Path) -> None:
    page = _arrangements_page(tmp_path)
    assert page is not None and (tmp_path / "arrangements.html").stat().st_size == page.size_bytes
    n = len(geo.arrangements(table="arrangements"))
    assert f"Roles of countries in {n} arrangements" in page.description
    index = _index_html([page], comparison_table="")
    assert 'href="arrangements.html"' in index


def test_timeline_png_is_deterministic(tmp_path: Path) -> None:
    a = membership_timeline(tmp_path / "a.png", last_year=2026)
    b = membership_timeline(tmp_path / "b.png", last_year=2026)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeline_svg_has_no_date_and_one_row_per_country(tmp_path: Path) -> None:
    mem = geo.arrangements()
    rows = mem[mem["country"].isin(["KAZ", "GEO", "TUR"])]
    names = {"KAZ": "Kazakhstan", "GEO": "Georgia", "TUR": "Turkey"}
    path = draw_timeline(rows, ["sco", "cis", "ots"], names, tmp_path / "t.svg", last_year=2026)
    text = path.read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    assert text == draw_timeline(rows, ["sco", "cis", "ots"], names, tmp_path / "u.svg",
                                 last_year=2026).read_text(encoding="utf-8")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"arrangements": ["nato"]}, "nato"),
    ({"countries": "some"}, "corridors"),
])
def test_timeline_refuses_unknown_choices(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(geo.ArrangementError, match=match):
        membership_timeline(tmp_path / "x.png", **kwargs)


def test_timeline_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png"):
        membership_timeline(tmp_path / "x.gif")


def test_cli_writes_the_timeline(tmp_path: Path) -> None:
    from geo.cli.main import main

    out = tmp_path / "timeline.png"
    assert main(["figure", "--arrangements", "--arrangement", "eaeu", "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
