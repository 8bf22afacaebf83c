"""Readers for users' point files: CSV, GeoJSON, GeoPackage, GeoParquet.

Every reader returns a point GeoDataFrame in EPSG:4326 (lon, lat), one row per input row,
in file order.  Nothing is dropped silently: missing or invalid coordinates raise a
:class:`~geo.LayerError` that lists every bad row (CSV: line number in the file; other
formats: feature number, counted from 0).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sites.csv"
>>> _ = path.write_text("name,Latitude,Longitude\\nKhorgos,44.21,80.41\\n")
>>> read_points(path)[["name", "geometry"]].to_wkt().values.tolist()
[['Khorgos', 'POINT (80.41 44.21)']]
"""

from __future__ import annotations

import csv
import io
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import LayerError, Problem
from geo._io import decode_text, text_encoding

__all__ = ["LAT_NAMES", "LON_NAMES", "POINT_FORMATS", "read_points"]

log = logging.getLogger(__name__)

#: Column names recognised as longitude / latitude (case-insensitive), in order of preference.
LON_NAMES = ("longitude", "lon", "lng", "long", "x")
LAT_NAMES = ("latitude", "lat", "y")
#: File suffixes by format.
POINT_FORMATS = {
    "csv": (".csv", ".tsv", ".txt"),
    "geojson": (".geojson", ".json"),
    "gpkg": (".gpkg",),
    "parquet": (".parquet", ".geoparquet", ".pq"),
}
_MAX_LISTED = 200  # problems kept in one error (the count says how many more)


