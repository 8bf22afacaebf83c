"""How the model's objects show themselves: display rounding, export precision, HTML tables.

Display (``repr``, ``_repr_html_``, the CLI): kilometres to 0.1, days to 0.1.  Exports (CSV,
JSON, GeoJSON, ``Route.to_gdf``) are rounded to :data:`EXPORT_DECIMALS`: km to 0.1, hours and
days to 0.01, coordinates to 6 decimals of a degree (about 0.1 m), so files carry no float
noise such as ``18796.717032`` km.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely

__all__ = ["EXPORT_DECIMALS", "days1", "html_table", "km1", "round_coords", "round_export"]

#: Decimals of exported figures, by the unit suffix of the column name.
EXPORT_DECIMALS: dict[str, int] = {"_km": 1, "_h": 2, "_days": 2, "coordinates": 6}


def km1(value: Any) -> str:
    """``1,234.5 km`` (display precision), ``-`` when missing."""
    return "-" if value is None or value != value else f"{float(value):,.1f} km"


def days1(value: Any) -> str:
    """``12.3`` days to display precision (no unit), ``-`` when missing."""
    return "-" if value is None or value != value else f"{float(value):.1f}"


def _decimals(column: str) -> int | None:
    for suffix, n in EXPORT_DECIMALS.items():
        if column.endswith(suffix):
            return n
    return None


def round_export(frame: Any) -> Any:
    """A copy of a (Geo)DataFrame with figures and coordinates at :data:`EXPORT_DECIMALS`.

    Float columns named ``*_km``, ``*_h`` or ``*_days`` are rounded; a geometry column gets
    its coordinates rounded to 6 decimals.
    """
    out = frame.copy()
    for col in out.columns:
        n = _decimals(str(col))
        if n is not None and out[col].dtype.kind == "f":
            out[col] = out[col].round(n)
    geom = getattr(out, "_geometry_column_name", None)
    if geom is not None and geom in out.columns:
        out[geom] = round_coords(out[geom])
    return out


def round_coords(geometry: Any, decimals: int = EXPORT_DECIMALS["coordinates"]) -> Any:
    """Geometries (one, an array or a GeoSeries) with coordinates rounded to ``decimals``."""
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals))


def html_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *,
               caption: str | None = None) -> str:
    """A compact HTML table; every header, cell and the caption are escaped."""
    esc = html.escape
    head = "".join(f"<th>{esc(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc('' if c is None else str(c))}</td>" for c in r)
                   + "</tr>" for r in rows)
    cap = f"<caption style=\"text-align:left\">{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
