"""Finding places: geo.places(), aliases and former names, gazetteer cities off the network."""

from __future__ import annotations

import pytest
from netbuilders import line_world

import geo
from geo._errors import RoutingError
from geo.cli.main import main
from geo.routing.graph import default_network
from geo.routing.places import gazetteer, places


def test_places_lists_connected_nodes_with_filters() -> None:
    every = places()
    assert set(every["id"]) <= set(geo.nodes()["id"])
    uzb = places(country="uzb")
    assert set(uzb["country"]) == {"UZB"} and "tashkent" in set(uzb["id"])
    ports = places(kind="sea_port")
    assert set(ports["kind"]) == {"sea_port"} and "gwadar_port" in set(ports["id"])
    assert all(isinstance(m, list) and m for m in every["modes"])


def test_places_rejects_unknown_country_and_kind() -> None:
    with pytest.raises(RoutingError, match=r"countries with places: .*UZB"):
        places(country="XXX")
    with pytest.raises(RoutingError, match="unknown kind 'castle'"):
        places(kind="castle")


@pytest.mark.parametrize(("typed", "node"), [
    ("Kashi", "kashgar"), ("Alma-Ata", "almaty"), ("Urumchi", "urumqi"), ("Frunze", "bishkek"),
    ("Tselinograd", "astana"), ("Krasnovodsk", "turkmenbashi_port"), ("Chardzhou", "turkmenabat"),
    ("TOSHKENT", "tashkent"), ("Mazar-e-Sharif", "mazar_i_sharif"),
])
def test_common_spellings_and_former_names_resolve(typed: str, node: str) -> None:
    assert default_network().resolve(typed).node_id == node


def test_gazetteer_city_off_the_network_names_the_nearest_node_in_its_country() -> None:
    net = default_network()
    lahore = next(c for c in gazetteer() if c.name == "Lahore")
    assert lahore.country == "PAK" and lahore.source_url.startswith("https://www.geonames.org/")
    with pytest.raises(RoutingError, match=r"'Lahore' \(PAK.*not in the network.*"
                                           r"\(islamabad\), \d+ km away") as info:
        net.resolve("Lahore")
    km = float(str(info.value).split("), ")[1].split(" km")[0])
    assert km == pytest.approx(geo.distance_km(lahore.lon, lahore.lat, 73.04329, 33.72148), abs=1)
    # Khujand (TJK) is nearest to Angren (UZB, about 94 km), but the answer stays in Tajikistan
    with pytest.raises(RoutingError, match=r"Khujand.*nearest node is Dushanbe \(dushanbe\)"):
        net.resolve("Khujand")


def test_misspelling_suggestions_rank_by_similarity() -> None:
    with pytest.raises(RoutingError, match=r"did you mean: Tashkent \(tashkent\), "):
        default_network().resolve("Tashkant")
    with pytest.raises(RoutingError, match=r"unknown place 'Epsilom'.*Epsilon \(e\)"):
        line_world().resolve("Epsilom")


def test_cli_places(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "--country", "KGZ"]) == 0
    out = capsys.readouterr().out
    assert "bishkek" in out and "Frunze" in out and "tashkent" not in out
    assert main(["places", "--kind", "sea_port", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,name,kind,country") and len(lines) == len(places(kind="sea_port")) + 1
    assert main(["places", "--country", "ATL"]) == 2
    assert "no place in country 'ATL'" in capsys.readouterr().err
