"""Loading the curated layers and users' layers in the same schema.

The bundled layers live in ``layers/`` (shipped inside the wheel as ``geo/layers``).  They
are validated on first use and cached; the public functions return copies.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import shapely

from geo import measure
from geo._errors import LayerError, Problem
from geo._validate import Context, check_collection, read_collection
from geo.schema import LAYER_FIELDS, LayerKind

__all__ = [
    "CorridorSelection",
    "corridors",
    "countries",
    "energy",
    "layer_dir",
    "layer_path",
    "links",
    "load_layer",
    "nodes",
    "select_corridors",
    "sites",
    "validate",
]

log = logging.getLogger(__name__)

CRS = "EPSG:4326"
#: Environment variable that points the package at another layers directory (for curators).
LAYERS_ENV = "GEO_LAYERS_DIR"


def layer_dir() -> Path:
    """Directory of the bundled layers.

    ``$GEO_LAYERS_DIR`` if set; else ``geo/layers`` inside an installed wheel; else the
    ``layers/`` folder of a source checkout or editable install.
    """
    override = os.environ.get(LAYERS_ENV)
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here / "layers", here.parent / "layers"):
        if (candidate / "countries.geojson").exists():
            return candidate
    raise FileNotFoundError(
        f"bundled layers not found in {here / 'layers'} or {here.parent / 'layers'}; "
        "reinstall the package (pip install .) or set GEO_LAYERS_DIR"
    )


def layer_path(kind: LayerKind | str) -> Path:
    """Path of one bundled layer file (``nodes``, ``links``, ``corridors``, ``sites``, ``countries``)."""
    name = kind.value if isinstance(kind, LayerKind) else str(kind)
    return layer_dir() / f"{name}.geojson"


# --------------------------------------------------------------------------- countries


@lru_cache(maxsize=4)
def _countries_cached(path: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    gdf = gdf.set_crs(CRS, allow_override=True)
    return gdf[["iso3", "name", "geometry"]].reset_index(drop=True)


def countries() -> gpd.GeoDataFrame:
    """Country outlines (Natural Earth 1:50m) with ``iso3`` and ``name``, EPSG:4326."""
    return _countries_cached(str(layer_path("countries"))).copy()


class _CountryIndex:
    """Point-in-country look-ups with a distance to the declared country."""

    def __init__(self, gdf: gpd.GeoDataFrame) -> None:
        self.gdf = gdf
        self.geoms = gdf.geometry.values
        self.iso3 = gdf["iso3"].to_numpy()
        self.tree = shapely.STRtree(self.geoms)
        self.by_iso3 = {c: g for c, g in zip(self.iso3, self.geoms, strict=True)}

    def country_at(self, lon: float, lat: float, declared: str | None = None) -> tuple[str | None, float]:
        """(ISO3 containing the point or None, km from the declared country's outline)."""
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        found = str(self.iso3[hits[0]]) if len(hits) else None
        distance_km = 0.0
        if declared and found != declared:
            geom = self.by_iso3.get(declared)
            if geom is None:
                distance_km = float("inf")
            else:
                near = shapely.ops.nearest_points(geom, point)[0]
                distance_km = measure.distance_km(lon, lat, near.x, near.y)
        return found, distance_km


@lru_cache(maxsize=4)
def _country_index(path: str) -> _CountryIndex:
    return _CountryIndex(_countries_cached(path))


def country_index() -> _CountryIndex:
    return _country_index(str(layer_path("countries")))


# --------------------------------------------------------------------------- reading


def _to_frame(data: dict[str, Any], kind: LayerKind) -> gpd.GeoDataFrame:
    features = data["features"]
    columns = [f.name for f in LAYER_FIELDS[kind]]
    records = []
    for feat in features:
        props = feat["properties"]
        rec = {c: props.get(c) for c in columns}
        extra = {k: v for k, v in props.items() if k not in rec}
        rec.update(extra)
        records.append(rec)
    geoms = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features]
    frame = pd.DataFrame.from_records(records, columns=None if records else columns)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    return gdf.reset_index(drop=True)


