"""A user's own sites file for ``geo map --sites FILE``: CSV (lon, lat) or GeoJSON Points."""

from __future__ import annotations

import os
from typing import Any

import geopandas as gpd
import shapely

from geo._errors import LayerError, Problem

__all__ = ["read_sites_file"]


_LON_NAMES = ("lon", "longitude", "lng", "x")
_LAT_NAMES = ("lat", "latitude", "y")


def read_sites_file(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Read a user's sites from CSV (``lon``/``lat`` columns) or GeoJSON (Point features).

    Every problem is reported at once as a :class:`~geo._errors.LayerError` naming the
    file, the row (CSV, 1-based after the header) or feature (GeoJSON, 0-based) and the
    field.  Coordinates must be WGS84 degrees, lon in [-180, 180] and lat in [-90, 90].
    """
    import json

    import pandas as pd

    p = os.fspath(path)
    name = p
    problems: list[Problem] = []
    lowered = p.lower()
    if lowered.endswith((".geojson", ".json")):
        try:
            with open(p, encoding="utf-8") as fh:
                data = json.load(fh)
        except ValueError as exc:
            raise LayerError([Problem(name, None, None, None, f"not valid JSON: {exc}")]) \
                from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise LayerError([Problem(name, None, None, None,
                                      "expected a GeoJSON FeatureCollection with 'features'")])
        records, points = [], []
        for i, feat in enumerate(features):
            geom = feat.get("geometry") if isinstance(feat, dict) else None
            props = (feat.get("properties") or {}) if isinstance(feat, dict) else {}
            fid = str(props.get("id")) if props.get("id") is not None else None
            if not isinstance(geom, dict) or geom.get("type") != "Point":
                problems.append(Problem(name, i, fid, "geometry",
                                        "must be a Point with [lon, lat] coordinates"))
                continue
            coords = geom.get("coordinates") or []
            lonlat = _check_lonlat(coords[:2] if len(coords) >= 2 else None, name, i, fid,
                                   "geometry", problems)
            if lonlat is not None:
                records.append(dict(props))
                points.append(shapely.Point(*lonlat))
        if problems:
            raise LayerError(problems)
        return gpd.GeoDataFrame(pd.DataFrame.from_records(records) if records else None,
                                geometry=points, crs="EPSG:4326")
    if not lowered.endswith((".csv", ".txt")):
        raise LayerError([Problem(name, None, None, None,
                                  "unknown sites file type; use .csv (lon, lat columns) "
                                  "or .geojson (Point features)")])
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    cols = {c.lower().strip(): c for c in frame.columns}
    lon_col = next((cols[c] for c in _LON_NAMES if c in cols), None)
    lat_col = next((cols[c] for c in _LAT_NAMES if c in cols), None)
    if lon_col is None or lat_col is None:
        raise LayerError([Problem(name, None, None, "lon/lat",
                                  f"needs longitude and latitude columns (one of {_LON_NAMES} "
                                  f"and one of {_LAT_NAMES}); found {list(frame.columns)}")])
    points = []
    for i, (lon, lat) in enumerate(zip(frame[lon_col], frame[lat_col], strict=True)):
        rid = str(frame["id"].iloc[i]) if "id" in frame.columns else None
        lonlat = _check_lonlat([lon, lat], name, i + 1, rid, f"{lon_col}/{lat_col}",
                               problems, row_word=True)
        points.append(shapely.Point(*lonlat) if lonlat else None)
    if problems:
        raise LayerError(problems)
    props = frame.drop(columns=[lon_col, lat_col]).replace("", None)
    return gpd.GeoDataFrame(props, geometry=points, crs="EPSG:4326")


def _check_lonlat(values: Any, file: str, index: int, fid: str | None, field: str,
                  problems: list[Problem], *, row_word: bool = False) -> tuple[float, float] | None:
    where = f"row {index}: " if row_word else ""
    try:
        lon, lat = (float(v) for v in values)
    except (TypeError, ValueError):
        problems.append(Problem(file, None if row_word else index, fid, field,
                                f"{where}longitude and latitude must be numbers, got "
                                f"{values!r}"))
        return None
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0) or lon != lon or lat != lat:
        problems.append(Problem(file, None if row_word else index, fid, field,
                                f"{where}({lon}, {lat}) is outside lon [-180, 180], "
                                "lat [-90, 90]; columns must be (lon, lat) in degrees"))
        return None
    return lon, lat
