"""Data never becomes Jinja2 template source (issue 8, part 1).

branca renders every element twice: the text an element renders to is wrapped in
``Element(text)``, which compiles it as a template.  Text from data in it would run as
Python (``{{ cycler.__init__.__globals__.os.getcwd() }}``).  These tests put Jinja2 payloads
in every free-text field (site name, company, note, source titles, corridor, link and node
names and notes, map title and legend note) and build the page every way a user can: the
bundled-layer path (``GEO_LAYERS_DIR``), a sites GeoDataFrame (per-site markers, clustered
markers and the clustered point layer above 3,000 sites), ``geo map --sites`` and online and
offline.  A page fails when any evaluated form appears, a payload's literal text is missing
or the build raises.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import folium
import geopandas as gpd
import pytest
import shapely
from jinja_payloads import (
    EVALUATES_TO,
    PAYLOADS,
    UNBALANCED,
    evaluated,
    jinja_layers,
    jinja_sites_csv,
    missing_literals,
    payload,
)

from geo.maps._literal import RenderedText, literal_rendering
from geo.maps.interactive import render_html

TITLE = "T{{7*7}}T {% if %}"
NOTE = "N{{ 6*7 }}0N {#"


@pytest.fixture(scope="module")
def jinja_atlas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from geo import layers

    directory = jinja_layers(tmp_path_factory.mktemp("jinja") / "layers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(layers.LAYERS_ENV, str(directory))
        yield directory


def _sites(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [payload(k) for k in range(n)], "company": [payload(k + 1) for k in range(n)],
         "note": [payload(k + 2) for k in range(n)],
         "sources": [[{"title": payload(k + 3), "url": "https://example.org/s"}]
                     for k in range(n)]},
        geometry=[shapely.Point(70 + (k % 300) * 0.03, 43 + (k // 300) * 0.01)
                  for k in range(n)], crs="EPSG:4326")


def _check(html: str) -> None:
    assert evaluated(html) == [], "data was rendered as a Jinja2 template"
    assert missing_literals(html) == []


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "online"])
def test_every_layer_text_field_stays_literal(jinja_atlas: Path, offline: bool) -> None:
    html = render_html(offline=offline, title=TITLE, note=NOTE)
    _check(html)
    assert "T{{7*7}}T" in html and "N{{ 6*7 }}0N" in html and "T49T" not in html


@pytest.mark.parametrize("n", [12, 151, 3001], ids=["markers", "clustered", "big-layer"])
@pytest.mark.parametrize("offline", [True, False], ids=["offline", "online"])
def test_user_sites_stay_literal(jinja_atlas: Path, n: int, offline: bool) -> None:
    html = render_html(corridors=False, nodes=False, sites=_sites(n), offline=offline,
                       title=TITLE, note=NOTE, site_fields=["company", "note"])
    _check(html)


def test_cli_map_sites_file_stays_literal(jinja_atlas: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli.main import main

    sites = jinja_sites_csv(tmp_path / "sites.csv", 40)
    out = tmp_path / "m.html"
    code = main(["map", "--sites", str(sites), "--offline", "--title", TITLE, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err
    _check(out.read_text(encoding="utf-8"))


def test_the_check_detects_evaluation_without_the_fix(jinja_atlas: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without :func:`literal_rendering` the same page evaluates the payloads (or raises)."""
    import geo.maps._assets as assets

    monkeypatch.setattr(assets, "literal_rendering", contextlib.nullcontext)
    names = list(EVALUATES_TO)
    sites = gpd.GeoDataFrame({"name": names}, crs="EPSG:4326",
                             geometry=[shapely.Point(70 + k, 43) for k in range(len(names))])
    html = render_html(corridors=False, nodes=False, sites=sites, offline=False)
    assert sorted(evaluated(html)) == sorted(EVALUATES_TO.values())


def test_plain_folium_still_evaluates_so_only_our_figure_is_safe() -> None:
    """Documents the hazard in folium 0.20 itself (a plain Map is not patched)."""
    m = folium.Map(tiles=None)
    folium.Marker([41, 69], tooltip="jqA{{7*7}}qj").add_to(m)
    assert "jqA49qj" in m.get_root().render()
    with literal_rendering():
        m2 = folium.Map(tiles=None)
        folium.Marker([41, 69], tooltip="jqA{{7*7}}qj").add_to(m2)
        assert "jqA{{7*7}}qj" in m2.get_root().render()


def test_literal_rendering_is_scoped_and_reentrant() -> None:
    import branca.element
    import folium.map

    original = branca.element.Element
    with literal_rendering():
        assert branca.element.Element is RenderedText and folium.map.Element is RenderedText
        with literal_rendering():
            assert folium.map.Element is RenderedText
        assert folium.map.Element is RenderedText
    assert branca.element.Element is original and folium.map.Element is original
    assert RenderedText("{{ 7*7 }}").render() == "{{ 7*7 }}"


@pytest.mark.parametrize("text", UNBALANCED)
def test_unbalanced_forms_do_not_break_the_build(text: str) -> None:
    html = render_html(corridors=False, nodes=False, sites=_sites(1).assign(name=[text]),
                       offline=False, title=text)
    assert text in html


def test_payloads_really_are_templates() -> None:
    """Each payload is live Jinja2: evaluated, or a syntax error (so the tests can fail)."""
    import jinja2

    for text, result in EVALUATES_TO.items():
        assert result in jinja2.Template(text).render()
    for text in UNBALANCED:  # followed by more page text, as in a page
        with pytest.raises(jinja2.TemplateSyntaxError):
            jinja2.Template(text + " <p>more</p>")
    assert len(PAYLOADS) == len(EVALUATES_TO) + len(UNBALANCED)
