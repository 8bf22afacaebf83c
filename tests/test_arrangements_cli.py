"""``geo arrangements``: the table, its filters and formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

import geo
from geo.cli.main import main


def test_table_of_every_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["arrangements"]) == 0
    out = capsys.readouterr().out
    n = len(geo.arrangements())
    assert f"\n{n} rows (all periods)" in out
    assert "founding_member" in out and "arrangement" in out.splitlines()[0]


def test_year_and_arrangement_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["arrangements", "--year", "2014", "--arrangement", "eaeu_customs_union",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = set(geo.members("eaeu_customs_union", year=2014)["iso3"])
    assert {r["country"] for r in rows} == expected
    assert all(r["sources"].count("<http") >= 1 for r in rows)


def test_json_carries_sources_and_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["arrangements", "--year", "2024", "--arrangement", "sco", "--format",
                 "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {m["country"] for m in out["memberships"]} == set(
        geo.memberships(2024)["sco"].dropna().index)
    assert all(m["sources"] for m in out["memberships"])
    assert "arrangements.json" in {layer["file"] for layer in out["provenance"]["layers"]}


def test_corridor_shares(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["arrangements", "--corridors", "--year", "2014", "--arrangement", "eaeu",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = geo.corridor_arrangements(year=2014).set_index("id")["share_eaeu"]
    assert {r["id"]: r["share_eaeu"] for r in out["corridors"]} == expected.to_dict()


@pytest.mark.parametrize(("args", "needle"), [
    (["--arrangement", "nato"], "unknown arrangement 'nato'"),
    (["--year", "1850"], "1850 is outside"),
    (["--corridors", "--arrangement", "nato"], "unknown arrangement 'nato'"),
])
def test_errors_are_one_line_without_traceback(args: list[str], needle: str) -> None:
    result = subprocess.run([sys.executable, "-m", "geo", "arrangements", *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_compare_what_if_without_the_customs_union(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["compare", "xian", "duisburg", "--no-claims", "--format", "json"]
    assert main(args) == 0
    with_union = json.loads(capsys.readouterr().out)
    assert main([*args, "--no-customs-union"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert with_union["provenance"]["scenario"]["customs_union"] is True
    assert without["provenance"]["scenario"]["customs_union"] is False

    def days(doc: dict, alt: str) -> float:
        return next(r["all_likely_days"] for r in doc["routes"] if r["alternative"] == alt)

    assert days(without, "northern") > days(with_union, "northern")
    assert days(without, "middle_corridor") == pytest.approx(days(with_union, "middle_corridor"))
