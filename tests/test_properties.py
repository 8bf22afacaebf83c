"""Property-based tests (Hypothesis) of the readers, the validator, the scenario loader and
the map renderers with generated text, numbers and nesting (issue 8, part 6).

The properties: a reader either returns one row per input row with the coordinates given,
or raises :class:`geo.LayerError` (never another exception); the validator returns
problems and never raises; a scenario loads with every value finite and inside its physical
bounds, or raises :class:`geo.ScenarioError`; a map page built from any text holds that
text (escaped) and never its value as a Jinja2 template.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import geopandas as gpd
import jinja2
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo._errors import LayerError, ScenarioError
from geo._io import load_json
from geo.maps._html import escape_html, json_for_script
from geo.readers import read_points

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
OFFICIAL = Path(__file__).resolve().parents[1] / "geo" / "routing" / "data" / "official.toml"

#: Text with everything hostile: Jinja2 delimiters, quotes, separators, newlines, BOMs.
HOSTILE_ALPHABET = st.sampled_from(list("{}%#*()_.,;\t\n\r\"'`$\\<>/&=|[] 7xLaé\u2028\ufeff\x00"))
fragments = st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "7*7", " for x in range(3) ",
                             "endfor", "if", "lipsum.__globals__", "cycler", "self", "'", '"',
                             "</script>", "<!--", "\u2028", "${1}", "`"])
hostile_text = st.one_of(
    st.text(HOSTILE_ALPHABET, max_size=40),
    st.lists(fragments, max_size=8).map("".join),
    st.text(max_size=30),
)


def _tmp(suffix: str, data: bytes) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="geo-prop-"))
    path = directory / f"input{suffix}"
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- readers


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv", ".txt",
                                                              ".geojson"]))
def test_readers_never_crash_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    path = _tmp(suffix, data)
    try:
        gdf = read_points(path)
    except LayerError as exc:
        assert str(path) in str(exc)
    else:
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326


coords = st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False))


@SETTINGS
@given(rows=st.lists(st.tuples(hostile_text, coords), min_size=1, max_size=8),
       bom=st.sampled_from([b"", b"\xef\xbb\xbf"]), blank_lines=st.integers(0, 2))
def test_csv_rows_and_coordinates_survive_hostile_text(rows: list, bom: bytes,
                                                       blank_lines: int) -> None:
    import csv
    import io

    rows = [(name.replace("\x00", "").replace("\r", ""), xy) for name, xy in rows]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "lon", "lat"])
    for name, (x, y) in rows:
        buf.write("\n" * blank_lines)
        w.writerow([name, repr(x), repr(y)])
    path = _tmp(".csv", bom + buf.getvalue().encode("utf-8"))
    try:
        gdf = read_points(path)
    except LayerError as exc:  # only a cell that makes the row unreadable as CSV
        assert str(path) in str(exc)
        return
    assert len(gdf) == len(rows)
    assert [(p.x, p.y) for p in gdf.geometry] == [xy for _, xy in rows]


@SETTINGS
@given(lines=st.lists(st.sampled_from(["ok", "bad", "blank", "quoted"]), min_size=1,
                      max_size=12))
def test_csv_problem_line_numbers_are_physical_lines(lines: list[str]) -> None:
    text, expected, line = "name,lon,lat\n", [], 1
    for kind in lines:
        line += 1
        if kind == "blank":
            text += "\n"
        elif kind == "ok":
            text += "a,70,43\n"
        elif kind == "bad":
            text += "b,70,north\n"
            expected.append(line)
        else:  # a quoted cell spanning two lines, then a bad latitude
            text += '"two\nlines",70,south\n'
            expected.append(line)
            line += 1
    assume(any(k in ("ok", "bad", "quoted") for k in lines))
    path = _tmp(".csv", text.encode("utf-8"))
    if not expected:
        assert len(read_points(path)) == sum(k == "ok" for k in lines)
        return
    with pytest.raises(LayerError) as err:
        read_points(path)
    found = [int(p.message.split(":")[0].split()[1]) for p in err.value.problems]
    assert found == expected


# --------------------------------------------------------------------------- validator, JSON

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**400), 10**400) |
    st.floats(allow_nan=True, allow_infinity=True) | hostile_text,
    lambda children: st.lists(children, max_size=4) |
    st.dictionaries(st.sampled_from(["type", "features", "properties", "geometry", "id",
                                     "name", "sources", "coordinates", "crs"]) | hostile_text,
                    children, max_size=4),
    max_leaves=25)


@SETTINGS
@given(doc=json_values, kind=st.sampled_from(["nodes", "links", "corridors", "sites"]),
       depth=st.sampled_from([0, 0, 50, 5000, 100_000]))
def test_validator_reports_problems_and_never_raises(doc: object, kind: str, depth: int) -> None:
    import geo

    text = json.dumps(doc, allow_nan=True)
    text = "[" * depth + text + "]" * depth
    path = _tmp(".geojson", text.encode("utf-8"))
    problems = geo.validate(path, kind=kind)
    assert isinstance(problems, list)
    assert all(str(path) in str(p) for p in problems)


@SETTINGS
@given(doc=json_values)
def test_load_json_round_trips_or_refuses(doc: object) -> None:
    text = json.dumps(doc, allow_nan=True)
    try:
        value = load_json(text)
    except ValueError:
        assert any(w in text for w in ("NaN", "Infinity")) or any(
            len(t) > 308 for t in text.replace("-", " ").replace(",", " ").replace("]", " ")
            .replace("}", " ").replace(":", " ").split())
    else:
        assert json.dumps(value, sort_keys=True) == json.dumps(doc, sort_keys=True)


# --------------------------------------------------------------------------- scenarios

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**500),
                                                                                10**500))


def _toml_number(v: float | int) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


@SETTINGS
@given(low=numbers, likely=numbers, high=numbers,
       key=st.sampled_from([("speed_kmh.rail", "low = 28.75", "likely = 33.3", "high = 62.5")]))
def test_scenario_loads_bounded_or_refuses(low: float, likely: float, high: float,
                                           key: tuple[str, str, str, str]) -> None:
    from geo.routing.scenarios import PARAM_BOUNDS, load_scenario

    name, lo_line, li_line, hi_line = key
    text = OFFICIAL.read_text(encoding="utf-8")
    text = text.replace(lo_line, f"low = {_toml_number(low)}", 1)
    text = text.replace(li_line, f"likely = {_toml_number(likely)}", 1)
    text = text.replace(hi_line, f"high = {_toml_number(high)}", 1)
    path = _tmp(".toml", text.encode("utf-8"))
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc)
        return
    lo_bound, hi_bound = PARAM_BOUNDS[name.split(".")[0]]
    for which in ("fast", "likely", "slow"):
        v = sc.value(name, which)
        assert math.isfinite(v) and lo_bound <= v <= hi_bound


@SETTINGS
@given(value=numbers)
def test_scenario_overrides_bounded_or_refused(value: float) -> None:
    from geo.routing.scenarios import load_scenario

    try:
        sc = load_scenario("official", overrides={"dwell_h.border_rail": value})
    except ScenarioError:
        assert not (isinstance(value, int | float) and 0 <= value <= 8760)
    else:
        assert sc.value("dwell_h.border_rail") == float(value)


# --------------------------------------------------------------------------- map renderers


def _rendered_as_template(text: str) -> str | None:
    """What ``text`` becomes as a Jinja2 template, when that differs from the text."""
    try:
        out = jinja2.Template(text).render()
    except Exception:  # syntax or runtime errors: not a template result
        return None
    return out if out != text else None


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(hostile_text, min_size=1, max_size=3), title=hostile_text,
       big=st.booleans())
def test_map_pages_hold_text_literally(names: list[str], title: str, big: bool) -> None:
    from geo.maps.interactive import render_html

    marked = [f"pq{n}qp" for n in names]
    sites = gpd.GeoDataFrame({"name": marked, "note": marked[::-1]}, crs="EPSG:4326",
                             geometry=[shapely.Point(70 + k, 43) for k in range(len(marked))])
    html = render_html(corridors=False, nodes=False, sites=sites, offline=False,
                       title=f"pq{title}qp", big_threshold=0 if big else 3000,
                       site_fields=["note"])
    for text in marked:
        assert escape_html(text) in html or json_for_script(text)[1:-1] in html, text
        evaluated = _rendered_as_template(text)
        if evaluated is not None and len(evaluated) > 4:
            assert escape_html(evaluated) not in html or escape_html(evaluated) in escape_html(
                text), (text, evaluated)
