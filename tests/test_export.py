"""Export round trip, RFC 7946 shape, provenance, atomic writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pytest

import geo
from geo import _io

LAYERS = ("nodes", "links", "corridors", "sites", "energy")


@pytest.fixture(scope="module")
def geojson_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    geo.export(out, file_format="geojson")
    return out


def _frames() -> dict[str, gpd.GeoDataFrame]:
    return {"nodes": geo.nodes(), "links": geo.links(), "corridors": geo.corridors(),
            "sites": geo.sites(), "energy": geo.energy()}


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-9)
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


@pytest.mark.parametrize("name", LAYERS)
def test_geojson_round_trip(geojson_dir: Path, name: str) -> None:
    fc = json.loads((geojson_dir / f"{name}.geojson").read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert fc["provenance"]["generator"] == f"corridor-atlas {geo.__version__}"
    assert {layer["file"] for layer in fc["provenance"]["layers"]} >= {f"{n}.geojson" for n in LAYERS}
    frame = _frames()[name]
    assert len(fc["features"]) == len(frame)
    for feature, (_, row) in zip(fc["features"], frame.iterrows(), strict=True):
        props = feature["properties"]
        for col in frame.columns.drop("geometry"):
            value = row[col]
            if hasattr(value, "item"):
                value = value.item()
            assert _same(props[col], value), (name, props["id"], col)
        written = feature["geometry"]["coordinates"]
        expected = json.loads(json.dumps(row.geometry.__geo_interface__["coordinates"]))
        flat_w = written if feature["geometry"]["type"] == "Point" else [c for p in written for c in p]
        flat_e = expected if feature["geometry"]["type"] == "Point" else [c for p in expected for c in p]
        assert flat_w == pytest.approx(flat_e, abs=1e-6)


def test_geojson_coordinates_are_lon_lat_with_six_decimals(geojson_dir: Path) -> None:
    text = (geojson_dir / "nodes.geojson").read_text(encoding="utf-8")
    fc = json.loads(text)
    for feature in fc["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert all(len(repr(v).split(".")[-1]) <= 6 for v in (lon, lat))
    # Kashgar and Istanbul, if present, are east of 25 E and north of 30 N: (lon, lat) order
    by_id = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in fc["features"]}
    assert by_id["dostyk"][0] > by_id["dostyk"][1]


def test_gpkg_round_trip(tmp_path: Path) -> None:
    (path,) = geo.export(tmp_path, file_format="gpkg")
    assert path.name == "corridor_atlas.gpkg"
    frames = _frames()
    for name in LAYERS:
        back = gpd.read_file(path, layer=name)
        assert len(back) == len(frames[name])
        assert back.crs.equals("EPSG:4326")
        assert list(back["id"]) == list(frames[name]["id"])
    links = gpd.read_file(path, layer="links")
    original = frames["links"]
    assert list(links["length_used_km"]) == pytest.approx(list(original["length_used_km"]))
    assert [json.loads(v) for v in links["countries"]] == list(original["countries"])
    prov = gpd.read_file(path, layer="provenance")
    assert json.loads(prov["value"][0])["generator"].startswith("corridor-atlas")


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(geo.GeoError, match=r"must be one of \['geojson', 'gpkg'\]"):
        geo.export(tmp_path, file_format="shp")


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "nodes.geojson"
    target.write_text("OLD", encoding="utf-8")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text('{"type": "FeatureColl', encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        _io.atomic_write_with(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nodes.geojson"]


def test_export_failure_leaves_earlier_gpkg_untouched(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (path,) = geo.export(tmp_path, file_format="gpkg")
    before = path.read_bytes()
    calls = {"n": 0}
    real_to_file = gpd.GeoDataFrame.to_file

    def flaky(self: gpd.GeoDataFrame, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("simulated write failure")
        real_to_file(self, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", flaky)
    with pytest.raises(OSError, match="simulated"):
        geo.export(tmp_path, file_format="gpkg")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corridor_atlas.gpkg"]
