"""Numeric kernel of :func:`geo.near`: the geodesic nearest point on a set of polylines.

Coordinates are (lon, lat) in degrees on WGS84; distances are geodesic, in kilometres,
computed with ``pyproj.Geod(ellps="WGS84")``.

How it works (no Python loop per point):

1. Every polyline ("piece") is densified once along its geodesic segments so that no
   segment is longer than ``densify_km``.  Vertices become unit vectors on the
   *conformal* sphere (:mod:`geo._conformal`), where angles equal those on the ellipsoid.
2. Candidate vertices.  Each point keeps the vertices whose trapezoid distance estimate is
   within :func:`geo._conformal.keep_limit_km` of the smallest: those include a vertex of
   the segment holding the nearest point (below).  Which vertices to try comes from the
   point's cell of a global lon/lat grid (:mod:`geo._nearcells`), which lists a proven
   superset for every point in the cell.  Points far from every line use the *coarse*
   vertices (every corner, and one about every ``coarse_km``): between two consecutive
   ones the line is one geodesic, so the coarse arcs beside a kept vertex are candidates.
3. Geodesic refinement.  For each candidate segment the foot of the perpendicular on the
   arc is found in closed form; candidates are ranked by an ellipsoidal length estimate
   (sphere arc times the conformal scale integrated by Simpson's rule; within 1e-8 of
   ``Geod.inv`` up to 1,000 km, 7e-6 up to 6,000 km, 6e-4 beyond), and only those that can still win are
   measured with ``Geod.inv`` (vectorised).  The distance is stationary at the foot, so
   small errors in where the foot lies change it only to second order.

Pruning never drops the winner: the segment holding the nearest point has a vertex within
``h`` along the line of it (``h`` = half the vertex spacing), whose distance is at most
``sqrt(d**2 + h**2)`` with ``d`` the nearest distance (``d`` itself at a corner, which is
always a vertex).  Every vertex within that reach of the best vertex is kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo._conformal import angle, est_km, est_rel, inv_scale, keep_limit_km, lonlat, trap_km, unit
from geo._nearcells import CandidateGrid, ragged
from geo.measure import GEOD

__all__ = ["NearestResult", "PolylineIndex"]

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class NearestResult:
    """Per query point: the nearest piece, the geodesic distance and the position along it.

    ``piece`` indexes the polylines given to :class:`PolylineIndex`; ``distance_km`` is the
    geodesic distance to the nearest point of that piece; ``along_km`` is the geodesic
    length along the piece from its first vertex to that nearest point.
    """

    piece: np.ndarray
    distance_km: np.ndarray
    along_km: np.ndarray


def _densify(coords: np.ndarray, *, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``coords`` (lon, lat) plus geodesic intermediate points every <= max_km,
    and a mask of the original vertices (corners)."""
    lon, lat = coords[:, 0], coords[:, 1]
    if len(coords) < 2:
        return coords[:, :2].astype(float), np.ones(len(coords), dtype=bool)
    _, _, seg_m = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    out: list[np.ndarray] = [coords[:1, :2]]
    orig: list[np.ndarray] = [np.ones(1, dtype=bool)]
    for k, length_m in enumerate(np.atleast_1d(seg_m)):
        if length_m == 0.0:
            continue  # a repeated vertex adds nothing
        n_inner = int(np.ceil(length_m / 1000.0 / max_km)) - 1
        if n_inner > 0:
            inner = GEOD.npts(lon[k], lat[k], lon[k + 1], lat[k + 1], n_inner)
            out.append(np.asarray(inner, dtype=float).reshape(-1, 2))
            orig.append(np.zeros(n_inner, dtype=bool))
        out.append(coords[k + 1:k + 2, :2])
        orig.append(np.ones(1, dtype=bool))
    return np.vstack(out).astype(float), np.concatenate(orig)


