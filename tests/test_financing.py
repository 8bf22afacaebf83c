"""geo.financing and the sites' financier field: sums and counts on generated site tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geo
from builders import collection, make_site, mini_layers, write
from geo.schema import FINANCIER_CHANNEL, Financier, FinancingChannel
from geo.site_finance import CHANNEL_COLUMNS, site_channel

FINANCIERS = Financier.choices()
COUNTRIES = ["KAZ", "KGZ", "PAK", "TJK"]

site_rows = st.lists(
    st.fixed_dictionaries({
        "country": st.sampled_from(COUNTRIES),
        "year": st.one_of(st.none(), st.integers(1995, 2026)),
        "value_usd": st.one_of(st.none(), st.floats(0, 1e10, allow_nan=False)),
        "financier": st.one_of(st.none(), st.lists(st.sampled_from(FINANCIERS), min_size=1,
                                                   max_size=4, unique=True)),
    }),
    min_size=0, max_size=30)


def table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        rows, columns=["country", "year", "value_usd", "financier"])
    frame.insert(0, "id", [f"s{i}" for i in range(len(rows))])
    return frame


def documented_total(rows: list[dict]) -> float:
    return sum(r["value_usd"] for r in rows if r["value_usd"] is not None)


@settings(max_examples=40, deadline=None)
@given(site_rows)
def test_country_and_year_partition_the_sites(rows: list[dict]) -> None:
    for by in ("country", "year"):
        out = geo.financing(by=by, sites=table(rows))
        assert out["n_sites"].sum() == len(rows)
        assert out["n_value_known"].sum() == sum(r["value_usd"] is not None for r in rows)
        assert (out["n_value_known"] + out["n_value_unknown"] == out["n_sites"]).all()
        assert out["n_financier_unknown"].sum() == sum(r["financier"] is None for r in rows)
        assert out["value_usd"].sum() == pytest.approx(documented_total(rows))
        assert out[list(CHANNEL_COLUMNS)].sum(axis=1).to_numpy() == pytest.approx(
            out["value_usd"].to_numpy())


@settings(max_examples=40, deadline=None)
@given(site_rows)
def test_channels_follow_the_financiers(rows: list[dict]) -> None:
    out = geo.financing(by="country", sites=table(rows))
    for column, wanted in (("bilateral_usd", "bilateral"), ("multilateral_usd", "multilateral"),
                           ("mixed_usd", "mixed"), ("unknown_financier_usd", "unknown")):
        expected = 0.0
        for r in rows:
            if r["value_usd"] is None:
                continue
            channels = ({FINANCIER_CHANNEL[Financier(f)].value for f in r["financier"]}
                        if r["financier"] else set())
            got = ("unknown" if not channels else channels.pop() if len(channels) == 1 else "mixed")
            expected += r["value_usd"] if got == wanted else 0.0
        assert out[column].sum() == pytest.approx(expected), column


@settings(max_examples=40, deadline=None)
@given(site_rows)
def test_financier_rows_count_each_naming_site(rows: list[dict]) -> None:
    out = geo.financing(by="financier", sites=table(rows))
    for name in FINANCIERS:
        naming = [r for r in rows if r["financier"] and name in r["financier"]]
        if not naming:
            assert name not in out.index
            continue
        assert out.loc[name, "n_sites"] == len(naming)
        assert out.loc[name, "value_usd"] == pytest.approx(documented_total(naming))
        assert out.loc[name, "n_financier_unknown"] == 0
    unknown = [r for r in rows if r["financier"] is None]
    assert (out.loc["unknown", "n_sites"] if unknown else 0) == len(unknown)


def test_site_channel_classes() -> None:
    assert site_channel(None) == "unknown"
    assert site_channel(["china_exim", "cdb"]) == "bilateral"
    assert site_channel(["aiib", "silk_road_fund"]) == "multilateral"
    assert site_channel(["china_exim", "adb"]) == "mixed"
    assert set(FINANCIER_CHANNEL) == set(Financier)
    assert {c.value for c in FinancingChannel} <= {c.removesuffix("_usd") for c in CHANNEL_COLUMNS}


def test_public_name_stays_the_function_after_the_module_is_imported() -> None:
    import geo.site_finance

    assert callable(geo.financing) and geo.financing is geo.site_finance.financing


def test_bad_by_lists_the_choices() -> None:
    with pytest.raises(geo.GeoError, match=r"by='region'.*\['country', 'year', 'financier'\]"):
        geo.financing(by="region")


def test_bundled_sites_totals_match_the_layer() -> None:
    sites = geo.sites()
    out = geo.financing(by="country")
    assert out["n_sites"].sum() == len(sites)
    assert out["value_usd"].sum() == pytest.approx(sites["value_usd"].dropna().sum())
    assert out["n_financier_unknown"].sum() == int(sites["financier"].isna().sum())
    assert "provenance" in out.attrs


def test_bundled_sites_meet_the_curation_rules() -> None:
    sites = geo.sites()
    assert len(sites) >= 80
    with_value = sites["value_usd"].notna()
    assert sites.loc[with_value, "value_note"].notna().all()
    approx = sites["coord_quality"] == "approximate"
    assert sites.loc[approx, "coord_note"].str.len().gt(10).all()
    for sources in sites["sources"]:
        assert not any(m in s["url"] for s in sources
                       for m in ("piglix", "alchetron", "kiwix", "wikizero", "osmarks", "ipfs"))


@pytest.mark.parametrize(("financier", "note", "expected"), [
    (["china_exim", "casino"], None, "field 'financier': ['casino'] not allowed; each must be one of"),
    ([], None, "must not be an empty list"),
    (["cdb", "cdb"], None, "more than once"),
    (["other"], None, "field 'financier_note': is required when financier includes 'other'"),
])
def test_financier_validation(tmp_path: Path, financier: list[str], note: str | None,
                              expected: str) -> None:
    atlas = mini_layers(tmp_path / "atlas")
    write(atlas / "sites.geojson", collection(
        make_site("dry_port", (82.48, 45.25), country="KAZ", financier=financier,
                  financier_note=note)))
    problems = geo.validate(atlas / "sites.geojson")
    text = "\n".join(str(p) for p in problems)
    assert expected in text
    assert all(p.feature_id == "dry_port" for p in problems)


def test_readme_site_counts_match_the_layer() -> None:
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    text = " ".join(text.split())
    sites = geo.sites()
    m = re.search(r"\*\*Sites\.\*\* (\d+) project sites in (\d+) countries", text)
    assert m and (int(m[1]), int(m[2])) == (len(sites), sites["country"].nunique())
    m = re.search(r"(\d+) coordinates were read in a source; the other (\d+) are approximate", text)
    sourced = int((sites["coord_quality"] == "sourced").sum())
    assert m and (int(m[1]), int(m[2])) == (sourced, len(sites) - sourced)
    m = re.search(r"(\d+) sites carry a documented USD value and (\d+) name at least one financier", text)
    assert m and (int(m[1]), int(m[2])) == (int(sites["value_usd"].notna().sum()),
                                            int(sites["financier"].notna().sum()))


def test_readme_financing_totals_match_the_layer() -> None:
    import re

    text = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"\$([\d.]+)bn documented, \$([\d.]+)bn bilateral only, \$([\d.]+)bn mixed .*?"
                  r"\$([\d.]+)bn host only, \$([\d.]+)bn with no named financier", text)
    assert m, "README financing sentence not found"
    totals = geo.financing(by="country").sum()
    for got, column in zip(m.groups(), ("value_usd", "bilateral_usd", "mixed_usd", "host_usd",
                                        "unknown_financier_usd"), strict=True):
        assert float(got) == round(totals[column] / 1e9, 1), column
    assert totals["multilateral_usd"] == 0  # the README says every multilateral site has another financier
