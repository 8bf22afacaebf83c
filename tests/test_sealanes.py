"""Sea legs on searoute's sea-lane network: documented distances and the wrapper's traps."""

from __future__ import annotations

import pytest

from geo._errors import RoutingError
from geo.routing.sealanes import ALWAYS_RESTRICTED, normalise_lon, normalise_passage, sea_leg

# Port coordinates: recalled turning points of the project reference (corridors-and-sites.md B5).
SHANGHAI = (122.06, 30.62)
ROTTERDAM = (4.03, 51.96)
CONSTANTA = (28.66, 44.16)
POTI = (41.66006, 42.15406)  # c11, logcluster
ALMATY = (76.95, 43.34)  # inland: must never snap to the sea

# PEMP (Rodrigue & Notteboom), "Routing options Shanghai-Rotterdam",
# https://porteconomicsmanagement.org/pemp/contents/part1/interoceanic-passages/routing-options-shanghai-rotterdam
SUEZ_NM = 10_600   # "~10,600 nm" via Suez
CAPE_NM = 13_800   # "~13,800 nm" via the Cape
TOLERANCE = 0.05   # +-5 %: the published figures are rounded and port positions approximate


def test_shanghai_rotterdam_via_suez_matches_pemp() -> None:
    leg = sea_leg(SHANGHAI, ROTTERDAM)
    assert "suez" in leg.passages
    assert leg.distance_nm == pytest.approx(SUEZ_NM, rel=TOLERANCE)


def test_shanghai_rotterdam_via_cape_matches_pemp() -> None:
    leg = sea_leg(SHANGHAI, ROTTERDAM, avoid={"suez", "panama"})
    assert "suez" not in leg.passages and "panama" not in leg.passages
    assert "south_africa" in leg.passages
    assert leg.distance_nm == pytest.approx(CAPE_NM, rel=TOLERANCE)


def test_restrictions_do_not_leak_between_calls() -> None:
    # searoute keeps the previous call's restrictions when passed None; we never do.
    cape = sea_leg(SHANGHAI, ROTTERDAM, avoid={"suez", "panama"})
    default = sea_leg(SHANGHAI, ROTTERDAM)
    assert "suez" in default.passages
    assert default.distance_km < cape.distance_km
    assert default.restrictions == tuple(sorted(ALWAYS_RESTRICTED))


def test_full_restriction_list_keeps_the_arctic_closed() -> None:
    # passing only ['suez'] to searoute lets a route through the Northwest Passage
    leg = sea_leg(SHANGHAI, ROTTERDAM, avoid={"suez"})
    assert "northwest" in leg.restrictions
    assert "northwest" not in leg.passages


def test_inland_point_is_refused_not_snapped_to_karachi() -> None:
    with pytest.raises(RoutingError, match="ports only"):
        sea_leg(ALMATY, ROTTERDAM)


def test_black_sea_feeder_has_no_ocean_passage() -> None:
    leg = sea_leg(POTI, CONSTANTA)
    assert leg.passages == ()
    assert 800 < leg.distance_km < 1_400


def test_closed_black_sea_gives_a_clear_error() -> None:
    with pytest.raises(RoutingError, match="no sea route"):
        sea_leg(POTI, ROTTERDAM, avoid={"bosporus"})


def test_unknown_passage_is_refused() -> None:
    with pytest.raises(RoutingError, match="allowed"):
        sea_leg(SHANGHAI, ROTTERDAM, avoid={"kiel"})


@pytest.mark.parametrize(("lon", "expected"), [(190.0, -170.0), (-181.0, 179.0), (45.0, 45.0)])
def test_longitudes_are_normalised(lon: float, expected: float) -> None:
    assert normalise_lon(lon) == pytest.approx(expected)


def test_geometry_longitudes_within_range() -> None:
    leg = sea_leg(SHANGHAI, ROTTERDAM)
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in leg.coords)
    assert leg.coords[0] == pytest.approx(SHANGHAI) and leg.coords[-1] == pytest.approx(ROTTERDAM)


@pytest.mark.parametrize(("name", "expected"), [
    ("Cape", "south_africa"), ("bab-el-mandeb", "babalmandab"), ("Bosphorus", "bosporus"),
    ("SUEZ", "suez"), ("kiel", None)])
def test_passage_aliases(name: str, expected: str | None) -> None:
    assert normalise_passage(name) == expected
