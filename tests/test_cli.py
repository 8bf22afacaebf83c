"""The command line: tables, export, validate, exit statuses, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import geo
from geo.cli.main import main


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_corridors_table_lists_every_corridor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corridors"]) == 0
    out = capsys.readouterr().out
    for name in geo.corridors()["name"]:
        assert name in out
    assert "documented km" in out and "countries" in out


def test_corridors_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corridors", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == set(geo.corridors()["id"])


def test_sites_table_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites", "--country", "kaz"]) == 0
    out = capsys.readouterr().out
    n_kaz = int((geo.sites()["country"] == "KAZ").sum())
    assert f"\n{n_kaz} sites" in out


def test_export_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "geojson", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "corridors.geojson", "energy.geojson", "links.geojson", "nodes.geojson",
        "sites.geojson"]


def test_validate_bundled_layers_ok(capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("nodes", "links", "corridors", "sites", "energy"):
        assert main(["validate", str(geo.layer_dir() / f"{kind}.geojson")]) == 0


def test_validate_reports_problems_with_status_1(tmp_path: Path) -> None:
    bad = tmp_path / "sites.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                   '"properties": {"id": "x"}, "geometry": null}]}', encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert "field 'sector': is missing" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "does-not-exist.geojson", "--kind", "nodes"], "does not exist"),
        (["validate", "whatever.json"], "pass kind=one of"),
        (["export", "--format", "gpkg", "-o", "/proc/definitely/not/writable"], "error"),
        (["sites", "--sector", "casino"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_without_traceback(tmp_path: Path, args: list[str],
                                             expected: str) -> None:
    (tmp_path / "whatever.json").write_text('{"type": "FeatureCollection", "features": []}',
                                            encoding="utf-8")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("geo ") and expected in last


def test_help_on_every_command() -> None:
    top = run("--help")
    assert top.returncode == 0
    commands = [c for c in ("corridors", "sites", "export", "validate") if c in top.stdout]
    assert len(commands) == 4
    for command in commands:
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: geo " + command in result.stdout


def test_energy_table_filters_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["energy", "--kind", "power_line"]) == 0
    out = capsys.readouterr().out
    power = geo.energy().query("kind == 'power_line'")
    assert f"\n{len(power)} energy lines" in out and "500 kV" in out
    assert "gas pipeline" not in out
    assert main(["energy", "--country", "tkm", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all("TKM" in r["countries"] for r in rows)
    assert {r["kind"] for r in rows} == {"gas_pipeline"}
