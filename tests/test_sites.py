"""The bundled sites: coord_note coordinates match the geometry; financiers in popups and the CLI."""

from __future__ import annotations

import re

import pytest

import geo

DMS = re.compile(r"(\d{1,3})°\s*(\d{1,2})′\s*(?:(\d{1,2}(?:[.,]\d+)?)″)?\s*([NSEWO])")


def dms_pairs(text: str) -> list[tuple[float, float]]:
    """(lon, lat) pairs written as degrees-minutes-seconds, in the order they appear."""
    values: list[tuple[str, float]] = []
    for d, m, s, hemi in DMS.findall(text):
        value = int(d) + int(m) / 60 + (float(s.replace(",", ".")) if s else 0.0) / 3600
        axis = "lat" if hemi in "NS" else "lon"
        values.append((axis, -value if hemi in "SW" else value))
    pairs = []
    for (a1, v1), (a2, v2) in zip(values[::2], values[1::2], strict=False):
        if {a1, a2} == {"lat", "lon"}:
            pairs.append((v1, v2) if a1 == "lon" else (v2, v1))
    return pairs


def test_dms_parser() -> None:
    assert dms_pairs("at 42°15′36.0″N 69°39′00.0″E") == [pytest.approx((69.65, 42.26))]
    assert dms_pairs("Portal 39° 31′ 20,9″ N, 68° 33′ 23,2″ O") == [
        pytest.approx((68.556444, 39.522472), abs=1e-6)]


def test_sourced_site_coordinates_match_their_note() -> None:
    sites = geo.sites()
    checked = 0
    for row in sites[sites["coord_quality"] == "sourced"].itertuples():
        pairs = dms_pairs(row.coord_note)
        if not pairs:
            continue
        checked += 1
        lon, lat = pairs[0]
        assert row.geometry.x == pytest.approx(lon, abs=1e-5), row.id
        assert row.geometry.y == pytest.approx(lat, abs=1e-5), row.id
    assert checked >= 5


def test_site_popup_shows_financiers_escaped() -> None:
    from geo.maps._popups import site_popup

    html = site_popup({"name": "Dam", "financier": ["china_exim", "cdb"],
                       "financier_note": "<script>alert(1)</script> 85% Exim"})
    shown = "china_exim, cdb (&lt;script&gt;alert(1)&lt;/script&gt; 85% Exim)"
    assert f"<th>Financier</th><td>{shown}</td>" in html
    assert "<script>" not in html
    assert "Financier" not in site_popup({"name": "Dam", "financier": None})


def test_cli_sites_filters_by_financier(capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli.main import main

    sites = geo.sites()
    for name in ("china_exim", "silk_road_fund"):
        assert main(["sites", "--financier", name]) == 0
        out = capsys.readouterr().out
        expected = sum(isinstance(f, list) and name in f for f in sites["financier"])
        assert f"\n{expected} sites" in out and expected > 0
        assert all(name in line for line in out.splitlines()[2:2 + expected])
