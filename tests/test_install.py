"""The built wheel works outside the source tree and finds its bundled layers."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling "
                                            "(pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, timeout=600)
    (whl,) = out.glob("corridor_atlas-*.whl")
    return whl


def test_wheel_ships_the_layers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for layer in ("nodes", "links", "corridors", "sites", "energy", "countries"):
        assert f"geo/layers/{layer}.geojson" in names
    assert "geo/py.typed" in names
    assert not any(n.startswith(("tests/", "maps/")) for n in names)


def test_installed_package_works_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import geo, pathlib; "
            "print(geo.__file__); print(geo.layer_dir()); "
            "print(len(geo.corridors()), len(geo.sites()))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("GEO_LAYERS_DIR", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=300, check=True)
    module_file, layer_dir, counts = result.stdout.strip().splitlines()
    assert module_file.startswith(str(target)) and layer_dir.startswith(str(target))
    n_corridors, n_sites = map(int, counts.split())
    assert n_corridors >= 5 and n_sites >= 35
