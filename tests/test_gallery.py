"""The maps/ gallery: pages, index, reproducible bytes, and the committed gallery is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mapdata import SCRIPT, TEMPLATE, use_hostile_layers

import geo
from geo.maps.gallery import MANIFEST

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "maps"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from geo import layers

    monkeypatch.setenv(layers.LAYERS_ENV, str(tmp_path / "layers"))
    return use_hostile_layers(tmp_path / "layers")


def test_gallery_pages_and_index(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    (out).mkdir()
    (out / "corridor_gone.html").write_text("old", encoding="utf-8")
    (out / "corridor_mine.html").write_text("the user's own page", encoding="utf-8")
    # an earlier `geo maps` wrote corridor_gone.html (its manifest says so), not corridor_mine
    (out / MANIFEST).write_text('{"files": ["corridor_gone.html", "../outside.html"]}',
                                encoding="utf-8")
    (tmp_path / "outside.html").write_text("not in the folder", encoding="utf-8")
    pages = geo.build_gallery(out, n_draws=50)
    files = [p.file for p in pages]
    assert files[0] == "overview.html" and files[-1] == "sites.html"
    assert {"corridor_border_run.html", "corridor_caspian.html"} <= set(files)
    assert not (out / "corridor_gone.html").exists()
    assert (out / "corridor_mine.html").read_text(encoding="utf-8") == "the user's own page"
    assert (tmp_path / "outside.html").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {*files, "index.html"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert SCRIPT not in index and TEMPLATE not in index and "&lt;/script&gt;" in index
    for f in files:
        assert f'href="{f}"' in index
        html = (out / f).read_text(encoding="utf-8")
        assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    # the mini atlas has no Xi'an: the comparison is skipped and the index says why
    assert "comparison unavailable" in index


def test_gallery_is_byte_for_byte_reproducible(hostile: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    geo.build_gallery(a, n_draws=50)
    geo.build_gallery(b, n_draws=50)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_committed_gallery_is_up_to_date(tmp_path: Path) -> None:
    """Rebuild maps/ from the bundled layers and compare bytes with the committed copy."""
    assert (COMMITTED / "index.html").exists(), "maps/ has no gallery: run `geo maps`"
    fresh = tmp_path / "maps"
    geo.build_gallery(fresh)
    built = sorted(p.name for p in fresh.glob("*.html"))
    committed = sorted(p.name for p in COMMITTED.glob("*.html"))
    assert built == committed, "maps/ is stale (pages differ): run `geo maps`"
    built.append("comparison.png")  # the chart the index shows, rebuilt with the gallery
    stale = [n for n in built if (fresh / n).read_bytes() != (COMMITTED / n).read_bytes()]
    assert not stale, f"maps/ is stale: {stale} differ; run `geo maps -o maps`"
