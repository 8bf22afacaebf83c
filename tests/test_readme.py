"""The README's Python examples run, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from types import ModuleType

import pytest

import geo._format
import geo.measure

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    exec(compile(BLOCKS[index], f"README.md python block {index + 1}", "exec"), {"__name__": "readme"})


@pytest.mark.parametrize("module", [geo.measure, geo._format], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0


def corridor_table_rows() -> list[str]:
    """The README's corridor table as the data gives it today."""
    rows = []
    for r in geo.corridors().itertuples():
        doc = r.documented_length_km
        documented = "—" if doc is None or doc != doc else f"{doc:,.0f}"
        rows.append(f"| {r.name} | {r.length_used_km:,.0f} | {documented} | {r.geodesic_length_km:,.0f} "
                    f"| {100 * r.documented_share:.0f} % | {'–'.join(r.countries)} |")
    return rows


def test_readme_corridor_table_matches_the_layers() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [row for row in corridor_table_rows() if row not in text]
    assert not missing, "README corridor table is stale; expected rows:\n" + "\n".join(corridor_table_rows())


def test_ci_runs_the_readme_test_command() -> None:
    """The README's test command (tests, ruff, mypy) is the one .ci/run runs, word for word."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    commands = [" ".join(b.replace("\\\n", " ").split()) for b in blocks]
    test_command = next(c for c in commands if "pytest" in c)
    assert "ruff check geo tests" in test_command and "mypy geo" in test_command
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in " ".join(ci.replace("\\\n", " ").split())
