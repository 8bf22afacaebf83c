"""Every CLI entry point over a corpus of malformed and hostile files (issue 8, part 6).

``tests/corpus/`` holds the small files; the large ones (integers of 5,000 digits, JSON and
TOML nested 100,000 deep, also inside CSV cells) are generated here.  Each file goes through
the commands that read its kind, in-process (``geo.cli.main.main(argv)``), and every run must
end with exit status 0, 1 (``geo validate`` only) or 2, no traceback, an error message that
names the file, and no evaluated template anywhere in the output or written files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jinja_payloads import evaluated

from geo.cli.main import main

CORPUS = Path(__file__).resolve().parent / "corpus"
POINT_SUFFIXES = (".csv", ".txt", ".geojson")


def _generated(directory: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (directory / "big_int_5000.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
        '"geometry":{"type":"Point","coordinates":[%s,43]}}]}' % ("9" * 5000), encoding="utf-8")
    (directory / "deep.geojson").write_text(deep, encoding="utf-8")
    (directory / "deep_in_features.geojson").write_text(
        '{"type":"FeatureCollection","features":' + deep + "}", encoding="utf-8")
    (directory / "deep_sources_cell.csv").write_text(
        f'name,lon,lat,sources\nx,70,43,"{deep}"\n', encoding="utf-8")
    nested = '{""a"":' * 50_000 + "1" + "}" * 50_000
    (directory / "deep_note_cell.csv").write_text(
        f'name,lon,lat,note\nx,70,43,"{nested}"\n', encoding="utf-8")
    base = (Path(__file__).resolve().parents[1] / "geo" / "routing" / "data" /
            "official.toml").read_text(encoding="utf-8")
    (directory / "scenario_big_int_5000.toml").write_text(
        base.replace("likely = 33.3", "likely = " + "9" * 5000, 1), encoding="utf-8")
    (directory / "scenario_deep.toml").write_text(
        base + "\n[extra]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus")
    for f in CORPUS.iterdir():
        shutil.copy(f, directory / f.name)
    _generated(directory)
    return directory


def _cases(directory: Path) -> list[tuple[str, list[str], set[int]]]:
    out = directory / "out"
    cases: list[tuple[str, list[str], set[int]]] = []
    for f in sorted(directory.iterdir()):
        if f.suffix in POINT_SUFFIXES:
            cases += [
                (f.name, ["near", str(f), "-o", str(out / f"{f.stem}.csv"), "--no-progress"],
                 {0, 2}),
                (f.name, ["map", "--sites", str(f), "-o", str(out / f"{f.stem}.html"),
                          "--corridor", "titr_btk", "--no-nodes", "--title", "jqA{{7*7}}qj"], {0, 2}),
                (f.name, ["validate", str(f), "--kind", "sites"], {0, 1, 2}),
            ]
        elif f.suffix == ".toml":
            cases += [
                (f.name, ["route", "xian", "urumqi", "--scenario", str(f)], {0, 2}),
                (f.name, ["compare", "xian", "duisburg", "--scenario", str(f), "--no-claims",
                          "--format", "json"], {0, 2}),
            ]
    return cases


def test_every_entry_point_survives_the_corpus(corpus: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "out").mkdir(exist_ok=True)
    cases = _cases(corpus)
    assert len(cases) >= 90
    failures = []
    for name, argv, allowed in cases:
        code = main(argv)
        out, err = capsys.readouterr()
        problems = []
        if code not in allowed:
            problems.append(f"exit {code} (allowed {sorted(allowed)})")
        if "Traceback" in err or "Traceback" in out:
            problems.append("traceback")
        if "internal error" in err:
            problems.append(f"internal error: {err.strip()[:200]}")
        if code == 2 and name not in err and argv[0] != "compare" and argv[0] != "route":
            problems.append(f"message does not name the file: {err.strip()[:200]}")
        if evaluated(out + err):
            problems.append("evaluated template in the output")
        if problems:
            failures.append(f"{' '.join(argv[:2])} [{name}]: {'; '.join(problems)}")
    for page in (corpus / "out").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "jqA{{7*7}}qj" in html, page.name  # the --title, literally
        assert evaluated(html) == [], page.name
    assert failures == []


@pytest.mark.parametrize("argv, allowed, message", [
    (["near", "{ok}", "--within-km", "-5", "-o", "{out}/a.csv"], 2, "within_km must be"),
    (["near", "{ok}", "--within-km", "nan", "-o", "{out}/a.csv"], 2, "within_km must be"),
    (["near", "{ok}", "-o", "{ok}"], 2, "is also an input"),
    (["map", "--sites", "{ok}", "-o", "{ok}"], 2, "is also an input"),
    (["near", "{ok}", "-o", "{out}/fifo.csv"], 2, "is a FIFO"),
    (["near", "{ok}", "-o", "{out}/dir.csv"], 2, "is a directory"),
    (["figure", "--dpi", "0", "-o", "{out}/f.png"], 2, "dpi must be"),
    (["figure", "-o", "{out}/f.txt"], 2, "figure format must be"),
    (["route", "xian", "duisburg", "--avoid", "RSU"], 2, "RUS (Russia)"),
    (["compare", "xian", "xian"], 2, "same node"),
    (["route", "108.9,34.3", "108.95,34.25"], 2, "snaps to it"),
    (["route", "xian", "duisburg", "-k", "0"], 2, "k must be"),
    (["near"], 2, "usage"),
    (["no-such-command"], 2, "invalid choice"),
])
def test_bad_arguments_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            argv: list[str], allowed: int, message: str) -> None:
    ok = tmp_path / "ok.csv"
    ok.write_text("name,lon,lat\nAlmaty,76.95,43.25\n", encoding="utf-8")
    before = ok.read_bytes()
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "fifo.csv")
    (tmp_path / "out" / "dir.csv").mkdir()
    argv = [a.format(ok=ok, out=tmp_path / "out") for a in argv]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == allowed, err
    assert message in err and "Traceback" not in err
    assert ok.read_bytes() == before  # the input is never replaced
    assert (tmp_path / "out" / "fifo.csv").is_fifo()


def test_an_internal_error_says_so_with_its_own_code(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import geo.cli.layers as cli_layers

    def broken(args: object) -> int:
        raise KeyError("boom")

    monkeypatch.setattr(cli_layers, "_run_export", broken)
    code = main(["export", "-o", "x"])
    err = capsys.readouterr().err
    assert code == 70 and code not in (1, 2)
    assert err.count("\n") == 1 and "internal error (KeyError" in err and "report" in err
    assert "Traceback" not in err