def read_points(path: str | os.PathLike[str], *, lon: str | None = None,
                lat: str | None = None, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a point file into a GeoDataFrame (EPSG:4326, lon/lat).

    Parameters
    ----------
    path
        ``.csv``/``.tsv``/``.txt`` with longitude and latitude columns, ``.geojson``/``.json``,
        ``.gpkg`` or ``.parquet`` (GeoParquet, needs pyarrow).
    lon, lat
        CSV column names, when they are not one of :data:`LON_NAMES` / :data:`LAT_NAMES`
        (matched case-insensitively).  Also the way to fix swapped columns.
    layer
        GeoPackage layer (default: the first).

    Raises
    ------
    LayerError
        Unknown format; no or ambiguous coordinate columns; columns that look swapped
        (a latitude beyond +-90 while every longitude is within +-90); missing, non-numeric
        or out-of-range coordinates; non-point geometries.  Every bad row is listed.
    """
    p = Path(path)
    if not p.is_file():
        raise _fail(p, "file does not exist")
    suffix = p.suffix.lower()
    fmt = next((f for f, sfx in POINT_FORMATS.items() if suffix in sfx), None)
    if fmt is None:
        allowed = sorted(s for sfx in POINT_FORMATS.values() for s in sfx)
        raise _fail(p, f"unknown point file type {suffix!r}; must be one of {allowed}")
    if fmt == "csv":
        gdf = _read_csv(p, lon=lon, lat=lat)
    else:
        if lon is not None or lat is not None:
            raise _fail(p, "lon=/lat= apply to CSV files only")
        gdf = _read_vector(p, fmt=fmt, layer=layer)
    log.info("read %d points from %s", len(gdf), p)
    return gdf


# --------------------------------------------------------------------------- CSV


def _pick(columns: list[str], names: tuple[str, ...], given: str | None, *, path: Path,
          what: str) -> str:
    if given is not None:
        if given not in columns:
            raise _fail(path, f"no column {given!r} for {what}; columns are {columns}")
        return given
    lower = {c.strip().lower(): c for c in columns}
    for name in names:
        if name in lower:
            return lower[name]
    raise _fail(path, f"no {what} column; expected one of {list(names)} (any case) or "
                f"pass {what[:3]}=...; columns are {columns}")


#: Delimiters a ``.txt`` file may use (found by sniffing its first lines).
TXT_DELIMITERS = ",\t;|"
#: Where points are expected (lon, lat degrees): China to Europe, up to St Petersburg.  A file whose every row
#: lies outside it but inside it once lon and lat are swapped gets a warning.
REGION_BBOX = (-12.0, 0.0, 150.0, 62.0)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise _fail(path, "file is empty; expected a header row naming the longitude and "
                          "latitude columns, then one row per point")
    try:
        return decode_text(raw)
    except UnicodeDecodeError as exc:
        raise _fail(path, exc.reason) from None


def _delimiter(path: Path, text: str) -> str:
    sep = {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower())
    if sep is not None:
        return sep
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=TXT_DELIMITERS).delimiter
    except csv.Error:
        raise _fail(path, "cannot find the column delimiter of this .txt file; allowed: "
                          "comma, tab, semicolon or |, the same on every line (or name the "
                          "file .csv or .tsv)") from None


def _record_lines(text: str, sep: str) -> list[int]:
    """First physical line (1-based) of every data record, as pandas counts records:
    quoted newlines stay inside their record and blank lines are skipped."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts: list[int] = []
    previous_end = 0
    for row in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if row and (len(row) > 1 or any(cell.strip() for cell in row)):
            starts.append(start)
    return starts[1:]  # the first record is the header


def _read_csv(path: Path, *, lon: str | None, lat: str | None) -> gpd.GeoDataFrame:
    # .csv: comma, .tsv: tab, .txt: delimiter sniffed; BOMs (UTF-8/UTF-16) handled as in
    # every reader of this package (geo._io.decode_text).
    text = _decode(path)
    sep = _delimiter(path, text)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    except csv.Error as exc:
        raise _fail(path, f"line 1: cannot read the header: {exc}") from None
    columns = [str(c) for c in header]
    seen: dict[str, str] = {}
    for c in columns:
        key = c.strip().lower()
        if key in seen and key in (*LON_NAMES, *LAT_NAMES, *(x.lower() for x in (lon, lat) if x)):
            raise _fail(path, f"line 1: coordinate column {c!r} appears more than once "
                              f"(columns are {columns}); keep one, or rename the others")
        seen[key] = c
    if len(set(columns)) < len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        raise _fail(path, f"line 1: column name(s) {dupes} appear more than once; every column "
                          "needs its own name")
    lon_col = _pick(columns, LON_NAMES, lon, path=path, what="longitude")
    lat_col = _pick(columns, LAT_NAMES, lat, path=path, what="latitude")
    if lon_col == lat_col:
        raise _fail(path, f"the same column {lon_col!r} was given for longitude and latitude")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, engine="c",
                            dtype={lon_col: str, lat_col: str}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise _fail(path, f"not a valid delimited file: {' '.join(str(exc).split())}") from None
    raw_lon = frame[lon_col].astype(str).str.strip()
    raw_lat = frame[lat_col].astype(str).str.strip()
    x = pd.to_numeric(raw_lon.where(raw_lon != ""), errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(raw_lat.where(raw_lat != ""), errors="coerce").to_numpy(dtype=float)
    problems: list[Problem] = []
    line_numbers: list[int] = []

    def line(r: int) -> int:
        if not line_numbers:
            line_numbers.extend(_record_lines(text, sep))
        return line_numbers[r] if r < len(line_numbers) else r + 2

    def add(rows: np.ndarray, field: str, message: str, raw: pd.Series | None) -> None:
        for r in rows:
            value = f" ({raw.iloc[r]!r})" if raw is not None else ""
            problems.append(Problem(file=str(path), index=None, feature_id=None, field=field,
                                    message=f"line {line(r)}: {message}{value}"))

    for col, raw, vals in ((lon_col, raw_lon, x), (lat_col, raw_lat, y)):
        empty = (raw == "").to_numpy()
        add(np.flatnonzero(empty), col, "missing coordinate", None)
        add(np.flatnonzero(~empty & np.isnan(vals)), col, "not a number", raw)
        add(np.flatnonzero(np.isinf(vals)), col, "not a finite number", raw)
    finite = np.isfinite(x) & np.isfinite(y)
    beyond = np.abs(y[finite]) > 90
    if beyond.any() and (np.abs(x[finite]) <= 90).all():
        # Listed first; the rows out of range follow, so both readings are reported.
        problems.insert(0, Problem(
            file=str(path), index=None, feature_id=None, field=None,
            message=f"longitude and latitude look swapped: column {lat_col!r} (read as "
                    f"latitude) has values beyond +-90 in {int(beyond.sum())} of "
                    f"{int(finite.sum())} rows (e.g. {y[finite][beyond][0]:g}) while every "
                    f"value of {lon_col!r} is within +-90; pass lon={lat_col!r}, "
                    f"lat={lon_col!r} if that is so"))
    add(np.flatnonzero(np.isfinite(x) & (np.abs(x) > 180)), lon_col,
        "longitude out of range [-180, 180]", raw_lon)
    add(np.flatnonzero(np.isfinite(y) & (np.abs(y) > 90)), lat_col,
        "latitude out of range [-90, 90]", raw_lat)
    problems.sort(key=_line_of)  # in file order (the swapped-columns note first)
    _raise(problems)
    _warn_if_swapped(path, x, y, hint=f"pass lon={lat_col!r}, lat={lon_col!r} "
                                      "(geo: --lon/--lat) if they are swapped")
    frame[lon_col] = x
    frame[lat_col] = y
    return gpd.GeoDataFrame(frame, geometry=shapely.points(x, y), crs="EPSG:4326")


def _line_of(problem: Problem) -> int:
    head = problem.message.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


def _warn_if_swapped(path: Path, x: np.ndarray, y: np.ndarray, *, hint: str) -> bool:
    """Warn when every point lies outside :data:`REGION_BBOX` but inside it once swapped."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return False
    x, y = x[ok], y[ok]
    w, s, e, n = REGION_BBOX

    def inside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a >= w) & (a <= e) & (b >= s) & (b <= n)

    if not inside(x, y).any() and inside(y, x).all():
        log.warning("%s: every one of the %d points lies outside the atlas region (lon %g..%g, "
                    "lat %g..%g) but inside it with longitude and latitude swapped; %s",
                    path, len(x), w, e, s, n, hint)
        return True
    return False


# --------------------------------------------------------------------------- vector formats


def _read_vector(path: Path, *, fmt: str, layer: str | None) -> gpd.GeoDataFrame:
    try:
        if fmt == "parquet":
            gdf = gpd.read_parquet(path)
        else:
            kwargs = {"layer": layer} if layer is not None else {}
            source: Any = path
            if fmt == "geojson":  # the same text rules as every reader (BOMs, UTF-8 only)
                raw = path.read_bytes()
                if not raw.strip():
                    raise _fail(path, "file is empty; expected a GeoJSON FeatureCollection")
                try:
                    text = decode_text(raw)
                except UnicodeDecodeError as exc:
                    raise _fail(path, exc.reason) from None
                if text_encoding(raw) != "utf-8" or raw.startswith(b"\xef\xbb\xbf"):
                    source = io.BytesIO(text.encode("utf-8"))
            gdf = gpd.read_file(source, engine="pyogrio", **kwargs)
    except ImportError as exc:
        raise ImportError(f"reading {path} needs pyarrow: pip install 'corridor-atlas[parquet]'"
                          ) from exc
    except (ValueError, OSError, RuntimeError) as exc:
        if isinstance(exc, LayerError):
            raise
        raise _fail(path, f"cannot read as {fmt}: {exc}") from exc
    gdf = gdf.reset_index(drop=True)
    ids = gdf["id"].astype(str).tolist() if "id" in gdf.columns else [None] * len(gdf)
    geoms = gdf.geometry.to_numpy()
    problems: list[Problem] = []

    def add(rows: np.ndarray, message: str) -> None:
        for r in rows:
            problems.append(Problem(file=str(path), index=int(r), feature_id=ids[r],
                                    field="geometry", message=message))

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    add(np.flatnonzero(missing), "missing or empty geometry; a Point is required")
    not_point = ~missing & (shapely.get_type_id(geoms) != 0)
    for r in np.flatnonzero(not_point):
        add(np.array([r]), f"geometry is a {geoms[r].geom_type}, not a Point; convert to "
                           "points first, e.g. with .representative_point()")
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        _raise(problems)
        log.info("%s: reprojecting from %s to EPSG:4326", path, gdf.crs)
        gdf = gdf.to_crs("EPSG:4326")
        geoms = gdf.geometry.to_numpy()
    pts = ~missing & ~not_point
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[pts] = shapely.get_x(geoms[pts])
    y[pts] = shapely.get_y(geoms[pts])
    add(np.flatnonzero(pts & ~(np.isfinite(x) & np.isfinite(y))),
        "coordinate is not a finite number")
    add(np.flatnonzero(pts & np.isfinite(x) & (np.abs(x) > 180)),
        "longitude out of range [-180, 180] (EPSG:4326 lon, lat order)")
    add(np.flatnonzero(pts & np.isfinite(y) & (np.abs(y) > 90)),
        "latitude out of range [-90, 90] (EPSG:4326 lon, lat order)")
    problems.sort(key=lambda pr: pr.index if pr.index is not None else -1)
    _raise(problems)
    _warn_if_swapped(path, x, y, hint="write coordinates as [longitude, latitude] "
                                      "(GeoJSON order)")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf


def _fail(path: Path, message: str) -> LayerError:
    return LayerError([Problem(file=str(path), index=None, feature_id=None, field=None,
                               message=message)])


def _raise(problems: list[Problem]) -> None:
    if not problems:
        return
    if len(problems) > _MAX_LISTED:
        extra = len(problems) - _MAX_LISTED
        problems = [*problems[:_MAX_LISTED], Problem(
            file=problems[0].file, index=None, feature_id=None, field=None,
            message=f"... and {extra} more rows with problems")]
    raise LayerError(problems)
