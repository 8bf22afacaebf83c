"""What a reader sees, checked in Python: names not ids, values once, no curation notes,
labels as data, route popups with legs and sources, the model objects' short displays."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import geo
from geo.maps._labels import Labels, country_labels, node_labels, sea_labels
from geo.maps._popups import public_note, site_popup, site_value_text
from geo.maps.interactive import CORRIDOR_COLOURS, link_style, route_popup


@pytest.mark.parametrize(("value", "note", "expected"), [
    (1.5e8, "~$150M", "~$150M"),  # the note states the value: shown once
    (4.18e9, "$4.18bn acquisition", "$4.18bn acquisition"),
    (3.6e9, None, "US$ 3.60 bn"),
    (None, "GEL 582.8M (~$202M)", "GEL 582.8M (~$202M)"),
    (7.0e8, "whole line $3bn", "US$ 700 m (whole line $3bn)"),  # a different figure: both
])
def test_site_value_is_formatted_once(value: float | None, note: str | None,
                                      expected: str) -> None:
    assert site_value_text(value, note) == expected


def test_site_popups_show_names_and_each_figure_once() -> None:
    from geo.maps._popups import site_year_text

    assert site_year_text(1997.0, "1997") == "1997"
    assert site_year_text(2013, "agreement signed") == "2013 (agreement signed)"
    row = {"name": "A site", "sector": "oil_gas_upstream", "status": "under_construction",
           "corridor": "titr_btk"}
    html = site_popup(row, corridor_names={"titr_btk": "Middle Corridor via Dostyk"})
    assert "oil gas upstream" in html and "under construction" in html
    assert "Middle Corridor via Dostyk" in html and "titr_btk" not in html


def test_no_curation_notes_in_site_popups() -> None:
    assert public_note("Reference C row 8. Offshore oil field.") == "Offshore oil field."
    assert public_note("Reference C row 6.") is None
    assert public_note("A note that mentions Reference C row 3 later") is not None
    for row in geo.sites().to_dict("records"):
        html = site_popup(row)
        assert not re.search(r"Reference [A-Z] row \d+", html), row["id"]
        assert "(~$" not in html.replace("&#36;", "$") or "US$" not in html


def test_labels_are_ranked_data_and_inert_json() -> None:
    nodes = node_labels(geo.nodes().to_dict("records"))
    by_text = {d["text"]: d for d in nodes}
    assert by_text["Xi'an"]["rank"] < by_text["Sost"]["rank"]  # hubs before border towns
    assert all(" (" not in d["text"] for d in nodes)  # short names
    seas = {d["text"] for d in sea_labels()}
    assert {"Caspian Sea", "Black Sea"} <= seas
    countries = country_labels(bounds=[[35.0, 60.0], [50.0, 90.0]])
    assert "Kazakhstan" in {d["text"] for d in countries}
    assert all(d["rank"] > max(x["rank"] for x in nodes) for d in countries)
    hostile = Labels([{"text": "${7*7} `x` </script>", "lon": 0, "lat": 0, "kind": "node",
                       "rank": 1}])
    assert "${" not in hostile.labels_json and "`" not in hostile.labels_json
    assert "</script>" not in hostile.labels_json
    assert json.loads(hostile.labels_json)[0]["text"] == "${7*7} `x` </script>"


def test_sea_label_positions_are_cited() -> None:
    doc = json.loads((Path(geo.__file__).parent / "maps" / "data" / "sea_labels.json")
                     .read_text(encoding="utf-8"))
    for sea in doc["seas"]:
        assert sea["source"]["url"].startswith("http") and sea["source"]["title"]
        assert -180 <= sea["lon"] <= 180 and -90 <= sea["lat"] <= 90


def test_each_corridor_has_its_own_colour() -> None:
    assert len(set(CORRIDOR_COLOURS)) == len(CORRIDOR_COLOURS) >= len(geo.corridors())
    rail = link_style({"properties": {"mode": "rail", "status": "operational", "colour": "#123456"}})
    road = link_style({"properties": {"mode": "road", "status": "operational", "colour": "#123456"}})
    ferry = link_style({"properties": {"mode": "ferry", "status": "operational"}})
    assert rail["color"] == road["color"] == "#123456"
    assert rail["weight"] > road["weight"]  # mode in the width
    assert "dashArray" not in rail and ferry["dashArray"]  # ferry dotted


@pytest.fixture(scope="module")
def route() -> geo.Route:
    return geo.route("xian", "duisburg", n_draws=200)


def test_route_displays_are_short_and_rounded(route: geo.Route) -> None:
    text = repr(route)
    assert text.startswith("<Route Xi'an to Duisburg: ") and len(text) < 200
    assert re.search(r"[\d,]+\.\d km, \d+\.\d days median", text)
    html = route._repr_html_()
    assert html.startswith("<table>") and "Xi&#x27;an" in html and len(html) < 5000
    assert repr(route.estimate).startswith("<TransitEstimate ") and len(repr(route.estimate)) < 200
    assert "<table>" in route.estimate._repr_html_()
    gdf = route.to_gdf()
    assert (gdf["distance_km"] == gdf["distance_km"].round(1)).all()
    for geom in gdf.geometry:
        for x, y in geom.coords:
            assert x == round(x, 6) and y == round(y, 6)
    doc = route.to_geojson()
    coords = [c for f in doc["features"] for c in f["geometry"]["coordinates"]]
    assert all(len(repr(v).split(".")[-1]) <= 6 for c in coords for v in c)


def test_route_map_and_popup_show_legs_waiting_and_sources(route: geo.Route) -> None:
    frame = geo.route_frame([route])
    row = frame.iloc[0].to_dict()
    assert row["name"] == "Xi'an to Duisburg"
    html = route_popup(row, row["name"])
    assert html.count("<tr><td>rail</td>") == len(route.legs)
    for leg in route.legs.itertuples():
        assert f"{leg.dwell_h / 24:.1f}" in html
    assert "Sources of the speeds and waiting times" in html and 'href="http' in html
    page = route.map().get_root().render()
    assert "Xi&#x27;an to Duisburg" in page or "Xi\\u0027an to Duisburg" in page


def test_comparison_displays(route: geo.Route) -> None:
    c = geo.compare(n_draws=100)
    assert repr(c).startswith("<Comparison Xi'an to Duisburg, scenario 'official': ")
    assert len(repr(c)) < 300 and len(c._repr_html_()) < 6000
    m = c.map()
    html = m.get_root().render()
    assert "Sea versus land: Xi" in html and "xian to duisburg" not in html


def test_labels_by_default_only_without_tiles() -> None:
    with_tiles = geo.make_map(corridors=["karakoram_highway"]).get_root().render()
    offline = geo.make_map(corridors=["karakoram_highway"], offline=True).get_root().render()
    assert "geoLabels" not in with_tiles and "tile.openstreetmap.org" in with_tiles
    assert "geoLabels" in offline and "Gilgit" in offline
    forced = geo.make_map(corridors=["karakoram_highway"], labels=True).get_root().render()
    assert "geoLabels" in forced


def test_one_selection_step_for_maps_and_figures() -> None:
    from geo.maps.selection import select

    sel = select(corridors=["karakoram_highway"])
    corridor = geo.corridors().set_index("id").loc["karakoram_highway"]
    assert sel.corridor_link_ids == set(corridor["link_ids"])
    assert set(sel.nodes["id"]) == set(corridor["nodes"])
    assert sel.network_links is None  # a subset: no other links unless asked
    everything = select()
    assert everything.network_links is not None
    assert not set(everything.network_links["id"]) & everything.corridor_link_ids
    assert select(corridors=False, nodes=False, sites=False).corridors is None
