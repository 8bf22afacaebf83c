"""Small value helpers every layer shares: missing values, JSON values, numbers as text.

One home for each: :func:`is_missing` (and :func:`is_blank`), :func:`json_value`, and the
number formatters (:func:`fmt_number`, :func:`fmt_km`, :func:`fmt_days`, :func:`fmt_usd`).
Base tier: imports nothing from ``geo``, and neither NumPy nor pandas (a value can only be a
NumPy or pandas object when that library is already loaded), so the CLI can use it before
its heavy imports.

>>> is_missing(float("nan")), is_missing([]), is_blank([])
(True, False, True)
>>> fmt_km(1234.4), fmt_km(None)
('1,234 km', None)
>>> json_value({"a": (1, float("nan"))})
{'a': [1, None]}
"""

from __future__ import annotations

import math
import sys
from typing import Any

__all__ = ["fmt_days", "fmt_km", "fmt_number", "fmt_usd", "is_blank", "is_missing", "json_value"]


def is_missing(value: Any) -> bool:
    """True for None, NaN (Python or NumPy float), pandas ``NA`` and ``NaT``, NumPy ``NaT``.

    Text, containers and arrays are never missing (an empty list is a value: see
    :func:`is_blank`).
    """
    if value is None:
        return True
    if isinstance(value, float):  # includes numpy.float64
        return math.isnan(value)
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.floating):
            return bool(np.isnan(value))
        if isinstance(value, np.datetime64 | np.timedelta64):
            return bool(np.isnat(value))
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def is_blank(value: Any) -> bool:
    """:func:`is_missing`, or empty text or an empty list, tuple or dict: nothing to show."""
    if isinstance(value, str | list | tuple | dict):
        return len(value) == 0
    return is_missing(value)


def json_value(value: Any) -> Any:
    """``value`` as plain JSON data: NumPy scalars and arrays become Python numbers and lists,
    tuples become lists, dict keys become text, and missing values (:func:`is_missing`) None.
    """
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if is_missing(value):
        return None
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            return [json_value(v) for v in value.tolist()]
        if isinstance(value, np.generic):  # numpy bool, int, float, str -> Python
            return value.item()
    if isinstance(value, float):
        return float(value)
    return value


def _number(value: Any) -> float | str | None:
    """``value`` as a float; None when missing (NaN too); its text when it is not a number."""
    if is_blank(value):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if math.isnan(f) else f


def fmt_number(value: Any, *, spec: str = ",.0f", unit: str | None = None) -> str | None:
    """``value`` formatted with ``spec`` and followed by `` unit``; None when missing.

    A value that is not a number is returned as its text.

    >>> fmt_number(12.345, spec=".1f", unit="h"), fmt_number("n/a"), fmt_number(float("nan"))
    ('12.3 h', 'n/a', None)
    """
    f = _number(value)
    if not isinstance(f, float):
        return f
    text = format(f, spec)
    return f"{text} {unit}" if unit else text


def fmt_km(value: Any) -> str | None:
    """``1,234 km`` (rounded to whole km), or None when missing."""
    return fmt_number(value, spec=",.0f", unit="km")


def fmt_days(value: Any) -> str | None:
    """``12.5 days``, or None when missing."""
    return fmt_number(value, spec=",.1f", unit="days")


def fmt_usd(value: Any) -> str | None:
    """``US$ 1.20 bn`` / ``US$ 350 m`` / ``US$ 9,500``, or None when missing.

    >>> fmt_usd(1.2e9), fmt_usd(3.5e8), fmt_usd(9500)
    ('US$ 1.20 bn', 'US$ 350 m', 'US$ 9,500')
    """
    f = _number(value)
    if not isinstance(f, float):
        return f
    if abs(f) >= 1e9:
        return f"US$ {f / 1e9:,.2f} bn"
    if abs(f) >= 1e6:
        return f"US$ {f / 1e6:,.0f} m"
    return f"US$ {f:,.0f}"