def _context_for(kind: LayerKind, *, directory: Path | None) -> Context:
    """Cross-layer look-ups: sibling files in ``directory`` first, else the bundled layers."""
    idx = country_index()
    ctx = Context(iso3_codes=set(idx.iso3.tolist()), country_at=idx.country_at)

    def sibling_or_bundled(k: LayerKind) -> gpd.GeoDataFrame | None:
        if directory is not None and (directory / f"{k.value}.geojson").exists():
            data, problems = read_collection(directory / f"{k.value}.geojson")
            if data is None or problems:
                return None
            try:
                return _to_frame(data, k)
            except Exception:  # malformed sibling: its own validation reports it
                return None
        return _raw_layer(str(layer_path(k)), k)

    if kind in (LayerKind.LINKS, LayerKind.CORRIDORS):
        nodes_gdf = sibling_or_bundled(LayerKind.NODES)
        if nodes_gdf is not None:
            ctx.node_coords = {
                str(i): (float(g.x), float(g.y))
                for i, g in zip(nodes_gdf["id"], nodes_gdf.geometry, strict=True)
                if g is not None and g.geom_type == "Point"
            }
    if kind in (LayerKind.CORRIDORS, LayerKind.SITES):
        links_gdf = sibling_or_bundled(LayerKind.LINKS)
        if links_gdf is not None:
            ctx.link_pairs = {
                frozenset((str(a), str(b))): str(i)
                for i, a, b in zip(links_gdf["id"], links_gdf["from_id"], links_gdf["to_id"],
                                   strict=True)
            }
            ctx.link_ids = set(map(str, links_gdf["id"]))
    if kind is LayerKind.SITES:
        corr = sibling_or_bundled(LayerKind.CORRIDORS)
        if corr is not None:
            ctx.corridor_ids = set(map(str, corr["id"]))
    return ctx


def _resolve_kind(path: Path, kind: LayerKind | str | None) -> LayerKind:
    if kind is None:
        stem = path.name.split(".")[0]
        try:
            return LayerKind(stem)
        except ValueError:
            raise LayerError([Problem(str(path), None, None, None,
                                      f"cannot tell the layer kind from the file name; pass kind="
                                      f"one of {LayerKind.choices()}")]) from None
    try:
        return LayerKind(kind)
    except ValueError:
        raise LayerError([Problem(str(path), None, None, None,
                                  f"unknown layer kind {kind!r}; must be one of "
                                  f"{LayerKind.choices()}")]) from None


def validate(path: str | os.PathLike[str], *, kind: LayerKind | str | None = None) -> list[Problem]:
    """Check a layer file against the schema and return every problem found (empty if valid).

    Parameters
    ----------
    path
        A GeoJSON FeatureCollection in EPSG:4326 (lon, lat).
    kind
        ``"nodes"``, ``"links"``, ``"corridors"``, ``"sites"`` or ``"energy"``; by default
        taken from the file name (``links.geojson`` -> ``"links"``).

    Cross-layer references (link ends, corridor node paths, a site's corridor) are checked
    against sibling layer files in the same directory when present, else against the
    bundled layers.
    """
    p = Path(path)
    k = _resolve_kind(p, kind)
    data, problems = read_collection(p)
    if data is None:
        return problems
    ctx = _context_for(k, directory=p.parent)
    return problems + check_collection(data, kind=k, name=str(p), ctx=ctx)


def load_layer(path: str | os.PathLike[str], *, kind: LayerKind | str | None = None) -> gpd.GeoDataFrame:
    """Read and validate a layer a user supplies in the bundled schema.

    Returns a GeoDataFrame in EPSG:4326 with the same computed columns as the bundled
    layer of that kind.  Raises :class:`geo.LayerError` listing every problem.
    """
    p = Path(path)
    k = _resolve_kind(p, kind)
    problems = validate(p, kind=k)
    if problems:
        raise LayerError(problems)
    data, _ = read_collection(p)
    assert data is not None
    gdf = _to_frame(data, k)
    log.info("loaded %d %s from %s", len(gdf), k.value, p)
    return _with_measures(gdf, k, directory=p.parent)


