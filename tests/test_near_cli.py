"""``geo near FILE --within-km KM -o OUT``: outputs with provenance, bad rows, progress bar."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geo
from geo.cli.main import main

POINTS_CSV = "name,Longitude,Latitude\nAlmaty,76.95,43.25\nTashkent,69.24,41.30\n" \
             "Mid-Pacific,-150.0,0.0\n"


@pytest.fixture
def points_csv(tmp_path: Path) -> Path:
    path = tmp_path / "points.csv"
    path.write_text(POINTS_CSV)
    return path


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_near_writes_each_format_with_provenance(points_csv, tmp_path, capsys, suffix):
    out = tmp_path / f"near{suffix}"
    assert main(["near", str(points_csv), "--within-km", "500", "-o", str(out)]) == 0
    assert "2 of 3 points within 500 km" in capsys.readouterr().out
    if suffix == ".geojson":
        doc = json.loads(out.read_text())
        prov = doc["provenance"]
        names = [f["properties"]["name"] for f in doc["features"]]
    elif suffix == ".gpkg":
        names = gpd.read_file(out, layer="near")["name"].tolist()
        prov = json.loads(gpd.read_file(out, layer="provenance")["value"].iloc[0])
    else:
        table = pd.read_csv(out)
        names = table["name"].tolist()
        assert {"lon", "lat", "distance_km", "position_km", "country"} <= set(table.columns)
        prov = json.loads((tmp_path / "near.csv.provenance.json").read_text())
    assert names == ["Almaty", "Tashkent"]
    assert prov["operation"] == "geo.near" and prov["within_km"] == 500
    assert prov["input"]["file"] == "points.csv" and len(prov["input"]["sha256"]) == 64
    assert not list(tmp_path.glob(".*.tmp*"))  # no temporary file left behind


def test_bad_rows_are_all_listed_and_exit_status_is_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("id,lon,lat\n1,76.95,43.25\n2,,43\n3,x,41\n")
    out = tmp_path / "near.csv"
    assert main(["near", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 3: missing coordinate" in err and "line 4: not a number ('x')" in err
    assert not out.exists()


def test_unknown_output_type_is_refused(points_csv, tmp_path, capsys):
    assert main(["near", str(points_csv), "-o", str(tmp_path / "near.xlsx")]) == 2
    assert "unknown output type '.xlsx'" in capsys.readouterr().err


def test_long_runs_show_a_progress_bar_on_stderr(tmp_path, capsys):
    rng = np.random.default_rng(1)
    n = 60_000
    path = tmp_path / "many.csv"
    pd.DataFrame({"lon": rng.uniform(60, 80, n).round(4),
                  "lat": rng.uniform(38, 48, n).round(4)}).to_csv(path, index=False)
    assert main(["near", str(path), "--within-km", "20", "--no-country",
                 "-o", str(tmp_path / "near.csv")]) == 0
    err = capsys.readouterr().err
    assert "geo near" in err and "60.0k/60.0k" in err


def test_near_measures_to_the_energy_lines_on_request(points_csv, tmp_path, capsys):
    out = tmp_path / "near.csv"
    assert main(["near", str(points_csv), "--layers", "corridors,energy", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert {"corridor_id", "energy_id", "energy_kind", "energy_distance_km"} <= set(table.columns)
    assert set(table["energy_id"]) <= set(geo.energy()["id"])
    assert "of a corridor or an energy line" in capsys.readouterr().out


def test_near_refuses_an_unknown_layer(points_csv, tmp_path, capsys):
    assert main(["near", str(points_csv), "--layers", "rivers", "-o",
                 str(tmp_path / "near.csv")]) == 2
    err = capsys.readouterr().err
    assert "--layers" in err and "energy" in err and "Traceback" not in err
