"""No silently wrong answers and no lost files under hostile input (issue 8, parts 4 and 5)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo._errors import LayerError, RoutingError, ScenarioError
from geo._io import (
    TMP_MARK,
    JSONLimitError,
    OutputError,
    atomic_write,
    atomic_write_with,
    clean_stale_temporaries,
    load_json,
)
from geo.readers import read_points

CORPUS = Path(__file__).resolve().parent / "corpus"
OFFICIAL = Path(__file__).resolve().parents[1] / "geo" / "routing" / "data" / "official.toml"


# --------------------------------------------------------------------------- readers


def test_csv_line_numbers_count_quoted_newlines_and_blank_lines() -> None:
    with pytest.raises(LayerError) as err:
        read_points(CORPUS / "quoted_newline.csv")
    # line 1 header, 2 blank, 3-4 the quoted two-line cell, 5 blank, 6 a good row
    assert [p.message for p in err.value.problems] == ["line 3: not a number ('x')"]


@pytest.mark.parametrize("name", ["bom_utf8.csv", "bom_utf16.csv", "bom_utf16.geojson"])
def test_byte_order_marks_are_read_like_plain_utf8(name: str) -> None:
    gdf = read_points(CORPUS / name)
    assert next(iter(gdf.columns)) == "name" and len(gdf) == 1
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (70.0, 43.0)


def test_validate_treats_a_bom_like_the_readers(tmp_path: Path) -> None:
    import geo

    plain = (CORPUS / "jinja.geojson").read_bytes()
    (tmp_path / "a.geojson").write_bytes(plain)
    (tmp_path / "b.geojson").write_bytes(b"\xef\xbb\xbf" + plain)
    (tmp_path / "c.geojson").write_bytes(plain.decode("utf-8").encode("utf-16"))
    reports = [[p.message for p in geo.validate(tmp_path / f, kind="sites")]
               for f in ("a.geojson", "b.geojson", "c.geojson")]
    assert reports[0] == reports[1] == reports[2] and reports[0]  # same schema problems


def test_non_utf8_files_name_the_file_and_the_encoding_tried() -> None:
    with pytest.raises(LayerError) as err:
        read_points(CORPUS / "latin1.csv")
    text = str(err.value)
    assert "latin1.csv" in text and "encoding tried: UTF-8" in text and "byte 20" in text


def test_infinite_coordinates_are_refused() -> None:
    with pytest.raises(LayerError) as err:
        read_points(CORPUS / "inf_coords.csv")
    messages = [p.message for p in err.value.problems]
    assert "line 2: not a finite number ('inf')" in messages
    assert "line 3: not a finite number ('-Infinity')" in messages
    assert "line 4: not a number ('nan')" in messages


def test_duplicate_coordinate_columns_are_refused() -> None:
    with pytest.raises(LayerError, match="'lat' appears more than once"):
        read_points(CORPUS / "duplicate_lat.csv")


def test_a_file_swapped_for_the_region_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="geo.readers"):
        read_points(CORPUS / "swapped.csv")
    assert "swapped" in caplog.text and "lon='lat', lat='lon'" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="geo.readers"):
        read_points(CORPUS / "semicolon.txt")  # Almaty the right way round
    assert "swapped" not in caplog.text


@pytest.mark.parametrize("name, message", [
    ("empty.csv", "file is empty"), ("blank.csv", "file is empty"),
    ("no_delimiter.txt", "cannot find the column delimiter"),
])
def test_empty_and_undelimited_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(LayerError, match=message):
        read_points(CORPUS / name)


def test_load_json_refuses_what_json_loads_crashes_on() -> None:
    with pytest.raises(JSONLimitError, match="400 digits"):
        load_json("[" + "9" * 400 + "]")
    with pytest.raises(JSONLimitError, match="Infinity is not a JSON number"):
        load_json("[Infinity]")
    with pytest.raises(JSONLimitError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)
    assert load_json('{"a": [1, -2, 3.5]}') == {"a": [1, -2, 3.5]}


# --------------------------------------------------------------------------- scenarios, routes


@pytest.mark.parametrize("old, new, message", [
    ("likely = 33.3", "likely = " + "9" * 400, "integer of 400 digits"),
    ("likely = 33.3", "likely = " + "9" * 5000, "cannot be read"),
    ("high = 62.5", "high = 1e308", "outside the physical range"),
    ("high = 62.5", "high = inf", "finite number"),
    ("low = 28.75", "low = 1e-300", "outside the physical range"),
])
def test_scenario_values_are_bounded(tmp_path: Path, old: str, new: str, message: str) -> None:
    from geo.routing.scenarios import load_scenario

    path = tmp_path / "s.toml"
    path.write_text(OFFICIAL.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as err:
        load_scenario(path)
    assert str(path) in str(err.value)


def test_scenario_overrides_are_bounded() -> None:
    from geo.routing.scenarios import load_scenario

    for bad in (1e308, float("inf"), float("nan"), 0.0):
        with pytest.raises(ScenarioError):
            load_scenario("official", overrides={"speed_kmh.rail": bad})
    assert load_scenario("official", overrides={"speed_kmh.rail": 80}).value("speed_kmh.rail") == 80


def test_avoid_takes_names_and_codes_and_refuses_typos() -> None:
    from geo.routing.graph import default_network

    net = default_network()
    assert net.parse_avoid(["Russia"])["countries"] == {"RUS"}
    assert net.parse_avoid(["rus", " kazakhstan "])["countries"] == {"RUS", "KAZ"}
    with pytest.raises(RoutingError, match=r"did you mean .*RUS \(Russia\)"):
        net.parse_avoid(["RSU"])
    with pytest.raises(RoutingError, match=r"KAZ \(Kazakhstan\)"):
        net.parse_avoid(["Kazakstan"])


def test_json_output_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli.transit import _json_text

    assert json.loads(_json_text({"a": float("nan"), "b": [1.5]})) == {"a": None, "b": [1.5]}
    from geo._errors import GeoError

    with pytest.raises(GeoError, match=r"infinite value at \$\.b\[0\]"):
        _json_text({"b": [float("-inf")]})


# --------------------------------------------------------------------------- outputs


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".out.gpkg{TMP_MARK}{dead}-abc.gpkg"
    journal = tmp_path / f".out.gpkg{TMP_MARK}{dead}-abc.gpkg-journal"
    alive = tmp_path / f".out.gpkg{TMP_MARK}{os.getpid()}-def.gpkg"
    foreign = tmp_path / ".out.gpkg.tmp123.gpkg"  # not ours: kept
    for f in (stale, journal, alive, foreign):
        f.write_bytes(b"x" * 10)
    atomic_write(tmp_path / "out.gpkg", b"new")
    assert not stale.exists() and not journal.exists()
    assert alive.exists() and foreign.exists()
    assert (tmp_path / "out.gpkg").read_bytes() == b"new"
    assert clean_stale_temporaries(tmp_path) == []


def test_a_failed_write_leaves_no_temporary_or_journal(tmp_path: Path) -> None:
    def writer(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        Path(f"{tmp}-journal").write_bytes(b"j")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write_with(tmp_path / "x.gpkg", writer)
    assert list(tmp_path.iterdir()) == []


def test_symlinks_are_written_through_and_special_files_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="is a FIFO"):
        atomic_write(fifo, "x")
    with pytest.raises(OutputError, match="character device"):
        atomic_write_with("/dev/null", lambda tmp: pytest.fail("must not be called"))
    assert fifo.is_fifo()


def test_gpkg_export_is_byte_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from geo.writers import export

    def digest(directory: Path) -> str:
        (path,) = export(directory, file_format="gpkg")
        return hashlib.sha256(path.read_bytes()).hexdigest()

    first = digest(tmp_path / "a")
    assert digest(tmp_path / "b") == first
    dates = sqlite3.connect(tmp_path / "a" / "corridor_atlas.gpkg").execute(
        "select distinct last_change from gpkg_contents").fetchall()
    assert dates == [("2000-01-01T00:00:00.000Z",)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    export(tmp_path / "c", file_format="gpkg")
    dates = sqlite3.connect(tmp_path / "c" / "corridor_atlas.gpkg").execute(
        "select distinct last_change from gpkg_contents").fetchall()
    assert dates == [("2023-11-14T22:13:20.000Z",)]


def test_broken_pipe_exits_quietly() -> None:
    # `true` exits before geo has even started: every write meets a closed pipe
    proc = subprocess.run(f"{sys.executable} -m geo corridors | true; echo ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True,
                          timeout=120)
    assert proc.stderr == ""
    assert proc.stdout.strip() == "0"