def _with_measures(gdf: gpd.GeoDataFrame, kind: LayerKind, *, directory: Path | None) -> gpd.GeoDataFrame:
    if kind is LayerKind.LINKS:
        return measure.measure_links(gdf, countries=countries(),
                                     node_countries=_node_countries(directory))
    if kind is LayerKind.CORRIDORS:
        if directory is not None and (directory / "links.geojson").exists() \
                and directory.resolve() != layer_dir().resolve():
            link_gdf = load_layer(directory / "links.geojson", kind=LayerKind.LINKS)
        else:
            link_gdf = links()
        return measure.assemble_corridors(gdf, link_gdf)
    if kind is LayerKind.ENERGY:
        return measure.measure_energy(gdf, countries=countries())
    return gdf


def _node_countries(directory: Path | None) -> dict[str, str]:
    """node id -> declared ISO3, from ``directory/nodes.geojson`` if valid, else bundled."""
    frame = None
    if directory is not None and (directory / "nodes.geojson").exists():
        data, problems = read_collection(directory / "nodes.geojson")
        if data is not None and not problems:
            frame = _to_frame(data, LayerKind.NODES)
    if frame is None:
        frame = _raw_layer(str(layer_path(LayerKind.NODES)), LayerKind.NODES)
    return {str(i): str(c) for i, c in zip(frame["id"], frame["country"], strict=True)}


@lru_cache(maxsize=8)
def _raw_layer(path: str, kind: LayerKind) -> gpd.GeoDataFrame:
    data, problems = read_collection(Path(path))
    if data is None:
        raise LayerError(problems)
    return _to_frame(data, kind)


@lru_cache(maxsize=8)
def _bundled(kind: LayerKind, directory: str) -> gpd.GeoDataFrame:
    path = Path(directory) / f"{kind.value}.geojson"
    problems = validate(path, kind=kind)
    if problems:
        raise LayerError(problems)
    gdf = _raw_layer(str(path), kind).copy()
    if kind is LayerKind.LINKS:
        gdf = measure.measure_links(gdf, countries=countries(),
                                    node_countries=_node_countries(Path(directory)))
    elif kind is LayerKind.CORRIDORS:
        gdf = measure.assemble_corridors(gdf, _bundled(LayerKind.LINKS, directory))
    elif kind is LayerKind.ENERGY:
        gdf = measure.measure_energy(gdf, countries=countries())
    log.debug("loaded %d bundled %s", len(gdf), kind.value)
    return gdf