def _groups(owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start of each run of equal values in ``owner`` (grouped), and each element's run."""
    first = np.r_[True, owner[1:] != owner[:-1]]
    return np.flatnonzero(first), np.cumsum(first) - 1


class PolylineIndex:
    """A spatial index of polylines for geodesic nearest-point queries.

    Parameters
    ----------
    lines
        One ``(n, 2)`` array of (lon, lat) degrees per piece, n >= 1.
    densify_km
        Longest segment after geodesic densification, in km (candidate search only; the
        refinement is exact on each segment).
    coarse_km
        Spacing of the coarse vertices used for far points, in km.
    """

    def __init__(self, lines: Sequence[np.ndarray], *, densify_km: float = 10.0,
                 coarse_km: float = 50.0) -> None:
        if not lines:
            raise ValueError("PolylineIndex needs at least one line")
        self.densify_km = float(densify_km)
        self.coarse_km = float(coarse_km)
        lons, lats, pieces, cums, lengths, origs = [], [], [], [], [], []
        for k, coords in enumerate(lines):
            dense, orig = _densify(np.asarray(coords, dtype=float), max_km=self.densify_km)
            origs.append(orig)
            _, _, seg_m = GEOD.inv(dense[:-1, 0], dense[:-1, 1], dense[1:, 0], dense[1:, 1])
            cum = np.concatenate([[0.0], np.cumsum(np.atleast_1d(seg_m)) / 1000.0])
            lons.append(dense[:, 0])
            lats.append(dense[:, 1])
            pieces.append(np.full(len(dense), k, dtype=np.int64))
            cums.append(cum)
            lengths.append(cum[-1])
        self.lon = np.concatenate(lons)
        self.lat = np.concatenate(lats)
        self.piece = np.concatenate(pieces)
        self.cum_km = np.concatenate(cums)
        corner = np.concatenate(origs)
        self.length_km = np.asarray(lengths, dtype=float)
        self.xyz = unit(self.lon, self.lat)
        n_vert = len(self.lon)
        # Segment s runs from vertex s to seg_end[s]; the last vertex of a piece carries a
        # zero-length segment so every vertex is also a candidate by itself.
        same = np.zeros(n_vert, dtype=bool)
        same[:-1] = self.piece[:-1] == self.piece[1:]
        self.seg_end = np.where(same, np.arange(n_vert) + 1, np.arange(n_vert))
        # Coarse vertices: first and last of each piece and one every ~coarse_km.
        bucket = np.floor(self.cum_km / self.coarse_km).astype(np.int64)
        first = np.ones(n_vert, dtype=bool)
        first[1:] = (self.piece[1:] != self.piece[:-1]) | (bucket[1:] != bucket[:-1])
        last = np.zeros(n_vert, dtype=bool)
        last[-1] = True
        last[:-1] = self.piece[:-1] != self.piece[1:]
        coarse = np.flatnonzero(first | last | corner)
        cpiece = self.piece[coarse]
        prev_same = np.concatenate([[False], cpiece[1:] == cpiece[:-1]])
        next_same = np.concatenate([cpiece[:-1] == cpiece[1:], [False]])
        self.coarse = coarse
        # Largest along-line gap between consecutive coarse vertices of one piece (km).
        gaps = np.diff(self.cum_km[coarse])[cpiece[1:] == cpiece[:-1]]
        self.coarse_gap_km = float(gaps.max()) if gaps.size else 0.0
        seg_km = np.diff(self.cum_km)[same[:-1]]
        self.max_seg_km = float(seg_km.max()) if seg_km.size else 0.0
        # The segments each kept vertex proposes: the one it ends (-1: none) and the one
        # it starts (itself for a piece's last vertex: a lone vertex is a candidate too),
        # along the dense vertices, and along the coarse ones for far points.
        idx = np.arange(n_vert)
        self.back_dense = np.where(np.r_[False, same[:-1]], idx - 1, -1)
        self.fwd_dense = self.seg_end
        self.back_coarse = np.full(n_vert, -1, dtype=np.int64)
        self.fwd_coarse = idx.copy()
        self.back_coarse[coarse] = np.where(prev_same, np.roll(coarse, 1), -1)
        self.fwd_coarse[coarse] = np.where(next_same, np.roll(coarse, -1), coarse)
        self.k_vert = inv_scale(self.xyz[:, 2])
        self.half_dense_km = self.max_seg_km / 2.0
        self.half_coarse_km = self.coarse_gap_km / 2.0 + self.max_seg_km
        self._grid: CandidateGrid | None = None
        self._grid_lock = threading.Lock()
        log.debug("polyline index: %d pieces, %d vertices, %d coarse vertices",
                  len(lines), n_vert, len(coarse))

    # -- pickling for Dask: the cell grid is rebuilt lazily on the worker ---------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_grid"] = None
        del state["_grid_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._grid_lock = threading.Lock()

    @property
    def grid(self) -> CandidateGrid:
        """The candidate vertices per cell (made on first use; cells fill in as queried)."""
        with self._grid_lock:
            if self._grid is None:
                self._grid = CandidateGrid(self.xyz, self.coarse,
                                           half_dense_km=self.half_dense_km,
                                           half_coarse_km=self.half_coarse_km)
            return self._grid

    # -- queries -----------------------------------------------------------------------
    def query(self, lon: np.ndarray, lat: np.ndarray) -> NearestResult:
        """Nearest piece, geodesic distance (km) and position along it (km) per point.

        Points with a non-finite or out-of-range coordinate get piece -1 and NaN."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        out = NearestResult(piece=np.full(n, -1, dtype=np.int64), distance_km=np.full(n, np.nan),
                            along_km=np.full(n, np.nan))
        if not ok.any():
            return out
        rows = np.flatnonzero(ok) if not ok.all() else None
        if rows is not None:
            lon, lat = lon[rows], lat[rows]
        pxyz = unit(lon, lat)
        owner, segs, ends = self._candidates(lon, lat, pxyz)
        piece, dist, along = self._refine(lon, lat, pxyz, owner, segs, ends)
        where = slice(None) if rows is None else rows
        out.piece[where] = piece
        out.distance_km[where] = dist
        out.along_km[where] = along
        return out

    def _candidates(self, lon: np.ndarray, lat: np.ndarray, pxyz: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate segments (point, start vertex, end vertex), grouped by point."""
        start, count, far, cand = self.grid.lookup(lon, lat)
        owner, offs = ragged(count)
        vert = cand[np.repeat(start - offs, count) + np.arange(len(owner))]
        k_p = inv_scale(pxyz[:, 2])
        est = trap_km(angle(np.repeat(pxyz, count, axis=0), self.xyz[vert]),
                      np.repeat(k_p, count), self.k_vert[vert])
        best = np.minimum.reduceat(est, offs)
        limit = keep_limit_km(best, np.where(far, self.half_coarse_km, self.half_dense_km))
        keep = est <= np.repeat(limit, count)
        owner, vert = owner[keep], vert[keep]
        far_v = far[owner]
        back = np.where(far_v, self.back_coarse[vert], self.back_dense[vert])
        fwd = np.where(far_v, self.fwd_coarse[vert], self.fwd_dense[vert])
        # A segment both of whose ends are kept is proposed once, by its start (vertices of
        # a point are ascending, and no kept vertex lies strictly inside a coarse arc).
        dup = np.r_[False, (owner[1:] == owner[:-1]) & (vert[:-1] == back[1:])]
        has_back = (back >= 0) & ~dup
        # Interleave (back, forward) so the pairs stay grouped by point.
        pts = np.repeat(owner, 2)
        segs = np.column_stack([back, vert]).ravel()
        ends = np.column_stack([vert, fwd]).ravel()
        use = np.column_stack([has_back, np.ones(len(vert), dtype=bool)]).ravel()
        return pts[use], segs[use], ends[use]

    def _refine(self, lon: np.ndarray, lat: np.ndarray, pxyz: np.ndarray,
                pts: np.ndarray, segs: np.ndarray, ends: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest point per query point among candidate segments ``segs`` -> ``ends``
        (vertex indices on one piece; equal for a lone vertex), grouped by point (every
        point has one at least)."""
        a = self.xyz[segs]
        b = self.xyz[ends]
        p = pxyz[pts]
        normal = np.cross(a, b)
        nn = np.sqrt((normal ** 2).sum(axis=1))
        safe = nn > 1e-15
        nhat = np.divide(normal, nn[:, None], out=np.zeros_like(normal), where=safe[:, None])
        proj = p - (p * nhat).sum(axis=1)[:, None] * nhat
        pn = np.sqrt((proj ** 2).sum(axis=1))
        ok = safe & (pn > 1e-12)
        foot = np.divide(proj, pn[:, None], out=a.copy(), where=ok[:, None])
        inside = ok & ((np.cross(a, foot) * normal).sum(axis=1) >= 0) & (
            (np.cross(foot, b) * normal).sum(axis=1) >= 0)
        end_is_a = ((p - a) ** 2).sum(axis=1) <= ((p - b) ** 2).sum(axis=1)
        foot = np.where(inside[:, None], foot, np.where(end_is_a[:, None], a, b))
        # Rank with the ellipsoidal estimate; measure with Geod.inv only what can still win.
        est = est_km(p, foot)
        starts, group = _groups(pts)
        best = np.minimum.reduceat(est, starts)[group]
        keep = est <= best * (1.0 + 2.0 * est_rel(best)) + 1e-9
        # A vertex that is the foot of both segments beside it (a corner or an end beyond
        # which the point lies) is measured once: those two candidates are neighbours.
        foot_vertex = np.where(inside, -1, np.where(end_is_a, segs, ends))
        keep[1:] &= ~((pts[1:] == pts[:-1]) & (foot_vertex[1:] == foot_vertex[:-1])
                      & (foot_vertex[1:] >= 0) & keep[:-1])
        pts, segs, ends, foot, inside, end_is_a = (pts[keep], segs[keep], ends[keep],
                                                    foot[keep], inside[keep], end_is_a[keep])
        flon, flat = lonlat(foot)
        # Exact end points where the foot falls outside the arc (no round trip to xyz).
        flon = np.where(inside, flon, np.where(end_is_a, self.lon[segs], self.lon[ends]))
        flat = np.where(inside, flat, np.where(end_is_a, self.lat[segs], self.lat[ends]))
        _, _, dist_m = GEOD.inv(lon[pts], lat[pts], flon, flat)
        dist_km = np.asarray(dist_m) / 1000.0
        piece = self.piece[segs]
        # Per point: the smallest distance; on a tie the lowest piece, then the first.
        starts, group = _groups(pts)
        is_min = dist_km == np.minimum.reduceat(dist_km, starts)[group]
        low_piece = np.minimum.reduceat(np.where(is_min, piece, len(self.length_km)), starts)
        winner = np.flatnonzero(is_min & (piece == low_piece[group]))
        chosen = winner[np.r_[True, group[winner][1:] != group[winner][:-1]]]
        c_seg = segs[chosen]
        # The part of a segment (<= ~30 km) before the foot: the ellipsoidal estimate is
        # within 1e-9 of Geod.inv at that length; the vertices' cum_km come from Geod.
        c_foot = np.where(inside[chosen, None], foot[chosen],
                          np.where(end_is_a[chosen, None], self.xyz[c_seg],
                                   self.xyz[ends[chosen]]))
        c_piece = piece[chosen]
        along = self.cum_km[c_seg] + est_km(self.xyz[c_seg], c_foot)
        return c_piece, dist_km[chosen], np.minimum(along, self.length_km[c_piece])
