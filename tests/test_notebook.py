"""The notebook that walks through the claim runs top to bottom (nbclient), with no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "claim.ipynb"

pytestmark = pytest.mark.slow


def test_claim_notebook_runs_and_shows_its_figures(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # stored without outputs: the test makes them
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if "text/html" in o.get("data", {})]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells
                     if c.cell_type == "code" for o in c.outputs)
    assert "The Effects of Regional Arrangements" in text
    assert "<Comparison Xi'an to Duisburg" in text and "<Route " in text
    assert any("Sea via Suez to a North Sea port" in h for h in html)  # the _repr_html_ table
    assert "AtlasMap" in text