def _bundled_copy(kind: LayerKind) -> gpd.GeoDataFrame:
    gdf = _bundled(kind, str(layer_dir()))
    out = gdf.copy()
    # list and dict cells are shared objects: copy them so callers cannot alter the cache
    for col in out.columns:
        if out[col].dtype == object and col != "geometry":
            out[col] = [
                (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                for v in out[col]
            ]
    return out


def nodes() -> gpd.GeoDataFrame:
    """Stations, junctions, border crossings, ports: one Point per node, EPSG:4326."""
    return _bundled_copy(LayerKind.NODES)


def links() -> gpd.GeoDataFrame:
    """Network edges with geodesic and used lengths and countries crossed.

    Computed columns: ``geodesic_length_km`` (WGS84 ellipsoid), ``length_used_km``
    (``documented_length_km`` where a source gives it, else geodesic length times
    ``circuity``), ``length_method``, ``circuity_used``, ``countries`` (ISO3 in order),
    ``length_by_country_km`` and ``water_length_km`` (both scaled to ``length_used_km``).
    """
    return _bundled_copy(LayerKind.LINKS)


def corridors() -> gpd.GeoDataFrame:
    """Named corridors with a LineString assembled from their links, oriented along ``nodes``.

    Computed columns: ``link_ids``, ``modes``, ``status`` (least advanced of its links),
    ``gauges_mm``, ``geodesic_length_km``, ``length_used_km``, ``documented_share``,
    ``countries``, ``length_by_country_km``.
    """
    return _bundled_copy(LayerKind.CORRIDORS)


def sites() -> gpd.GeoDataFrame:
    """Chinese-financed or Chinese-built project sites (Points), EPSG:4326."""
    return _bundled_copy(LayerKind.SITES)


def energy() -> gpd.GeoDataFrame:
    """Gas and oil pipelines and high-voltage power lines as lines, EPSG:4326.

    One feature per line or section, its (Multi)LineString joining the points sources give
    (compressor and pump stations, terminals, substations, towns the line is documented to
    pass) with geodesics.  Data columns: ``kind`` (``gas_pipeline``, ``oil_pipeline``,
    ``power_line``), capacity in the column for its kind (``capacity_bcm_per_year``,
    ``capacity_mt_per_year``, ``voltage_kv``), ``documented_length_km`` with
    ``length_source``, ``status``, ``opened``, ``operator``, ``owners``, ``contractor``,
    ``financier``, ``vertices`` (each point's name and sources), ``sources``.  Unknown
    values are null.  Computed columns (see :func:`geo.measure.measure_energy`):
    ``geodesic_length_km``, ``geodesic_share_of_documented``, ``countries``,
    ``geodesic_km_by_country``.
    """
    return _bundled_copy(LayerKind.ENERGY)


def clear_cache() -> None:
    """Forget cached layers (after editing files under ``$GEO_LAYERS_DIR``)."""
    for fn in (_bundled, _raw_layer, _countries_cached, _country_index):
        fn.cache_clear()



#: What ``corridors=`` accepts, with one meaning in :func:`geo.make_map`, :func:`geo.figure`,
#: :func:`geo.build_gallery` and :func:`geo.near`: see :func:`select_corridors`.
CorridorSelection: TypeAlias = bool | str | Sequence[str] | gpd.GeoDataFrame


def select_corridors(selection: CorridorSelection = True) -> gpd.GeoDataFrame:
    """The corridors a ``corridors=`` argument names.

    ``True``: every bundled corridor (:func:`corridors`).  ``False``: none (an empty frame
    with the same columns).  A corridor id or a list of ids: those bundled corridors, in the
    order given.  A GeoDataFrame shaped like :func:`corridors` (an ``id`` column and
    (Multi)LineStrings in EPSG:4326): used as given.

    Raises :class:`geo.LayerError` naming every unknown id and listing the known ones, and
    TypeError for anything else.

    >>> list(select_corridors(["karakoram_highway", "titr_btk"])["id"])  # doctest: +SKIP
    ['karakoram_highway', 'titr_btk']
    """
    if isinstance(selection, gpd.GeoDataFrame):
        return selection
    if selection is True or selection is False:
        gdf = corridors()
        return gdf if selection else gdf.iloc[0:0]
    if isinstance(selection, str):
        selection = [selection]
    if not isinstance(selection, Sequence) or not all(isinstance(c, str) for c in selection):
        raise TypeError("corridors must be True (all), False (none), a corridor id, a list of "
                        f"corridor ids or a GeoDataFrame; got {selection!r}")
    gdf = corridors()
    known = set(gdf["id"])
    unknown = [c for c in selection if c not in known]
    if unknown:
        raise LayerError([Problem("corridors", None, c, "id",
                                  f"unknown corridor id; known ids: {sorted(known)}")
                          for c in unknown])
    order = {c: i for i, c in enumerate(selection)}
    sub = gdf[gdf["id"].isin(order)]
    return sub.iloc[sub["id"].map(order).argsort()]
