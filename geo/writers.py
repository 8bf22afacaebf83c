"""Writing the layers with their computed columns: GeoJSON (RFC 7946) and GeoPackage.

Every write is atomic (temporary file, then rename) and carries provenance.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from geo._errors import GeoError
from geo._format import json_value
from geo._io import atomic_write, atomic_write_with
from geo._provenance import provenance
from geo.schema import LayerKind

__all__ = ["EXPORT_FORMATS", "export", "feature_collection", "to_geojson_text"]

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("geojson", "gpkg")
#: Decimal places kept in GeoJSON coordinates: 6 is about 0.1 m (RFC 7946 section 11.2).
COORD_PRECISION = 6
GPKG_NAME = "corridor_atlas.gpkg"


def _geometry_json(geom: Any) -> Any:
    if geom is None or geom.is_empty:
        return None
    mapping = shapely.geometry.mapping(geom)
    return json.loads(json.dumps(mapping), parse_float=lambda s: round(float(s), COORD_PRECISION))


def feature_collection(gdf: gpd.GeoDataFrame, *, properties: dict[str, Any] | None = None,
                       **provenance_extra: Any) -> dict[str, Any]:
    """RFC 7946 FeatureCollection of ``gdf`` as a dict (EPSG:4326, no ``crs`` member).

    Coordinates are (lon, lat), rounded to :data:`COORD_PRECISION` decimals; list and dict
    columns stay JSON arrays and objects; missing values become null.  Foreign members:
    ``properties`` (when given, e.g. a route's totals) and ``provenance`` (package version,
    source layers and ``provenance_extra``).
    """
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    props_cols = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for row, geom in zip(gdf[props_cols].itertuples(index=False, name=None), gdf.geometry,
                         strict=True):
        props = {c: json_value(v) for c, v in zip(props_cols, row, strict=True)}
        features.append({"type": "Feature", "properties": props, "geometry": _geometry_json(geom)})
    fc: dict[str, Any] = {"type": "FeatureCollection"}
    if properties is not None:
        fc["properties"] = json_value(properties)
    fc["provenance"] = provenance(**provenance_extra)
    fc["features"] = features
    return fc


def to_geojson_text(gdf: gpd.GeoDataFrame, **provenance_extra: Any) -> str:
    """:func:`feature_collection` as text: one feature per line, NaN refused."""
    text = json.dumps(feature_collection(gdf, **provenance_extra), ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    return text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n"


#: GeoPackage ``gpkg_contents.last_change`` when SOURCE_DATE_EPOCH is not set: a constant,
#: so the same inputs give the same bytes (like the GeoJSON export).
GPKG_FIXED_DATE = "2000-01-01T00:00:00.000Z"


@contextlib.contextmanager
def reproducible_gpkg() -> Iterator[None]:
    """Make GDAL stamp GeoPackages with a fixed date (``SOURCE_DATE_EPOCH`` if set, else
    :data:`GPKG_FIXED_DATE`) instead of the current time, then restore the setting."""
    import pyogrio

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    stamp = GPKG_FIXED_DATE
    if epoch.isdigit():
        when = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """List/dict columns become JSON text (GeoPackage has no array type)."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].map(lambda v: isinstance(v, list | dict)).any():
            out[col] = [None if v is None else json.dumps(json_value(v), ensure_ascii=False)
                        for v in out[col]]
    return out


def _layers() -> dict[str, gpd.GeoDataFrame]:

    return {
        LayerKind.NODES.value: layers.nodes(),
        LayerKind.LINKS.value: layers.links(),
        LayerKind.CORRIDORS.value: layers.corridors(),
        LayerKind.SITES.value: layers.sites(),
        LayerKind.ENERGY.value: layers.energy(),
    }


def export(directory: str | os.PathLike[str], *, file_format: str = "geojson") -> list[Path]:
    """Write all layers with their computed columns to ``directory``.

    Parameters
    ----------
    directory
        Created if missing.
    file_format
        ``"geojson"``: one RFC 7946 file per layer (``nodes.geojson`` ...), lon/lat,
        6 decimals, with a ``provenance`` member.  ``"gpkg"``: one GeoPackage
        ``corridor_atlas.gpkg`` with a table per layer (list/dict columns as JSON text) and
        a ``provenance`` table.

    Returns the paths written.  Each file is written atomically: on failure an earlier
    file is left untouched and no partial file remains.
    """
    if file_format not in EXPORT_FORMATS:
        raise GeoError(f"unknown export format {file_format!r}; must be one of {list(EXPORT_FORMATS)}")
    out_dir = Path(directory)
    if out_dir.exists() and not out_dir.is_dir():
        raise GeoError(f"{out_dir} exists and is not a directory")
    frames = _layers()
    written: list[Path] = []
    if file_format == "geojson":
        for name, gdf in frames.items():
            path = atomic_write(out_dir / f"{name}.geojson", to_geojson_text(gdf))
            log.info("wrote %d features to %s", len(gdf), path)
            written.append(path)
        return written

    def write_gpkg(tmp: Path) -> None:
        for name, gdf in frames.items():
            _for_gpkg(gdf).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        prov = pd.DataFrame({"key": ["provenance"],
                             "value": [json.dumps(provenance(), ensure_ascii=False)]})
        gpd.GeoDataFrame(prov, geometry=gpd.GeoSeries([None]), crs="EPSG:4326").to_file(
            tmp, layer="provenance", driver="GPKG", engine="pyogrio")

    with reproducible_gpkg():
        path = atomic_write_with(out_dir / GPKG_NAME, write_gpkg)
    log.info("wrote %d layers to %s", len(frames), path)
    return [path]
