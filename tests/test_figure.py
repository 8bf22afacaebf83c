"""geo.figure: PNG and SVG, deterministic, with legend, scale bar and source note."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapdata import use_hostile_layers

import geo
from geo.maps.figure import _nice_km


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from geo import layers

    monkeypatch.setenv(layers.LAYERS_ENV, str(tmp_path / "layers"))
    return use_hostile_layers(tmp_path / "layers")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_figure_is_deterministic(hostile: Path, tmp_path: Path, suffix: str) -> None:
    a = geo.figure(tmp_path / f"a{suffix}")
    b = geo.figure(tmp_path / f"b{suffix}")
    assert a.read_bytes() == b.read_bytes()
    assert a.stat().st_size > 10_000


def test_svg_has_no_date_and_draws_text_as_paths(hostile: Path, tmp_path: Path) -> None:
    svg = geo.figure(tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert svg.startswith("<?xml")


def test_png_signature(hostile: Path, tmp_path: Path) -> None:
    data = geo.figure(tmp_path / "f.png", dpi=60).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in data


def test_unknown_format_and_corridor(hostile: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        geo.figure(tmp_path / "f.pdf")
    with pytest.raises(ValueError, match="nowhere"):
        geo.figure(tmp_path / "f.png", corridors=["nowhere"])


@pytest.mark.parametrize(("target", "nice"), [(730.0, 500.0), (199.0, 100.0), (2.5, 2.0),
                                               (1000.0, 1000.0)])
def test_scale_bar_lengths_are_round(target: float, nice: float) -> None:
    assert _nice_km(target) == nice


def test_cli_figure_and_map(hostile: Path, tmp_path: Path) -> None:
    from geo.cli.main import main

    assert main(["figure", "-o", str(tmp_path / "f.png")]) == 0
    assert main(["map", "--offline", "-o", str(tmp_path / "m.html")]) == 0
    assert "<script src=" not in (tmp_path / "m.html").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lon,lat\nA,1,x\n", encoding="utf-8")
    assert main(["map", "--sites", str(bad), "-o", str(tmp_path / "u.html")]) == 2
