"""The country outlines used for length attribution and basemaps are sound."""

from __future__ import annotations

import numpy as np
import shapely

import geo


def test_outlines_are_valid_polygons_with_iso3() -> None:
    countries = geo.countries()
    assert countries.is_valid.all()
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert countries["iso3"].str.fullmatch(r"[A-Z]{3}").all() and countries["iso3"].is_unique
    assert {"CHN", "KAZ", "KGZ", "UZB", "AZE", "GEO", "TUR", "RUS", "BLR", "POL", "DEU", "PAK"} <= set(
        countries["iso3"])


def test_no_ring_jumps_across_the_antimeridian() -> None:
    for row in geo.countries().itertuples():
        for polygon in shapely.get_parts(row.geometry):
            for ring in (polygon.exterior, *polygon.interiors):
                lons = np.asarray(ring.coords)[:, 0]
                assert np.abs(np.diff(lons)).max() < 180, row.iso3


def test_point_in_country_at_known_places() -> None:
    nodes = geo.nodes().set_index("id")
    countries = geo.countries()
    for node_id, iso3 in [("dostyk", "KAZ"), ("xian", "CHN"), ("tbilisi", "GEO"), ("kars", "TUR"),
                          ("brest", "BLR")]:
        point = nodes.loc[node_id].geometry
        (hit,) = countries.index[countries.contains(point)]
        assert countries.loc[hit, "iso3"] == iso3
