"""Validation of layer files: every problem at once, each with file, feature, field and rule.

The checks run on the parsed GeoJSON (plain dicts), before any GeoDataFrame is built, so a
broken file is reported precisely instead of failing somewhere inside GDAL or pandas.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo._errors import Problem
from geo._io import JSONLimitError, decode_text, load_json
from geo.schema import (
    ENERGY_CAPACITY_FIELD,
    ID_PATTERN,
    ISO3_PATTERN,
    LAYER_FIELDS,
    LAYER_GEOMETRY,
    CoordQuality,
    FieldSpec,
    LayerKind,
    Mode,
)

__all__ = ["Context", "check_collection", "read_collection"]

#: CRS names that mean WGS84 longitude/latitude in (legacy) GeoJSON ``crs`` members.
_WGS84_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "crs84",
    "ogc:crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "urn:ogc:def:crs:epsg:6.6:4326",
}
#: Track gauges accepted on rail links, in mm (standard, Russian broad, metre, Cape, Indian).
RAIL_GAUGES_MM = (1000, 1067, 1435, 1520, 1524, 1668, 1676)
#: How far (degrees) a link end may be from its node and still "coincide" (about 1 m).
END_TOLERANCE_DEG = 1e-5
#: How far (km) a point may lie inside another country's outline (border stations whose
#: approximate coordinate falls a little across the 1:50m boundary).
COUNTRY_TOLERANCE_KM = 30.0
#: How far (km) a point at sea may lie from its declared country (ports, offshore fields).
OFFSHORE_TOLERANCE_KM = 150.0


@dataclass
class Context:
    """What cross-layer checks look things up in (all optional)."""

    node_coords: Mapping[str, tuple[float, float]] | None = None
    link_pairs: Mapping[frozenset[str], str] | None = None
    corridor_ids: set[str] | None = None
    link_ids: set[str] | None = None
    iso3_codes: set[str] | None = None
    #: callable (lon, lat) -> ISO3 or None, for "point is not in its country" checks
    country_at: Any = None


def read_collection(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read ``path`` as a GeoJSON FeatureCollection; problems if it is not one."""
    name = str(path)

    def bad(msg: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, None, None, None, msg)]

    if not path.exists():
        return bad("file does not exist")
    if path.is_dir():
        return bad("is a directory, expected a GeoJSON file")
    raw = path.read_bytes()
    if not raw.strip():
        return bad("file is empty; expected a GeoJSON FeatureCollection")
    try:
        data = load_json(decode_text(raw))
    except UnicodeDecodeError as exc:
        return bad(exc.reason)
    except json.JSONDecodeError as exc:
        return bad(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except JSONLimitError as exc:
        return bad(f"cannot be read: {exc}")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        return bad(f"top-level 'type' is {found!r}; expected 'FeatureCollection'")
    if not isinstance(data.get("features"), list):
        return bad("'features' is missing or not a list")
    return data, []


def _crs_problem(name: str, data: Mapping[str, Any]) -> Problem | None:
    crs = data.get("crs")
    if crs is None:
        return None
    declared = None
    if isinstance(crs, dict):
        props = crs.get("properties")
        if isinstance(props, dict):
            declared = props.get("name") or props.get("href")
    if isinstance(declared, str) and declared.strip().lower() in _WGS84_NAMES:
        return None
    return Problem(name, None, None, "crs",
                   f"declared CRS {declared or crs!r} is not WGS84 longitude/latitude; "
                   "reproject to EPSG:4326 (lon, lat) and drop the 'crs' member (RFC 7946)")


def _positions(geometry: Mapping[str, Any]) -> list[Any]:
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    if gtype == "Point":
        return [coords]
    if gtype == "LineString" and isinstance(coords, list):
        return list(coords)
    if gtype == "MultiLineString" and isinstance(coords, list):
        return [pos for part in coords if isinstance(part, list) for pos in part]
    return []


def _position_problem(pos: Any) -> str | None:
    if not (isinstance(pos, list | tuple) and len(pos) in (2, 3)):
        return f"position {pos!r} is not [lon, lat]"
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos):
        return f"position {pos!r} has non-numeric values"
    lon, lat = float(pos[0]), float(pos[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"position {pos!r} is not finite"
    if abs(lat) > 90 and abs(lon) <= 90:
        return (f"latitude {lat} is out of range [-90, 90] while longitude {lon} would be a valid "
                "latitude: latitude and longitude look swapped; GeoJSON order is [lon, lat]")
    if abs(lon) > 180 or abs(lat) > 90:
        return f"position [{lon}, {lat}] is out of range: lon in [-180, 180], lat in [-90, 90]"
    return None


def _check_value(spec: FieldSpec, value: Any, ctx: Context) -> str | None:  # noqa: C901
    t = spec.value_type
    if t in ("str", "id"):
        if not isinstance(value, str) or not value.strip():
            return "must be a non-empty string"
        if t == "id" and not ID_PATTERN.match(value):
            return f"{value!r} is not a valid id: lower-case letters, digits and '_' ({ID_PATTERN.pattern})"
        return None
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} must be a whole number"
        return None
    if t == "float":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"{value!r} must be a number"
        return None
    if t == "enum":
        assert spec.enum is not None
        if value not in spec.enum.choices():
            return f"{value!r} is not allowed; must be one of {spec.enum.choices()}"
        return None
    if t in ("str_list", "enum_list", "id_list", "iso3_list"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return "must be a list of non-empty strings"
        if t == "enum_list":
            assert spec.enum is not None
            badv = [v for v in value if v not in spec.enum.choices()]
            if badv:
                return f"{badv} not allowed; each must be one of {spec.enum.choices()}"
        if t == "id_list":
            badv = [v for v in value if not ID_PATTERN.match(v)]
            if badv:
                return f"{badv} are not valid ids ({ID_PATTERN.pattern})"
        if t == "iso3_list":
            msgs = [m for v in value if (m := _iso3_problem(v, ctx))]
            if msgs:
                return "; ".join(msgs)
        return None
    if t == "iso3":
        if not isinstance(value, str):
            return "must be an ISO 3166-1 alpha-3 code such as 'KAZ'"
        return _iso3_problem(value, ctx)
    if t == "source":
        return _source_problem(value)
    if t == "source_list":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list of {title, url} objects"
        msgs = [f"source {i}: {m}" for i, v in enumerate(value) if (m := _source_problem(v))]
        return "; ".join(msgs) or None
    if t == "alternatives":
        if not isinstance(value, list):
            return "must be a list of {value_km, source} objects"
        for i, alt in enumerate(value):
            if not isinstance(alt, dict) or not isinstance(alt.get("value_km"), int | float):
                return f"alternative {i} must have a numeric 'value_km'"
            if m := _source_problem(alt.get("source")):
                return f"alternative {i}: {m}"
        return None
    if t == "vertex_list":
        return _vertices_problem(value)
    if t == "km_by_iso3":
        if not isinstance(value, dict) or not value:
            return "must be a non-empty object {ISO3: km}"
        msgs = [m for k in value if (m := _iso3_problem(str(k), ctx))]
        badkm = [k for k, v in value.items() if v is not None and (
            isinstance(v, bool) or not isinstance(v, int | float) or not v > 0)]
        if badkm:
            msgs.append(f"km for {badkm} must be positive numbers (null: named without km)")
        return "; ".join(msgs) or None
    raise AssertionError(f"unknown field type {t}")  # pragma: no cover


def _vertices_problem(value: Any) -> str | None:
    """A vertex list: one {name, coord_quality, coord_source, route_source} per position."""
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of {name, coord_quality, coord_source, route_source}"
    msgs = []
    for i, v in enumerate(value):
        if not isinstance(v, dict):
            msgs.append(f"vertex {i} must be an object")
            continue
        name = v.get("name")
        if not isinstance(name, str) or not name.strip():
            msgs.append(f"vertex {i}: 'name' must be a non-empty string")
        if v.get("coord_quality") not in CoordQuality.choices():
            msgs.append(f"vertex {i}: 'coord_quality' {v.get('coord_quality')!r} must be one of "
                        f"{CoordQuality.choices()}")
        for key in ("coord_source", "route_source"):
            if (m := _source_problem(v.get(key))) is not None:
                msgs.append(f"vertex {i}: {key}: {m}")
    return "; ".join(msgs) or None


def _iso3_problem(value: str, ctx: Context) -> str | None:
    if not ISO3_PATTERN.match(value):
        return f"{value!r} is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. 'KAZ')"
    if ctx.iso3_codes is not None and value not in ctx.iso3_codes:
        return f"{value!r} is not a known ISO 3166-1 alpha-3 country code"
    return None


def _source_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "a source must be an object {\"title\": ..., \"url\": ...}"
    title, url = value.get("title"), value.get("url")
    if not isinstance(title, str) or not title.strip():
        return "source 'title' is missing or empty"
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return f"source 'url' {url!r} must be an http(s) URL"
    return None


def check_collection(data: Mapping[str, Any], *, kind: LayerKind, name: str,
                     ctx: Context | None = None) -> list[Problem]:
    """Every problem in a parsed FeatureCollection of layer ``kind``."""
    ctx = ctx or Context()
    problems: list[Problem] = []
    if (p := _crs_problem(name, data)) is not None:
        problems.append(p)
    specs = LAYER_FIELDS[kind]
    want_geom = LAYER_GEOMETRY[kind]
    seen: dict[str, int] = {}
    for index, feature in enumerate(data.get("features", [])):
        fid: str | None = None

        def add(fieldname: str | None, message: str, _i: int = index) -> None:
            problems.append(Problem(name, _i, fid, fieldname, message))  # noqa: B023 (same iteration)

        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            add(None, "is not a GeoJSON Feature object")
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            add("properties", "must be an object")
            continue
        raw_id = props.get("id")
        fid = raw_id if isinstance(raw_id, str) else None
        if fid is not None:
            if fid in seen:
                add("id", f"duplicate id {fid!r} (first used by feature {seen[fid]}); ids must be unique")
            else:
                seen[fid] = index
        for spec in specs:
            present = spec.name in props
            value = props.get(spec.name)
            if value is None:
                if spec.required and not spec.nullable:
                    add(spec.name, "is missing" if not present else "must not be null")
                continue
            if (msg := _check_value(spec, value, ctx)) is not None:
                add(spec.name, msg)
        problems.extend(_check_geometry(feature.get("geometry"), want_geom, name, index, fid))
        problems.extend(_check_rules(kind, props, feature.get("geometry"), name, index, fid, ctx))
    return problems


def _check_geometry(geometry: Any, want: str | None, name: str, index: int,
                    fid: str | None) -> list[Problem]:
    def prob(msg: str) -> list[Problem]:
        return [Problem(name, index, fid, "geometry", msg)]

    if want is None:
        if geometry is not None:
            return prob("must be null: this layer's geometry is computed from its links")
        return []
    allowed = want.split("|")
    shown = " or ".join(repr(a) for a in allowed)
    if not isinstance(geometry, dict):
        return prob(f"is missing; expected a {shown}")
    if geometry.get("type") not in allowed:
        return prob(f"type is {geometry.get('type')!r}; expected {shown}")
    positions = _positions(geometry)
    if geometry.get("type") == "LineString" and len(positions) < 2:
        return prob("a LineString needs at least two positions")
    if geometry.get("type") == "MultiLineString":
        parts = geometry.get("coordinates")
        if not isinstance(parts, list) or not parts or any(
                not isinstance(part, list) or len(part) < 2 for part in parts):
            return prob("a MultiLineString needs one or more parts of at least two positions")
    for pos in positions:
        if (msg := _position_problem(pos)) is not None:
            return prob(msg)
    return []


def _check_rules(kind: LayerKind, props: Mapping[str, Any], geometry: Any, name: str,
                 index: int, fid: str | None, ctx: Context) -> Iterable[Problem]:
    def prob(fieldname: str, msg: str) -> Problem:
        return Problem(name, index, fid, fieldname, msg)

    positions = _positions(geometry) if isinstance(geometry, dict) else []
    valid_positions = positions and all(_position_problem(p) is None for p in positions)
    if kind is LayerKind.LINKS:
        yield from _link_rules(props, positions if valid_positions else [], prob, ctx)
    elif kind is LayerKind.CORRIDORS:
        yield from _corridor_rules(props, prob, ctx)
    if kind is LayerKind.SITES:
        yield from _site_rules(props, prob, ctx)
        yield from _financier_rules(props, prob)
    if kind is LayerKind.ENERGY:
        yield from _energy_rules(props, positions if valid_positions else [], prob)
        yield from _financier_rules(props, prob)
    if kind in (LayerKind.NODES, LayerKind.SITES) and valid_positions and ctx.country_at:
        yield from _country_rule(props, positions[0], prob, ctx)


def _corridor_rules(props: Mapping[str, Any], prob: Any, ctx: Context) -> Iterable[Problem]:
    nodes = props.get("nodes")
    if not isinstance(nodes, list):
        return
    if len(nodes) < 2:
        yield prob("nodes", "a corridor needs at least two nodes")
    if ctx.node_coords is not None:
        for n in nodes:
            if isinstance(n, str) and n not in ctx.node_coords:
                yield prob("nodes", f"node {n!r} does not exist in the nodes layer")
    if ctx.link_pairs is not None:
        for a, b in itertools.pairwise(nodes):
            if (isinstance(a, str) and isinstance(b, str)
                    and frozenset((a, b)) not in ctx.link_pairs):
                yield prob("nodes", f"no link joins consecutive nodes {a!r} and {b!r}")


def _site_rules(props: Mapping[str, Any], prob: Any, ctx: Context) -> Iterable[Problem]:
    for ref, known in (("corridor", ctx.corridor_ids), ("link", ctx.link_ids)):
        value = props.get(ref)
        if isinstance(value, str) and known is not None and value not in known:
            yield prob(ref, f"{value!r} is not a known {ref} id")
    year = props.get("year")
    if isinstance(year, int) and not 1850 <= year <= 2100:
        yield prob("year", f"{year} is outside 1850-2100")
    value = props.get("value_usd")
    if isinstance(value, int | float) and value < 0:
        yield prob("value_usd", "must not be negative")


def _financier_rules(props: Mapping[str, Any], prob: Any) -> Iterable[Problem]:
    financiers = props.get("financier")
    if not isinstance(financiers, list):
        return
    if not financiers:
        yield prob("financier", "must not be an empty list; use null when no source names a financier")
    dupes = sorted({f for f in financiers if isinstance(f, str) and financiers.count(f) > 1})
    if dupes:
        yield prob("financier", f"lists {dupes} more than once; name each financier once")
    note = props.get("financier_note")
    if "other" in financiers and not (isinstance(note, str) and note.strip()):
        yield prob("financier_note", "is required when financier includes 'other': say who it is")


def _documented_length_rules(props: Mapping[str, Any], prob: Any) -> Iterable[Problem]:
    """A documented length is positive and cites its source (links and energy lines)."""
    documented = props.get("documented_length_km")
    if documented is None:
        return
    if isinstance(documented, int | float) and documented <= 0:
        yield prob("documented_length_km", "must be positive")
    if props.get("length_source") is None:
        yield prob("length_source", "is required when documented_length_km is set")


def _link_rules(props: Mapping[str, Any], positions: list[Any], prob: Any,
                ctx: Context) -> Iterable[Problem]:
    mode = props.get("mode")
    gauge = props.get("gauge_mm")
    if mode == Mode.RAIL.value:
        if gauge is None:
            yield prob("gauge_mm", f"is required for rail links; one of {list(RAIL_GAUGES_MM)}")
        elif isinstance(gauge, int) and gauge not in RAIL_GAUGES_MM:
            yield prob("gauge_mm", f"{gauge} is not a known gauge; one of {list(RAIL_GAUGES_MM)}")
    elif mode in Mode.choices() and gauge is not None:
        yield prob("gauge_mm", f"must be null for a {mode} link (gauge applies to rail only)")
    documented = props.get("documented_length_km")
    if documented is not None:
        yield from _documented_length_rules(props, prob)
    else:
        circuity = props.get("circuity")
        if circuity is None:
            yield prob("circuity", "is required when no documented_length_km is given "
                                   "(real length / geodesic length, e.g. 1.10 for plain rail)")
        elif isinstance(circuity, int | float) and not 1.0 <= circuity <= 3.0:
            yield prob("circuity", f"{circuity} is outside the plausible range 1.0-3.0")
    yield from _link_end_rules(props, positions, prob, ctx)


def _link_end_rules(props: Mapping[str, Any], positions: list[Any], prob: Any,
                    ctx: Context) -> Iterable[Problem]:
    """A link's ``from_id``/``to_id`` exist and its first/last vertex meet those nodes."""
    if ctx.node_coords is None:
        return
    for end, pos in (("from_id", positions[0] if positions else None),
                     ("to_id", positions[-1] if positions else None)):
        node = props.get(end)
        if not isinstance(node, str):
            continue
        if node not in ctx.node_coords:
            yield prob(end, f"node {node!r} does not exist in the nodes layer")
            continue
        if pos is None:
            continue
        nlon, nlat = ctx.node_coords[node]
        if abs(pos[0] - nlon) > END_TOLERANCE_DEG or abs(pos[1] - nlat) > END_TOLERANCE_DEG:
            which = "first" if end == "from_id" else "last"
            yield prob("geometry", f"{which} vertex [{pos[0]}, {pos[1]}] does not meet node "
                                   f"{node!r} at [{nlon}, {nlat}]; link ends must coincide with "
                                   "their nodes")


def _country_rule(props: Mapping[str, Any], pos: Any, prob: Any,
                  ctx: Context) -> Iterable[Problem]:
    country = props.get("country")
    if not isinstance(country, str) or not ISO3_PATTERN.match(country):
        return
    lon, lat = float(pos[0]), float(pos[1])
    found, distance_km = ctx.country_at(lon, lat, country)
    tolerance_km = COUNTRY_TOLERANCE_KM if found else OFFSHORE_TOLERANCE_KM
    if found == country or distance_km <= tolerance_km:
        return
    swapped, _ = ctx.country_at(lat, lon, country) if abs(lat) <= 180 and abs(lon) <= 90 else (None, 0)
    hint = (" — with longitude and latitude swapped it would be; GeoJSON order is [lon, lat]"
            if swapped == country else "")
    where = f"in {found}" if found else "outside every country outline"
    yield prob("geometry", f"point [{lon}, {lat}] lies {where}, {distance_km:.0f} km from "
                           f"declared country {country!r}{hint}")


def _energy_rules(props: Mapping[str, Any], positions: list[Any],
                  prob: Any) -> Iterable[Problem]:
    """Capacity field matches the kind; lengths and years plausible; vertices match geometry."""
    kind = props.get("kind")
    wanted = ENERGY_CAPACITY_FIELD.get(kind) if isinstance(kind, str) else None
    for fieldname in ENERGY_CAPACITY_FIELD.values():
        value = props.get(fieldname)
        if value is None:
            continue
        if wanted is not None and fieldname != wanted:
            yield prob(fieldname, f"must be null for a {kind}; a {kind} gives its capacity "
                                  f"in {wanted!r}")
        elif isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            yield prob(fieldname, "must be positive (null if unknown)")
    yield from _documented_length_rules(props, prob)
    if props.get("documented_km_by_country") is not None \
            and props.get("documented_km_source") is None:
        yield prob("documented_km_source", "is required when documented_km_by_country is set")
    opened = props.get("opened")
    if isinstance(opened, int) and not isinstance(opened, bool) and not 1850 <= opened <= 2100:
        yield prob("opened", f"{opened} is outside 1850-2100")
    vertices = props.get("vertices")
    if isinstance(vertices, list) and positions and len(vertices) != len(positions):
        yield prob("vertices", f"{len(vertices)} vertices for {len(positions)} positions; give "
                               "one vertex record per position, in geometry order")
    if props.get("coord_quality") == CoordQuality.SOURCED.value and isinstance(vertices, list):
        loose = [v.get("name") for v in vertices
                 if isinstance(v, dict) and v.get("coord_quality") != CoordQuality.SOURCED.value]
        if loose:
            yield prob("coord_quality", f"'sourced' needs every vertex sourced; approximate: "
                                        f"{loose}")
