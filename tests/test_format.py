"""The shared value helpers (geo._format): one missing-value check, one JSON converter, one
set of number formatters, used by the writers, the Route, the maps and the CLI alike."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo._format import fmt_days, fmt_km, fmt_number, fmt_usd, is_blank, is_missing, json_value

GEO = Path(__file__).resolve().parent.parent / "geo"

MISSING = [None, float("nan"), np.float32("nan"), np.float64("nan"), pd.NA, pd.NaT,
           np.datetime64("NaT"), np.timedelta64("NaT")]
PRESENT = [0, 0.0, -1.5, np.int64(3), np.float32(2.5), True, False, "x", "", [], (), {},
           [None], np.array([np.nan]), np.datetime64("2024-01-01"), float("inf")]


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_missing_values(value):
    assert is_missing(value)
    assert is_blank(value)


@pytest.mark.parametrize("value", PRESENT, ids=repr)
def test_present_values_are_not_missing(value):
    assert not is_missing(value)


@pytest.mark.parametrize(("value", "blank"), [("", True), ([], True), ((), True), ({}, True),
                                              (" ", False), ([None], False), (0, False)])
def test_blank_is_missing_or_empty(value, blank):
    assert is_blank(value) is blank


def test_json_value_turns_numpy_and_pandas_into_plain_json():
    value = {1: np.array([1, 2]), "f": np.float32(0.5), "i": np.int64(7), "b": np.bool_(True),
             "t": (np.float64("nan"), pd.NA), "s": np.str_("a"), "none": None}
    out = json_value(value)
    assert out == {"1": [1, 2], "f": 0.5, "i": 7, "b": True, "t": [None, None], "s": "a",
                   "none": None}
    assert type(out["i"]) is int and type(out["b"]) is bool and type(out["f"]) is float
    json.dumps(out, allow_nan=False)  # plain JSON: no NaN, no NumPy types


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                      st.floats(allow_nan=True, allow_infinity=False))
nested = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                      | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)


@given(nested)
def test_json_value_output_always_dumps_without_nan(value):
    text = json.dumps(json_value(value), allow_nan=False)
    assert json_value(json.loads(text)) == json.loads(text)  # a fixed point


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_fmt_km_rounds_to_whole_km(km):
    text = fmt_km(km)
    assert text is not None and text.endswith(" km")
    assert float(text[:-3].replace(",", "")) == pytest.approx(round(km), abs=1)


@pytest.mark.parametrize("fmt", [fmt_km, fmt_days, fmt_usd, fmt_number])
@pytest.mark.parametrize("value", [*MISSING, "", []], ids=repr)
def test_formatters_give_none_for_missing(fmt, value):
    assert fmt(value) is None


@pytest.mark.parametrize(("value", "text"), [(12.25, "12.2 days"), ("3", "3.0 days"),
                                             ("unknown", "unknown")])
def test_fmt_days(value, text):
    assert fmt_days(value) == text


@pytest.mark.parametrize(("value", "text"), [(2.5e9, "US$ 2.50 bn"), (-3e6, "US$ -3 m"),
                                             (999_999, "US$ 999,999")])
def test_fmt_usd(value, text):
    assert fmt_usd(value) == text


def test_fmt_number_unit_and_spec():
    assert fmt_number(math.pi, spec=".2f", unit="h") == "3.14 h"
    assert fmt_number(1234567) == "1,234,567"


# --------------------------------------------------------------------------- one home each


def _calls_and_defs() -> list[tuple[str, int, str, str]]:
    """(file, line, 'call' or 'def', name) for every call and function definition in geo/."""
    out = []
    for path in sorted(GEO.rglob("*.py")):
        rel = str(path.relative_to(GEO.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                out.append((rel, node.lineno, "call", name))
            elif isinstance(node, ast.FunctionDef):
                out.append((rel, node.lineno, "def", node.name))
    return out


def test_one_wgs84_geod_in_geo_measure():
    geods = [(f, n) for f, n, kind, name in _calls_and_defs() if kind == "call" and name == "Geod"]
    assert [f for f, _ in geods] == ["geo/measure.py"], geods


def test_value_helpers_have_one_home():
    """No module grows its own JSON converter, NaN check or km formatter again."""
    suspects = ("_json_value", "_jsonable", "is_missing", "_missing", "_isnan", "fmt_km",
                "_fmt_km", "fmt_days", "fmt_usd", "_fmt")
    defs = [(f, n, name) for f, n, kind, name in _calls_and_defs()
            if kind == "def" and name in suspects and f != "geo/_format.py"]
    assert defs == []


def test_format_module_costs_no_heavy_import() -> None:
    """The CLI formats table cells with it before (or without) loading NumPy and pandas."""
    code = ("import sys, geo._format; "
            "print(sorted(m for m in ('numpy', 'pandas', 'geopandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
