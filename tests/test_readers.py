"""geo.read_points: users' files in, point GeoDataFrames out, every bad row reported."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import geo
from geo._errors import LayerError
from geo.readers import read_points


def aiddata_feature(id: int, lonlat: tuple[float, float] | None, **props: object) -> dict:
    """A feature shaped like AidData's Global Chinese Development Finance GeoJSON export
    (values here are made up for the test)."""
    properties = {"id": id, "title": f"Project {id}", "recipient_iso3": "KAZ",
                  "commitment_year": 2015, "amount_constant_usd": 1.5e8,
                  "sector": "TRANSPORT AND STORAGE"}
    properties.update(props)
    geometry = None if lonlat is None else {"type": "Point", "coordinates": list(lonlat)}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def aiddata(tmp_path: Path) -> Path:
    return write_geojson(tmp_path / "aiddata.geojson", [
        aiddata_feature(1, (76.95, 43.25)),
        aiddata_feature(2, (69.24, 41.30), recipient_iso3="UZB", title="<b>Rail</b> & road"),
        aiddata_feature(3, (79.67, 46.95), recipient_iso3="KAZ", amount_constant_usd=None),
    ])


def test_aiddata_geojson_reads_as_points_with_its_properties(aiddata):
    gdf = read_points(aiddata)
    assert gdf.crs.equals("EPSG:4326")
    assert len(gdf) == 3
    assert gdf["id"].tolist() == [1, 2, 3]
    assert gdf["title"].iloc[1] == "<b>Rail</b> & road"
    assert gdf["recipient_iso3"].tolist() == ["KAZ", "UZB", "KAZ"]
    assert (gdf.geometry.x.tolist(), gdf.geometry.y.tolist()) == (
        [76.95, 69.24, 79.67], [43.25, 41.30, 46.95])


def test_aiddata_points_go_straight_into_near(aiddata):
    out = geo.near(read_points(aiddata), within_km=500)
    assert len(out) == 3
    assert out["country"].tolist() == ["KAZ", "UZB", "KAZ"]


def test_geojson_missing_and_invalid_coordinates_are_listed_with_feature_numbers(tmp_path):
    path = write_geojson(tmp_path / "bad.geojson", [
        aiddata_feature(1, (76.95, 43.25)),
        aiddata_feature(2, None),
        aiddata_feature(3, (43.25, 176.95)),
        {"type": "Feature", "properties": {"id": 4},
         "geometry": {"type": "LineString", "coordinates": [[60, 40], [61, 41]]}},
    ])
    with pytest.raises(LayerError) as err:
        read_points(path)
    problems = err.value.problems
    assert [(p.index, p.feature_id) for p in problems] == [(1, "2"), (2, "3"), (3, "4")]
    assert "missing" in problems[0].message
    assert "latitude out of range" in problems[1].message
    assert "LineString" in problems[2].message


@pytest.mark.parametrize("header, row", [
    ("name,lon,lat", "Almaty,76.95,43.25"),
    ("name,Longitude,Latitude", "Almaty,76.95,43.25"),
    ("name,LAT,LNG", "Almaty,43.25,76.95"),
    ("name,long,lat", "Almaty,76.95,43.25"),
    ("name,y,x", "Almaty,43.25,76.95"),
])
def test_csv_coordinate_columns_are_recognised_in_any_case(tmp_path, header, row):
    path = tmp_path / "points.csv"
    path.write_text(f"{header}\n{row}\n")
    gdf = read_points(path)
    assert gdf.geometry.iloc[0].equals(shapely.Point(76.95, 43.25))
    assert gdf["name"].tolist() == ["Almaty"]


def test_tsv_and_explicit_column_names(tmp_path):
    path = tmp_path / "points.tsv"
    path.write_text("site\teast\tnorth\nA\t76.95\t43.25\n")
    gdf = read_points(path, lon="east", lat="north")
    assert gdf.geometry.iloc[0].equals(shapely.Point(76.95, 43.25))


def test_swapped_columns_are_detected_and_the_fix_is_named(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("id,lat,lon\n1,76.95,43.25\n2,69.24,41.30\n3,120.1,30.0\n")
    with pytest.raises(LayerError, match="look swapped") as err:
        read_points(path)
    assert "lon='lat', lat='lon'" in str(err.value)
    assert "line 4: latitude out of range" in err.value.report()
    gdf = read_points(path, lon="lat", lat="lon")
    assert gdf.geometry.iloc[0].equals(shapely.Point(76.95, 43.25))


def test_csv_missing_and_invalid_coordinates_are_listed_with_line_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,lon,lat\n1,76.95,43.25\n2,,43.0\n3,abc,41\n4,69.2,95\n5,190,41\n")
    with pytest.raises(LayerError) as err:
        read_points(path)
    messages = [p.message for p in err.value.problems]
    assert messages == [
        "line 3: missing coordinate",
        "line 4: not a number ('abc')",
        "line 5: latitude out of range [-90, 90] ('95')",
        "line 6: longitude out of range [-180, 180] ('190')",
    ]  # in file order
    assert "(and 3 more problems)" in str(err.value)


def test_csv_without_coordinate_columns_lists_what_is_expected(tmp_path):
    path = tmp_path / "nocoords.csv"
    path.write_text("id,place\n1,Almaty\n")
    with pytest.raises(LayerError, match=r"no longitude column; expected one of"):
        read_points(path)


def test_geopackage_and_geoparquet_round_trip(tmp_path, aiddata):
    gdf = read_points(aiddata)
    gdf.to_file(tmp_path / "p.gpkg", layer="projects", driver="GPKG", engine="pyogrio")
    gdf.to_parquet(tmp_path / "p.parquet")
    for path in (tmp_path / "p.gpkg", tmp_path / "p.parquet"):
        back = read_points(path)
        assert back["title"].tolist() == gdf["title"].tolist(), path
        assert back.geometry.equals(gdf.geometry), path


def test_projected_files_are_reprojected_to_lon_lat(tmp_path):
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(76.95, 43.25)],
                           crs="EPSG:4326").to_crs("EPSG:3857")
    gdf.to_file(tmp_path / "p.gpkg", driver="GPKG", engine="pyogrio")
    back = read_points(tmp_path / "p.gpkg")
    assert back.crs.equals("EPSG:4326")
    assert back.geometry.iloc[0].x == pytest.approx(76.95)
    assert back.geometry.iloc[0].y == pytest.approx(43.25)


def test_unknown_suffix_and_missing_file(tmp_path):
    path = tmp_path / "points.xlsx"
    path.write_text("x")
    with pytest.raises(LayerError, match=r"unknown point file type '\.xlsx'; must be one of"):
        read_points(path)
    with pytest.raises(LayerError, match="does not exist"):
        read_points(tmp_path / "nothing.csv")
