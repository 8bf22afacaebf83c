"""Start-up stays light: ``import geo`` and ``geo --help`` load no heavy library.

Each check runs in a fresh interpreter and reads ``sys.modules`` (a correctness check of the
lazy loading, not a timing; the timings are in ``tests/benchmarks``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("geopandas", "pandas", "shapely", "pyproj", "folium", "networkx", "matplotlib",
         "numpy", "searoute", "branca", "jinja2")

_REPORT = "import json, sys; print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"


def _loaded_after(code: str) -> list[str]:
    script = f"{code}\n{_REPORT.format(heavy=HEAVY)}"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_geo_loads_no_heavy_library() -> None:
    assert _loaded_after("import geo") == []


def test_cli_help_loads_no_heavy_library() -> None:
    code = ("import contextlib, io\nfrom geo.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])")
    assert _loaded_after(code) == []


@pytest.mark.parametrize("command", ["corridors", "sites", "export", "validate", "maps", "map",
                                     "figure", "route", "compare", "near"])
def test_subcommand_help_loads_no_heavy_library(command: str) -> None:
    code = ("import contextlib, io\nfrom geo.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            f"    main([{command!r}, '--help'])")
    assert _loaded_after(code) == []


def test_a_public_name_still_loads_its_library() -> None:
    """The check above can fail: touching a public function does load geopandas."""
    assert "geopandas" in _loaded_after("import geo\ngeo.corridors")


def test_version_option_prints_the_installed_version() -> None:
    from geo._provenance import package_version

    done = subprocess.run([sys.executable, "-m", "geo", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"geo {package_version()}"
