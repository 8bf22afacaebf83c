"""Regional arrangements: the cited layer, its validation and the membership API."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import geo
from geo import membership
from geo._validate_arrangements import check_arrangements, parse_date

BUNDLED = membership.arrangements_path()


def bundled() -> dict[str, Any]:
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


def make_period(arrangement: str = "sco", country: str = "KAZ", role: str = "member",
                start: str | None = "2001-06-15", end: str | None = None,
                **extra: Any) -> dict[str, Any]:
    row = {"arrangement": arrangement, "country": country, "role": role, "start": start,
           "end": end, "sources": [{"title": "A source", "url": "https://example.org/a"}]}
    row.update(extra)
    return row


def mini(*periods: dict[str, Any]) -> dict[str, Any]:
    arr = {"id": "sco", "name": "Shanghai Cooperation Organisation", "kind": "organisation",
           "founded": "2001-06-15", "sources": [{"title": "S", "url": "https://example.org/s"}]}
    return {"arrangements": [arr], "memberships": list(periods)}


def problems_of(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in check_arrangements(data, name="arr.json",
                                               iso3_codes={"KAZ", "RUS", "CHN"})]


# --------------------------------------------------------------------------- the layer


def test_bundled_layer_is_valid() -> None:
    assert membership.validate_arrangements() == []


def test_every_row_cites_a_source_and_every_role_is_in_the_vocabulary() -> None:
    mem = geo.arrangements()
    assert len(mem) > 100
    assert set(mem["role"]) <= set(geo.Role.choices())
    assert all(len(s) >= 1 and all(x["url"].startswith("http") for x in s) for s in mem["sources"])


def test_required_arrangements_are_covered() -> None:
    ids = set(geo.arrangements(table="arrangements")["id"])
    assert {"sco", "cica", "eaeu", "eaeu_customs_union", "csto", "cis", "carec", "aiib", "ots",
            "titr", "bri"} <= ids


def test_countries_of_the_corridors_have_rows() -> None:
    crossed = {c for cs in geo.corridors()["countries"] for c in cs}
    asia = crossed - {"POL", "DEU"}  # EU states belong to none of the Eurasian arrangements
    assert asia <= set(geo.arrangements()["country"])


@pytest.mark.parametrize(("value", "first", "precision"), [
    ("2015", dt.date(2015, 1, 1), "year"),
    ("2015-07", dt.date(2015, 7, 1), "month"),
    ("2015-07-09", dt.date(2015, 7, 9), "day"),
])
def test_dates_keep_their_precision(value: str, first: dt.date, precision: str) -> None:
    assert parse_date(value) == (first, precision)


@pytest.mark.parametrize("value", ["15-07-2015", "2015-13", "2015-02-30", "1850", "2015/07", ""])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY|calendar|outside"):
        parse_date(value)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_iso_day_parses_to_itself(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == (day, "day")


# --------------------------------------------------------------------------- validation


def test_a_minimal_table_is_valid() -> None:
    assert problems_of(mini(make_period())) == []


def test_every_problem_is_reported_at_once_with_row_field_and_choices() -> None:
    data = mini(
        make_period(role="boss"),
        make_period(country="XXX", start="2001-13"),
        make_period(arrangement="nato", country="RUS"),
        make_period(country="CHN", start="2010", end="2005"),
    )
    found = problems_of(data)
    assert len(found) == 5  # row 1 has two problems
    assert "memberships[0] sco/KAZ" in found[0] and "'role'" in found[0] and "founding_member" in found[0]
    assert any("'country'" in f and "XXX" in f and "memberships[1]" in f for f in found)
    assert any("'start'" in f and "2001-13" in f for f in found)
    assert any("'arrangement'" in f and "nato" in f and "['sco']" in f for f in found)
    assert any("'end'" in f and "not after start 2010" in f for f in found)


def test_overlapping_periods_of_one_country_are_refused() -> None:
    found = problems_of(mini(make_period(start="2001", end="2010"),
                             make_period(role="observer", start="2005")))
    assert len(found) == 1 and "overlaps memberships[0]" in found[0]


def test_an_open_period_overlaps_any_later_one() -> None:
    found = problems_of(mini(make_period(start="2001"), make_period(role="suspended", start="2012")))
    assert len(found) == 1 and "open-ended" in found[0]


def test_touching_periods_are_fine() -> None:
    assert problems_of(mini(make_period(role="observer", start="2005", end="2017-06-09"),
                            make_period(start="2017-06-09"))) == []


def test_a_start_needs_a_source_date_or_an_attested_date() -> None:
    assert problems_of(mini(make_period(start=None, attested="2002-06-04"))) == []
    found = problems_of(mini(make_period(start=None)))
    assert len(found) == 1 and "attested" in found[0]
    both = problems_of(mini(make_period(attested="2002")))
    assert len(both) == 1 and "'attested'" in both[0]


def test_unknown_fields_and_missing_sources_are_named() -> None:
    row = make_period(colour="red")
    row["sources"] = [{"title": "", "url": "ftp://x"}]
    found = problems_of(mini(row))
    assert any("'colour'" in f and "allowed fields" in f for f in found)
    assert any("'sources'" in f and "title" in f for f in found)


def test_duplicate_arrangement_ids_are_refused() -> None:
    data = mini(make_period())
    data["arrangements"].append(copy.deepcopy(data["arrangements"][0]))
    found = problems_of(data)
    assert len(found) == 1 and "duplicate id 'sco'" in found[0]


def test_validate_arrangements_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "arrangements.json"
    path.write_text("{\"arrangements\": []}", encoding="utf-8")
    found = [str(p) for p in membership.validate_arrangements(path)]
    assert len(found) == 1 and "'memberships'" in found[0] and str(path) in found[0]
    path.write_text("{", encoding="utf-8")
    assert "not valid JSON" in str(membership.validate_arrangements(path)[0])


def test_a_broken_bundled_file_raises_layer_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bundled()
    data["memberships"][0]["role"] = "emperor"
    layer_dir = tmp_path / "layers"
    layer_dir.mkdir()
    (layer_dir / "arrangements.json").write_text(json.dumps(data), encoding="utf-8")
    (layer_dir / "countries.geojson").write_text(
        (BUNDLED.parent / "countries.geojson").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("GEO_LAYERS_DIR", str(layer_dir))
    geo.layers.clear_cache()
    try:
        with pytest.raises(geo.LayerError, match="emperor"):
            geo.arrangements()
    finally:
        monkeypatch.delenv("GEO_LAYERS_DIR")
        geo.layers.clear_cache()


# --------------------------------------------------------------------------- the API


def test_members_follow_the_periods_of_the_layer() -> None:
    mem = geo.arrangements()
    sco = mem[mem["arrangement"] == "sco"]
    for year in (2005, 2016, 2018, 2023, 2024):
        ref = pd_ts(dt.date(year, 12, 31))
        expected = set(sco.loc[(sco["valid_from"] <= ref)
                               & (sco["valid_to"].isna() | (ref < sco["valid_to"]))
                               & sco["role"].isin(["member", "founding_member"]), "country"])
        assert set(geo.members("sco", year=year)["iso3"]) == expected, year


def pd_ts(day: dt.date) -> Any:
    import pandas as pd

    return pd.Timestamp(day)


def test_sco_grows_as_its_sources_say() -> None:
    founders = {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert set(geo.members("sco", year=2016)["iso3"]) == founders
    assert set(geo.members("sco", year=2017)["iso3"]) == founders | {"IND", "PAK"}
    assert set(geo.members("sco", year=2024)["iso3"]) == founders | {"IND", "PAK", "IRN", "BLR"}


def test_members_are_natural_earth_outlines_with_their_role() -> None:
    gdf = geo.members("eaeu_customs_union", year=2012)
    assert sorted(gdf["iso3"]) == ["BLR", "KAZ", "RUS"]
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (gdf["role"] == "founding_member").all()
    outlines = geo.countries().set_index("iso3")
    assert gdf.set_index("iso3").geometry.equals(outlines.loc[gdf["iso3"]].geometry)


def test_other_roles_on_request() -> None:
    observers = geo.members("sco", year=2016, roles=("observer",))
    assert {"MNG", "IND", "PAK", "IRN", "AFG", "BLR"} <= set(observers["iso3"])
    assert set(observers["role"]) == {"observer"}


def test_georgia_left_the_cis_in_2009() -> None:
    assert "GEO" in set(geo.members("cis", year=2008)["iso3"])
    assert "GEO" not in set(geo.members("cis", year=2009)["iso3"])


@pytest.mark.parametrize(("call", "match"), [
    (lambda: geo.members("nato"), "unknown arrangement 'nato'.*sco"),
    (lambda: geo.members("sco", roles=("king",)), "king.*founding_member"),
    (lambda: geo.members("sco", roles="member"), "sequence"),
    (lambda: geo.members("sco", year=1850), "1850 is outside"),
    (lambda: geo.memberships(2014.5), "whole number"),
    (lambda: geo.arrangements(table="x"), "memberships"),
])
def test_bad_requests_name_the_choices(call: Any, match: str) -> None:
    with pytest.raises(geo.ArrangementError, match=match):
        call()


def test_memberships_is_a_country_by_arrangement_table() -> None:
    table = geo.memberships(2014)
    ids = list(geo.arrangements(table="arrangements")["id"])
    assert list(table.columns) == ids
    assert table.loc["KAZ", "eaeu_customs_union"] == "founding_member"
    assert table.loc["UZB", "csto"] == "suspended"
    assert table.index.is_monotonic_increasing
    later = geo.memberships(2024)
    assert later.loc["IRN", "sco"] == "member" and table.loc["IRN", "sco"] == "observer"


def test_reference_date_is_year_end_or_today() -> None:
    today = dt.date(2026, 3, 1)
    assert membership.reference_date(2014, today=today) == dt.date(2014, 12, 31)
    assert membership.reference_date(2026, today=today) == today
    assert membership.reference_date(None, today=today) == today


def test_corridor_shares_add_up_from_km_by_country() -> None:
    table = geo.corridor_arrangements(year=2014)
    corr = geo.corridors().set_index("id")
    assert list(table["id"]) == list(corr.index)
    members_2014 = set(geo.members("eaeu_customs_union", year=2014)["iso3"])
    for row in table.itertuples(index=False):
        km = corr.loc[row.id, "length_by_country_km"]
        inside = sum(v for k, v in km.items() if k in members_2014)
        assert row.share_eaeu_customs_union == pytest.approx(inside / corr.loc[row.id, "length_used_km"],
                                                              abs=1e-4)
        assert 0 <= row.share_sco <= 1


def test_the_middle_corridor_moved_into_the_eaeu_after_2014() -> None:
    before = geo.corridor_arrangements(year=2014).set_index("id")
    after = geo.corridor_arrangements(year=2024).set_index("id")
    assert before.loc["titr_btk", "share_eaeu"] == 0
    kaz_km = geo.corridors().set_index("id").loc["titr_btk", "length_by_country_km"]["KAZ"]
    length = geo.corridors().set_index("id").loc["titr_btk", "length_used_km"]
    assert after.loc["titr_btk", "share_eaeu"] == pytest.approx(kaz_km / length, abs=1e-4)
    assert after.loc["northern_rail", "share_sco"] > before.loc["northern_rail", "share_sco"]


def test_shares_of_a_route_come_from_its_links() -> None:
    route = geo.route("Almaty", "Urumqi", scenario="official")
    table = geo.corridor_arrangements(year=2024, route=route)
    assert len(table) == 1
    row = table.iloc[0]
    assert set(row["length_by_country_km"]) == {"KAZ", "CHN"}
    assert row["share_sco"] == pytest.approx(1.0, abs=0.01)
    kaz_share = row["length_by_country_km"]["KAZ"] / row["length_km"]
    assert row["share_eaeu"] == pytest.approx(kaz_share, abs=1e-3)
