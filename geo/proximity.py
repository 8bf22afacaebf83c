"""Users' points against the corridors and the energy lines: nearest corridor and link (or
nearest pipeline / power line), geodesic distance, position along it, country.

Coordinates are (lon, lat) in EPSG:4326; distances and positions are geodesic on the WGS84
ellipsoid, in km.  The numeric kernel is :mod:`geo._nearest`; this module turns frames
into arrays and back, and runs per partition on Dask.

>>> import geopandas as gpd, shapely
>>> line = gpd.GeoDataFrame({"id": ["demo"]}, crs="EPSG:4326",
...                         geometry=[shapely.LineString([(60, 40), (70, 40)])])
>>> pts = gpd.GeoDataFrame({"name": ["a"]}, crs="EPSG:4326", geometry=[shapely.Point(65, 40.5)])
>>> out = near(pts, corridors=line, with_country=False)
>>> out[["name", "corridor_id", "distance_km"]].round(1).values.tolist()
[['a', 'demo', 43.5]]
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo._countrygrid import CountryGrid
from geo._errors import InputError, LayerError, Problem
from geo._io import atomic_write, atomic_write_with
from geo._nearest import PolylineIndex
from geo._provenance import file_digest, provenance
from geo.measure import GEOD
from geo.readers import read_points
from geo.writers import _for_gpkg, reproducible_gpkg, to_geojson_text

if TYPE_CHECKING:  # pragma: no cover
    import dask_geopandas

__all__ = [
    "CORRIDOR_ID",
    "CORRIDOR_IDS",
    "COUNTRY",
    "DISTANCE_KM",
    "ENERGY_COLUMNS",
    "ENERGY_DISTANCE_KM",
    "ENERGY_ID",
    "ENERGY_KIND",
    "ENERGY_POSITION_KM",
    "LINK_ID",
    "NEAR_COLUMNS",
    "NEAR_LAYERS",
    "NEAR_OUTPUT_SUFFIXES",
    "POSITION_KM",
    "CorridorIndex",
    "EnergyIndex",
    "near",
    "prepare",
    "prepare_energy",
    "write_near",
]

log = logging.getLogger(__name__)

#: Output columns added by :func:`near`.
CORRIDOR_ID = "corridor_id"
CORRIDOR_IDS = "corridor_ids"
LINK_ID = "link_id"
DISTANCE_KM = "distance_km"
POSITION_KM = "position_km"
COUNTRY = "country"
NEAR_COLUMNS = (CORRIDOR_ID, CORRIDOR_IDS, LINK_ID, DISTANCE_KM, POSITION_KM, COUNTRY)
#: Output columns added by :func:`near` with ``"energy"`` in ``layers``.
ENERGY_ID = "energy_id"
ENERGY_KIND = "energy_kind"
ENERGY_DISTANCE_KM = "energy_distance_km"
ENERGY_POSITION_KM = "energy_position_km"
ENERGY_COLUMNS = (ENERGY_ID, ENERGY_KIND, ENERGY_DISTANCE_KM, ENERGY_POSITION_KM)
#: What :func:`near` can measure to (``layers=``).
NEAR_LAYERS = ("corridors", "energy")

#: Points per block (bounds memory; blocks run on a thread each; each reports progress).
DEFAULT_CHUNK_POINTS = 50_000


@dataclass
class EnergyIndex:
    """Energy lines indexed for :func:`near`: one piece per part of each (Multi)LineString,
    with the feature id, its kind and the part's offset (km) from the feature's first vertex.
    """

    lines: PolylineIndex
    piece_id: np.ndarray  # object
    piece_kind: np.ndarray  # object (None where the frame has no ``kind``)
    piece_offset_km: np.ndarray  # float


@dataclass
class CorridorIndex:
    """Everything :func:`near` needs, prepared once (picklable, so Dask ships it once).

    A *piece* is one line indexed for search: a link when the corridors carry ``link_ids``
    (links shared by several corridors are indexed once), else a corridor's own line.
    For each piece: the first corridor (in corridor order) that uses it, whether the piece
    runs against that corridor's direction, its offset from the corridor's start in km,
    and all corridors using it (comma-separated ids).
    """

    lines: PolylineIndex | None  # None when "corridors" is not among the layers
    piece_link_id: np.ndarray  # object: link id or None
    piece_corridor_id: np.ndarray  # object
    piece_corridor_ids: np.ndarray  # object: "a,b,c"
    piece_reversed: np.ndarray  # bool
    piece_offset_km: np.ndarray  # float
    countries_iso3: np.ndarray | None  # object
    countries_geom: np.ndarray | None  # shapely geometries
    _country_grid: CountryGrid | None = None
    #: Energy lines, when prepared with ``"energy"`` in ``layers``.
    energy: EnergyIndex | None = None
    #: The layers this index measures to (a subset of :data:`NEAR_LAYERS`, in that order).
    layers: tuple[str, ...] = ("corridors",)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_country_grid"] = None  # rebuilt where it is used (cheap; large to ship)
        return state

    def country_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """ISO3 code of the country containing each point; None at sea or off the outlines.

        Exactly ``shapely.intersects`` against every outline (on a border the first outline
        in layer order wins), through a grid of decided cells (:mod:`geo._countrygrid`).
        """
        out = np.full(len(lon), None, dtype=object)
        if self.countries_geom is None or not len(lon):
            return out
        if self._country_grid is None:
            self._country_grid = CountryGrid(self.countries_geom)
        found = self._country_grid.lookup(lon, lat)
        assert self.countries_iso3 is not None
        out[found >= 0] = self.countries_iso3[found[found >= 0]]
        return out


def _coords(geom: Any) -> list[np.ndarray]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "MultiLineString":
        return [np.asarray(part.coords)[:, :2] for part in geom.geoms]
    return [np.asarray(geom.coords)[:, :2]]


def _link_pieces(corridors: gpd.GeoDataFrame, links: gpd.GeoDataFrame
                 ) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """One piece per distinct link used by the corridors, with its place in each corridor."""
    by_id = {str(i): k for k, i in enumerate(links["id"])}
    pieces: dict[str, dict[str, Any]] = {}
    lines: list[np.ndarray] = []
    problems: list[Problem] = []
    for corr_id, link_ids, node_ids in zip(
            corridors["id"], corridors["link_ids"],
            corridors["nodes"] if "nodes" in corridors else [None] * len(corridors),
            strict=True):
        offset = 0.0
        for k, link_id in enumerate(link_ids):
            if str(link_id) not in by_id:
                problems.append(Problem(file="<corridors>", index=None, feature_id=str(corr_id),
                                        field="link_ids",
                                        message=f"link {link_id!r} is not in the links layer"))
                continue
            row = links.iloc[by_id[str(link_id)]]
            parts = _coords(row.geometry)
            if not parts:
                continue
            coords = np.vstack(parts)
            reverse = False
            if node_ids is not None and "from_id" in links:
                reverse = str(row["from_id"]) != str(node_ids[k])
            entry = pieces.get(str(link_id))
            if entry is None:
                entry = {"link_id": str(link_id), "index": len(lines), "corridors": []}
                pieces[str(link_id)] = entry
                lines.append(coords)
            entry["corridors"].append((str(corr_id), reverse, offset))
            offset += _geodesic_km(coords)
    if problems:
        raise LayerError(problems)
    return lines, list(pieces.values())


def _geodesic_km(coords: np.ndarray) -> float:

    if len(coords) < 2:
        return 0.0
    return float(GEOD.line_length(coords[:, 0], coords[:, 1])) / 1000.0


def _country_outlines() -> gpd.GeoDataFrame:
    return layers.countries()


def _check_layers(layers: Any) -> tuple[str, ...]:
    if isinstance(layers, str):
        layers = (layers,)
    try:
        wanted = tuple(layers)
    except TypeError:
        raise ValueError(f"layers must be a tuple of names from {list(NEAR_LAYERS)}, got "
                         f"{layers!r}") from None
    bad = [x for x in wanted if x not in NEAR_LAYERS]
    if bad or not wanted:
        raise ValueError(f"layers {list(wanted)!r}: each must be one of {list(NEAR_LAYERS)} "
                         "(at least one)")
    return tuple(x for x in NEAR_LAYERS if x in wanted)


def prepare_energy(energy: gpd.GeoDataFrame | None = None) -> EnergyIndex:
    """Index energy lines (default :func:`geo.energy`) for :func:`near`.

    Any GeoDataFrame of (Multi)LineStrings with an ``id`` column works; ``kind`` is used
    when present.
    """
    frame = _to_wgs84(layers.energy() if energy is None else energy, what="energy")
    if "id" not in frame:
        raise LayerError("energy: an 'id' column is required")
    kinds = frame["kind"] if "kind" in frame else [None] * len(frame)
    lines: list[np.ndarray] = []
    ids: list[str] = []
    piece_kinds: list[Any] = []
    offsets: list[float] = []
    for fid, kind, geom in zip(frame["id"], kinds, frame.geometry, strict=True):
        offset = 0.0
        for part in _coords(geom):
            lines.append(part)
            ids.append(str(fid))
            piece_kinds.append(None if kind is None else str(kind))
            offsets.append(offset)
            offset += _geodesic_km(part)
    if not lines:
        raise LayerError("energy: no line geometry to measure against")
    log.info("indexed %d lines of %d energy features", len(lines), len(frame))
    return EnergyIndex(lines=PolylineIndex(lines), piece_id=np.array(ids, dtype=object),
                       piece_kind=np.array(piece_kinds, dtype=object),
                       piece_offset_km=np.array(offsets, dtype=float))


def prepare(*, corridors: layers.CorridorSelection = True,
            links: gpd.GeoDataFrame | None = None,
            with_country: bool = True,
            layers: tuple[str, ...] = ("corridors",),
            energy: gpd.GeoDataFrame | None = None) -> CorridorIndex:
    """Build the :class:`CorridorIndex` used by :func:`near` (reuse it across calls).

    ``layers`` names what to measure to: ``"corridors"`` (default) and/or ``"energy"``.
    ``corridors``: see :func:`geo.layers.select_corridors` (default: every bundled
    corridor, :func:`geo.corridors`).  When the frame has a ``link_ids`` column the
    links (default :func:`geo.links`) are indexed, so the nearest link is known too;
    otherwise each corridor's own (Multi)LineString is indexed and ``link_id`` is null.
    ``energy`` defaults to :func:`geo.energy` (see :func:`prepare_energy`).
    """
    wanted = _check_layers(layers)
    countries_iso3 = countries_geom = None
    if with_country:
        outlines = _country_outlines()
        countries_iso3 = outlines["iso3"].to_numpy(dtype=object)
        countries_geom = outlines.geometry.to_numpy()
    energy_index = prepare_energy(energy) if "energy" in wanted else None
    if "corridors" not in wanted:
        empty = np.empty(0, dtype=object)
        return CorridorIndex(lines=None, piece_link_id=empty, piece_corridor_id=empty,
                             piece_corridor_ids=empty, piece_reversed=np.empty(0, dtype=bool),
                             piece_offset_km=np.empty(0), countries_iso3=countries_iso3,
                             countries_geom=countries_geom, energy=energy_index, layers=wanted)
    index = _prepare_corridors(corridors=corridors, links=links)
    index.countries_iso3 = countries_iso3
    index.countries_geom = countries_geom
    index.energy = energy_index
    index.layers = wanted
    return index


def _prepare_corridors(*, corridors: layers.CorridorSelection,
                       links: gpd.GeoDataFrame | None) -> CorridorIndex:
    corridors = _to_wgs84(layers.select_corridors(corridors), what="corridors")
    if "id" not in corridors:
        raise LayerError("corridors: an 'id' column is required")
    if "link_ids" in corridors:
        if links is None:
            links = layers.links()
        links = _to_wgs84(links, what="links")
        lines, entries = _link_pieces(corridors, links)
        link_ids = [e["link_id"] for e in entries]
        uses = [e["corridors"] for e in entries]
    else:
        lines, link_ids, uses = [], [], []
        for corr_id, geom in zip(corridors["id"], corridors.geometry, strict=True):
            offset = 0.0
            for part in _coords(geom):
                lines.append(part)
                link_ids.append(None)
                uses.append([(str(corr_id), False, offset)])
                offset += _geodesic_km(part)
    if not lines:
        raise LayerError("corridors: no line geometry to measure against")
    index = PolylineIndex(lines)
    first = [u[0] for u in uses]
    log.info("indexed %d lines of %d corridors (%d vertices)", len(lines), len(corridors),
             len(index.lon))
    return CorridorIndex(
        lines=index,
        piece_link_id=np.array(link_ids, dtype=object),
        piece_corridor_id=np.array([f[0] for f in first], dtype=object),
        piece_corridor_ids=np.array([",".join(dict.fromkeys(c for c, _, _ in u)) for u in uses],
                                    dtype=object),
        piece_reversed=np.array([f[1] for f in first], dtype=bool),
        piece_offset_km=np.array([f[2] for f in first], dtype=float),
        countries_iso3=None,
        countries_geom=None,
    )


def _to_wgs84(gdf: gpd.GeoDataFrame, *, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        return gdf  # taken as EPSG:4326 (lon, lat); ranges are checked on the points
    if not gdf.crs.equals("EPSG:4326"):
        log.info("%s: reprojecting from %s to EPSG:4326", what, gdf.crs)
        return gdf.to_crs("EPSG:4326")
    return gdf


def _point_arrays(points: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    geoms = points.geometry.to_numpy()
    problems: list[Problem] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    not_point = ~missing & (kinds != 0)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    ok = ~missing & ~not_point
    lon[ok] = shapely.get_x(geoms[ok])
    lat[ok] = shapely.get_y(geoms[ok])
    bad_range = ok & ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    for label, mask, message in (
            ("missing", missing, "geometry is missing or empty; give a Point"),
            ("type", not_point, "geometry is not a Point; near() measures points"),
            ("range", bad_range, "coordinates out of range: lon must be in [-180, 180], lat "
                                 "in [-90, 90] (EPSG:4326)")):
        for row in np.flatnonzero(mask)[:20]:
            problems.append(Problem(file="<points>", index=int(row), feature_id=None,
                                    field="geometry", message=f"{message} ({label})"))
    if problems:
        raise LayerError(problems)
    return lon, lat


def _added_columns(index: CorridorIndex) -> tuple[str, ...]:
    cols: tuple[str, ...] = ()
    if "corridors" in index.layers:
        cols += (CORRIDOR_ID, CORRIDOR_IDS, LINK_ID, DISTANCE_KM, POSITION_KM)
    if "energy" in index.layers:
        cols += ENERGY_COLUMNS
    return (*cols, COUNTRY)


def _near_frame(points: gpd.GeoDataFrame, index: CorridorIndex, *, within_km: float | None,
                chunk_points: int = DEFAULT_CHUNK_POINTS,
                progress: Callable[[int], None] | None = None,
                overwrite: bool = False, workers: int | None = 1,
                with_country: bool = True) -> gpd.GeoDataFrame:
    clash = [c for c in _added_columns(index) if c in points.columns]
    if clash and not overwrite:
        raise LayerError(f"points already have column(s) {clash}; rename them or pass "
                         "overwrite=True")
    points = _to_wgs84(points, what="points")
    lon, lat = _point_arrays(points)
    n = len(points)
    # One (piece, distance, along) triple of arrays per layer measured.
    polylines: dict[str, PolylineIndex] = {}
    if index.lines is not None and "corridors" in index.layers:
        polylines["corridors"] = index.lines
    if index.energy is not None and "energy" in index.layers:
        polylines["energy"] = index.energy.lines
    found = {name: (np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)) for name in polylines}
    starts = range(0, n, chunk_points)

    def run(start: int) -> int:
        stop = min(n, start + chunk_points)
        for name, lines in polylines.items():
            res = lines.query(lon[start:stop], lat[start:stop])
            piece, dist, along = found[name]
            piece[start:stop] = res.piece
            dist[start:stop] = res.distance_km
            along[start:stop] = res.along_km
        return stop - start

    n_workers = min(workers or os.cpu_count() or 1, len(starts))
    if n_workers > 1:  # numpy, shapely and pyproj release the GIL in their array loops
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            for done in pool.map(run, starts):
                if progress is not None:
                    progress(done)
    else:
        for start in starts:
            done = run(start)
            if progress is not None:
                progress(done)
    nearest = np.full(n, np.inf)
    for _piece, dist, _along in found.values():
        nearest = np.minimum(nearest, dist)
    # within_km: kept when at most that far from the nearest line of any layer measured.
    keep = np.ones(n, dtype=bool) if within_km is None else nearest <= within_km
    out = points.copy() if not clash else points.drop(columns=clash)
    country = index.country_of(lon[keep], lat[keep]) if with_country \
        else np.full(int(keep.sum()), None, dtype=object)
    out = out.iloc[np.flatnonzero(keep)].copy()
    if "corridors" in found:
        piece, dist, along = found["corridors"]
        length = index.lines.length_km[piece] if n and index.lines is not None else np.empty(0)
        rev = index.piece_reversed[piece] if n else np.empty(0, dtype=bool)
        position = index.piece_offset_km[piece] + np.where(rev, length - along, along) \
            if n else along
        sel = piece[keep]
        # A few distinct ids, gathered per point with ``take`` (no per-point Python objects).
        out[CORRIDOR_ID] = pd.array(index.piece_corridor_id, dtype="str").take(sel)
        out[CORRIDOR_IDS] = pd.array(index.piece_corridor_ids, dtype="str").take(sel)
        out[LINK_ID] = pd.array(index.piece_link_id, dtype="str").take(sel)
        out[DISTANCE_KM] = dist[keep]
        out[POSITION_KM] = position[keep]
    if "energy" in found and index.energy is not None:
        piece, dist, along = found["energy"]
        sel = piece[keep]
        out[ENERGY_ID] = pd.array(index.energy.piece_id, dtype="str").take(sel)
        out[ENERGY_KIND] = pd.array(index.energy.piece_kind, dtype="str").take(sel)
        out[ENERGY_DISTANCE_KM] = dist[keep]
        out[ENERGY_POSITION_KM] = (index.energy.piece_offset_km[piece] + along)[keep] \
            if n else along
    out[COUNTRY] = pd.array(country, dtype="str")
    return out


@overload
def near(points: gpd.GeoDataFrame | str | os.PathLike[str], *,
         corridors: layers.CorridorSelection = ...,
         links: gpd.GeoDataFrame | None = ..., within_km: float | None = ...,
         with_country: bool = ..., index: CorridorIndex | None = ...,
         chunk_points: int = ..., progress: Callable[[int], None] | None = ...,
         overwrite: bool = ..., workers: int | None = ...,
         layers: tuple[str, ...] | None = ...,
         energy: gpd.GeoDataFrame | None = ...) -> gpd.GeoDataFrame: ...


# Without dask stubs mypy sees Any here and calls this overload unreachable.
@overload
def near(  # type: ignore[overload-cannot-match]
         points: dask_geopandas.GeoDataFrame, *, corridors: layers.CorridorSelection = ...,
         links: gpd.GeoDataFrame | None = ..., within_km: float | None = ...,
         with_country: bool = ..., index: CorridorIndex | None = ...,
         chunk_points: int = ..., progress: Callable[[int], None] | None = ...,
         overwrite: bool = ..., workers: int | None = ...,
         layers: tuple[str, ...] | None = ...,
         energy: gpd.GeoDataFrame | None = ...) -> dask_geopandas.GeoDataFrame: ...


def near(points: Any, *, corridors: layers.CorridorSelection = True,
         links: gpd.GeoDataFrame | None = None, within_km: float | None = None,
         with_country: bool = True, index: CorridorIndex | None = None,
         chunk_points: int = DEFAULT_CHUNK_POINTS,
         progress: Callable[[int], None] | None = None, overwrite: bool = False,
         workers: int | None = None, layers: tuple[str, ...] | None = None,
         energy: gpd.GeoDataFrame | None = None) -> Any:
    """For every point: the nearest corridor and link, the geodesic distance to it, the
    position along the corridor and the country; with ``layers=("energy",)`` (or both) the
    nearest gas or oil pipeline or power line instead of (or as well as) the corridor.

    >>> import geopandas as gpd, shapely
    >>> pipe = gpd.GeoDataFrame({"id": ["pipe"], "kind": ["gas_pipeline"]}, crs="EPSG:4326",
    ...                         geometry=[shapely.LineString([(60, 40), (70, 40)])])
    >>> pts = gpd.GeoDataFrame(crs="EPSG:4326", geometry=[shapely.Point(65, 40.5)])
    >>> out = near(pts, layers=("energy",), energy=pipe, with_country=False)
    >>> out[["energy_id", "energy_kind", "energy_distance_km"]].round(1).values.tolist()
    [['pipe', 'gas_pipeline', 43.5]]

    Parameters
    ----------
    points
        Point GeoDataFrame (EPSG:4326, or any CRS, reprojected; no CRS is taken as lon/lat),
        a ``dask_geopandas.GeoDataFrame`` (the result is then a lazy Dask frame computed
        per partition, on a ``dask.distributed`` cluster if one is active), or the path of
        a point file (read with :func:`geo.read_points`).
    corridors
        The corridors to measure against: ``True`` (all bundled corridors), ids, or any
        GeoDataFrame of (Multi)LineStrings with an ``id`` column; the same meaning as in
        :func:`geo.make_map` (see :func:`geo.layers.select_corridors`).
    links
        The links of corridors that list ``link_ids`` (default :func:`geo.links`).
    within_km
        Keep only points at most this geodesic distance (km) from their nearest corridor
        (with several layers: from the nearest line of any of them).
    with_country
        Add the ISO3 code of the country containing the point (from :func:`geo.countries`;
        null at sea); false leaves ``country`` null (also with a prepared ``index``).
    index
        A :func:`prepare` result to reuse (then ``corridors``/``links``/``energy`` are
        ignored, and ``layers`` must be None or the layers it was prepared for).
    layers
        What to measure to: ``("corridors",)`` (the default), ``("energy",)`` or both.  Each
        layer adds its own columns and is measured independently, so one call gives both
        distances.  ``"energy"`` is a separate option rather than the default so the
        corridor columns and their meaning stay as they were.
    energy
        Energy lines to measure against for ``"energy"``; default :func:`geo.energy`.  Any
        GeoDataFrame of (Multi)LineStrings with an ``id`` (and optionally ``kind``) column.
    chunk_points
        Points per block (memory bound).
    progress
        Called with the number of points done after each block (e.g. ``tqdm.update``).
    overwrite
        Replace output columns that already exist in ``points`` instead of raising.
    workers
        Threads working on blocks at once (default: one per CPU; the array code releases
        the GIL).  On Dask each partition runs on one thread and Dask does the rest.

    Returns
    -------
    The points (original index and columns, filtered by ``within_km``) plus
    ``corridor_id`` (the first corridor, in layer order, using the nearest line),
    ``corridor_ids`` (every corridor using that line, comma-separated), ``link_id``,
    ``distance_km`` (geodesic, WGS84, within 0.1 % of the exact point-to-line geodesic
    distance), ``position_km`` (geodesic km along ``corridor_id`` from its start, on the
    same measure as its ``geodesic_length_km``) and ``country`` (ISO3 or null).  With
    ``"energy"``: ``energy_id``, ``energy_kind`` (gas_pipeline, oil_pipeline, power_line),
    ``energy_distance_km`` (same accuracy) and ``energy_position_km`` (geodesic km along the
    energy line from its first vertex).  Without ``"corridors"`` the corridor columns are
    not added.  Energy lines join documented points with geodesics (see
    :func:`geo.energy`), so distances are to that polyline, not to the surveyed route.

    Raises
    ------
    LayerError
        Missing, empty, non-point or out-of-range geometries (row numbers listed), or an
        output column that already exists.
    """
    if within_km is not None and not (within_km >= 0):
        raise InputError(f"within_km must be a number >= 0, got {within_km!r}")
    if chunk_points < 1:
        raise InputError(f"chunk_points must be >= 1, got {chunk_points!r}")
    if isinstance(points, str | os.PathLike):
        points = read_points(points)
    if index is None:
        index = prepare(corridors=corridors, links=links, with_country=with_country,
                        layers=("corridors",) if layers is None else layers, energy=energy)
    elif layers is not None and _check_layers(layers) != index.layers:
        raise ValueError(f"the index was prepared for layers {list(index.layers)}, not "
                         f"{list(layers)}; call prepare(layers=...) with the layers wanted")
    if _is_dask(points):
        return _near_dask(points, index, within_km=within_km, overwrite=overwrite,
                          with_country=with_country)
    if not isinstance(points, gpd.GeoDataFrame):
        raise TypeError("points: expected a GeoDataFrame, a dask_geopandas.GeoDataFrame or "
                        f"a point file path, got {type(points).__name__}")
    out = _near_frame(points, index, within_km=within_km, chunk_points=chunk_points,
                      progress=progress, overwrite=overwrite, workers=workers,
                      with_country=with_country)
    log.info("near: %d of %d points kept%s", len(out), len(points),
             "" if within_km is None else f" within {within_km:g} km")
    return out


def _is_dask(obj: Any) -> bool:
    return type(obj).__module__.startswith("dask_geopandas") or hasattr(obj, "map_partitions")


def _near_dask(points: Any, index: CorridorIndex, *, within_km: float | None,
               overwrite: bool, with_country: bool) -> Any:
    import dask

    meta = _near_frame(points._meta, index, within_km=within_km, overwrite=overwrite,
                       with_country=with_country)
    # One delayed object: the index is sent to each worker once, not embedded per task.
    shared = dask.delayed(index, pure=True)
    return points.map_partitions(_near_frame, shared, within_km=within_km,
                                 overwrite=overwrite, with_country=with_country, meta=meta)


#: Output formats of :func:`write_near`, by file suffix.
NEAR_OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".csv")


def write_near(result: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
               source: str | os.PathLike[str] | None = None,
               within_km: float | None = None) -> Path:
    """Write a :func:`near` result atomically, with provenance.

    ``.geojson``: RFC 7946 with a ``provenance`` member.  ``.gpkg``: layer ``near`` plus a
    ``provenance`` table.  ``.csv``: ``lon``, ``lat`` (from the geometry) and the other
    attributes, with the
    provenance beside it in ``<path>.provenance.json``.  ``source`` (the input file) is
    recorded with its SHA-256.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in NEAR_OUTPUT_SUFFIXES:
        raise LayerError(f"{target}: unknown output type {suffix!r}; must be one of "
                         f"{list(NEAR_OUTPUT_SUFFIXES)}")
    extra: dict[str, Any] = {"operation": "geo.near", "within_km": within_km,
                             "distance": "geodesic on WGS84 (pyproj.Geod), km"}
    if source is not None:
        src = Path(source)
        extra["input"] = {"file": src.name, "sha256": file_digest(src)}
    if suffix == ".geojson":
        written = atomic_write(target, to_geojson_text(result, **extra))
    elif suffix == ".gpkg":
        def _gpkg(tmp: Path) -> None:
            _for_gpkg(result).to_file(tmp, layer="near", driver="GPKG", engine="pyogrio")
            prov = pd.DataFrame({"key": ["provenance"],
                                 "value": [json.dumps(provenance(**extra), ensure_ascii=False)]})
            gpd.GeoDataFrame(prov, geometry=gpd.GeoSeries([None]), crs="EPSG:4326").to_file(
                tmp, layer="provenance", driver="GPKG", engine="pyogrio")

        with reproducible_gpkg():
            written = atomic_write_with(target, _gpkg)
    else:
        # lon/lat come from the geometry (any input columns of those names are replaced).
        table = pd.DataFrame(result.drop(columns=[result.geometry.name, *(
            c for c in ("lon", "lat") if c in result.columns)]))
        geoms = result.geometry.to_numpy()
        table.insert(0, "lat", shapely.get_y(geoms) if len(geoms) else [])
        table.insert(0, "lon", shapely.get_x(geoms) if len(geoms) else [])
        written = atomic_write(target, table.to_csv(index=False, lineterminator="\n"))
        atomic_write(target.with_name(target.name + ".provenance.json"),
                     json.dumps(provenance(**extra), ensure_ascii=False, indent=1) + "\n")
    log.info("wrote %d points to %s", len(result), written)
    return written
