"""Numeric kernel of :func:`geo.near`: the geodesic nearest point on a set of polylines.

Coordinates are (lon, lat) in degrees on WGS84; distances are geodesic, in kilometres,
computed with ``pyproj.Geod(ellps="WGS84")``.

How it works (no Python loop per point):

1. Every polyline ("piece") is densified once along its geodesic segments so that no
   segment is longer than ``densify_km``.  Vertices are turned into unit vectors.
2. Candidate search.  For points within about 300 km of a vertex, a shapely ``STRtree``
   over the vertices in a *stereographic* plane centred on the lines gives a nearest
   vertex, hence an upper bound ``U`` of the chord to the nearest vertex.  The
   stereographic map satisfies |S(p) - S(q)| = 2 |p - q| / sqrt((1 + p.c)(1 + q.c)),
   so a planar ``dwithin`` query of a radius derived from ``U`` returns a superset of
   every vertex that can neighbour the nearest point (see below).  Farther points are
   matched against the *coarse* vertices (every corner, and one about every
   ``coarse_km``) with one matrix product per block; between two consecutive coarse
   vertices the line is a single geodesic, so the coarse arcs are their candidates.
3. Geodesic refinement.  Unit vectors live on the *conformal* sphere (conformal latitude),
   so angles equal those on the ellipsoid.  For each candidate segment the foot of the
   perpendicular on the arc is found in closed form; candidates are ranked by an
   ellipsoidal length estimate (sphere arc times the conformal scale integrated by
   Simpson's rule; within 1e-5 of ``Geod.inv`` up to 6,000 km, 6e-4 beyond), and only those that can
   still win are measured with ``Geod.inv`` (vectorised).  The distance is stationary at
   the foot, so small errors in where the foot lies change it only to second order.

Pruning never drops the winner: the segment holding the nearest point has a vertex within
``h`` along the line of it (``h`` = half the vertex spacing), whose distance is at most
``sqrt(d**2 + h**2)`` with ``d`` the nearest distance (``d`` itself at a corner, which is
always a vertex).  Every vertex within that ring of the best vertex is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from geo.measure import GEOD

__all__ = ["NearestResult", "PolylineIndex"]

log = logging.getLogger(__name__)

#: Mean Earth radius in km, used only to turn km slack into unit-sphere chord lengths.
_EARTH_RADIUS_KM = 6371.0088
#: Relative slack between unit-sphere chords and WGS84 geodesics (the ellipsoid differs
#: from the sphere by < 0.6 %), applied to every candidate radius.
_SLACK = 1.02
#: Points whose nearest-vertex chord exceeds this (about 320 km) use the coarse search.
_FAR_CHORD = 0.05
#: Relative error allowed to the ranking estimate (measured: < 1e-5 below 6,000 km,
#: < 6e-4 up to 20,000 km; the slack is twice the allowance).
_EST_REL = 1e-4
_EST_REL_FAR = 2e-3  # beyond 6,000 km
#: Elements per block in the brute-force coarse search (bounds memory to ~100 MB).
_BLOCK_ELEMENTS = 4_000_000


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


#: First eccentricity of WGS84 (from the pyproj ellipsoid, not a literal).
_ECC = float(np.sqrt(GEOD.es))


def _conformal(lat_rad: np.ndarray) -> np.ndarray:
    """Conformal latitude: the sphere on which angles equal those on the ellipsoid."""
    es = _ECC * np.sin(lat_rad)
    return 2.0 * np.arctan(np.tan(np.pi / 4 + lat_rad / 2)
                           * ((1 - es) / (1 + es)) ** (_ECC / 2)) - np.pi / 2


def _geodetic(chi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_conformal` by fixed-point iteration (converges in a few steps)."""
    lat = chi.copy()
    for _ in range(6):
        es = _ECC * np.sin(lat)
        lat = 2.0 * np.arctan(np.tan(np.pi / 4 + chi / 2)
                              * ((1 + es) / (1 - es)) ** (_ECC / 2)) - np.pi / 2
    return lat


def _scale_table() -> tuple[np.ndarray, np.ndarray]:
    """Ellipsoid length per unit of conformal-sphere (radius a) length, by conformal lat."""
    phi = np.linspace(-np.pi / 2, np.pi / 2, 4001)[1:-1]
    chi = _conformal(phi)
    nu = GEOD.a / np.sqrt(1.0 - GEOD.es * np.sin(phi) ** 2)
    return chi, nu * np.cos(phi) / (GEOD.a * np.cos(chi))


_CHI, _INV_SCALE = _scale_table()


def _inv_scale(z: np.ndarray) -> np.ndarray:
    return np.interp(np.arcsin(np.clip(z, -1.0, 1.0)), _CHI, _INV_SCALE)


def _est_km(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Ellipsoidal distance estimate (km) between conformal unit vectors ``p`` and ``q``."""
    chord = np.sqrt(((p - q) ** 2).sum(axis=1))
    angle = 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    mid = p + q
    mnorm = np.sqrt((mid ** 2).sum(axis=1))
    mz = np.divide(mid[:, 2], mnorm, out=p[:, 2].copy(), where=mnorm > 1e-12)
    weight = (_inv_scale(p[:, 2]) + 4.0 * _inv_scale(mz) + _inv_scale(q[:, 2])) / 6.0
    return GEOD.a / 1000.0 * angle * weight


def _ring_km(best_km: np.ndarray, half_km: float) -> np.ndarray:
    """How far beyond the best vertex a vertex may be and still neighbour the winner."""
    low = np.maximum(best_km - half_km, 0.0)
    rel = np.where(best_km > 6000.0, _EST_REL_FAR, _EST_REL)
    return np.sqrt(low ** 2 + half_km ** 2) - low + 2.0 * rel * best_km + 1e-9


def _min_by(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    best = np.full(n, np.inf)
    np.minimum.at(best, owner, values)
    return best


def _unit(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    lon = np.radians(lon_deg)
    lat = _conformal(np.radians(lat_deg))
    cl = np.cos(lat)
    return np.column_stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)])


def _lonlat(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return (np.degrees(np.arctan2(y, x)),
            np.degrees(_geodetic(np.arctan2(z, np.hypot(x, y)))))


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
        self.xyz = _unit(self.lon, self.lat)
        n_vert = len(self.lon)
        # Segment s runs from vertex s to seg_end[s]; the last vertex of a piece carries a
        # zero-length segment so every vertex is also a candidate by itself.
        same = np.zeros(n_vert, dtype=bool)
        same[:-1] = self.piece[:-1] == self.piece[1:]
        self.seg_real = same
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
        self.coarse_lo = np.where(prev_same, np.roll(coarse, 1), coarse)
        self.coarse_hi = np.where(next_same, np.roll(coarse, -1), coarse)
        # Largest along-line gap between consecutive coarse vertices of one piece (km).
        gaps = np.diff(self.cum_km[coarse])[cpiece[1:] == cpiece[:-1]]
        self.coarse_gap_km = float(gaps.max()) if gaps.size else 0.0
        seg_km = np.diff(self.cum_km)[same[:-1]]
        self.max_seg_km = float(seg_km.max()) if seg_km.size else 0.0
        # Stereographic plane centred on the lines.
        mean = self.xyz.sum(axis=0)
        norm = np.linalg.norm(mean)
        self.center = mean / norm if norm > 1e-9 else np.array([1.0, 0.0, 0.0])
        helper = np.array([0.0, 0.0, 1.0]) if abs(self.center[2]) < 0.9 else np.array(
            [1.0, 0.0, 0.0])
        e1 = np.cross(helper, self.center)
        self.e1 = e1 / np.linalg.norm(e1)
        self.e2 = np.cross(self.center, self.e1)
        cosines = self.xyz @ self.center
        self.m_min = float((1.0 + cosines).min())
        self.max_angle = float(np.arccos(np.clip(cosines.min(), -1.0, 1.0)))
        self._tree: shapely.STRtree | None = None
        log.debug("polyline index: %d pieces, %d vertices, %d coarse vertices",
                  len(lines), n_vert, len(coarse))

    # -- pickling for Dask: the STRtree is rebuilt lazily on the worker -----------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_tree"] = None
        return state

    @property
    def tree(self) -> shapely.STRtree:
        if self._tree is None:
            self._tree = shapely.STRtree(shapely.points(self._plane(self.xyz)))
        return self._tree

    def _plane(self, xyz: np.ndarray) -> np.ndarray:
        denom = np.maximum(1.0 + xyz @ self.center, 1e-12)
        return np.column_stack([2.0 * (xyz @ self.e1) / denom, 2.0 * (xyz @ self.e2) / denom])

    # -- queries -----------------------------------------------------------------------
    def query(self, lon: np.ndarray, lat: np.ndarray) -> NearestResult:
        """Nearest piece, geodesic distance (km) and position along it (km) per point."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        pxyz = _unit(lon, lat)
        pc = pxyz @ self.center
        # Lower bound of the chord to any vertex: angle to the centre minus max_angle.
        lower = 2.0 * np.sin(np.clip(np.arccos(np.clip(pc, -1, 1)) - self.max_angle, 0,
                                     np.pi) / 2.0)
        maybe_near = np.flatnonzero(lower <= _FAR_CHORD)
        pair_pt: list[np.ndarray] = [np.empty(0, np.int64)]
        pair_a: list[np.ndarray] = [np.empty(0, np.int64)]
        pair_b: list[np.ndarray] = [np.empty(0, np.int64)]
        far = np.ones(n, dtype=bool)
        if maybe_near.size:
            near_pts, a, is_near = self._near_candidates(pxyz[maybe_near], pc[maybe_near])
            pair_pt.append(maybe_near[near_pts])
            pair_a.append(a)
            pair_b.append(self.seg_end[a])
            far[maybe_near[is_near]] = False
        far_idx = np.flatnonzero(far)
        if far_idx.size:
            far_pts, a, b = self._far_candidates(pxyz[far_idx])
            pair_pt.append(far_idx[far_pts])
            pair_a.append(a)
            pair_b.append(b)
        return self._refine(lon, lat, pxyz, np.concatenate(pair_pt), np.concatenate(pair_a),
                            np.concatenate(pair_b), n)

    def _keep_ring(self, pxyz: np.ndarray, owner: np.ndarray, vert: np.ndarray,
                   half_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Vertices that may neighbour the winner (see the module docstring)."""
        est = _est_km(pxyz[owner], self.xyz[vert])
        best = _min_by(owner, est, len(pxyz))
        keep = est <= best[owner] + _ring_km(best[owner], half_km)
        return owner[keep], vert[keep]

    def _near_candidates(self, pxyz: np.ndarray, pc: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        plane_pts = shapely.points(self._plane(pxyz))
        tree = self.tree
        # Capped search: a point with no vertex within the cap goes to the far path, which
        # is exact for any point (the cap only decides which path is faster).
        cap = 2.0 * _FAR_CHORD / self.m_min
        q_in, q_vert = tree.query_nearest(plane_pts, max_distance=cap, all_matches=False)
        upper = np.full(len(pxyz), np.inf)
        upper[q_in] = np.linalg.norm(pxyz[q_in] - self.xyz[q_vert], axis=1)
        is_near = np.flatnonzero(upper <= _FAR_CHORD)
        if not is_near.size:
            return np.empty(0, np.int64), np.empty(0, np.int64), is_near
        half_km = self.max_seg_km / 2.0
        # A superset in chord terms (the sphere/ellipsoid ratio is within 1 % of 1).
        radius = (upper[is_near] + 2.0 * half_km / _EARTH_RADIUS_KM) * _SLACK
        one_plus = 1.0 + pc[is_near]
        local_m = np.maximum(self.m_min, one_plus - radius)
        plane_radius = 2.0 * radius / np.sqrt(one_plus * local_m) * _SLACK
        got_in, got_vert = tree.query(plane_pts[is_near], predicate="dwithin",
                                      distance=plane_radius)
        owner, vert = self._keep_ring(pxyz, is_near[got_in], got_vert, half_km)
        # Each kept vertex proposes the segment it starts and the one it ends.
        prev_ok = vert > 0
        prev_ok[prev_ok] = self.seg_real[vert[prev_ok] - 1]
        return (np.concatenate([owner, owner[prev_ok]]),
                np.concatenate([vert, vert[prev_ok] - 1]), is_near)

    def _far_candidates(self, pxyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cxyz = self.xyz[self.coarse]
        half_km = self.coarse_gap_km / 2.0 + self.max_seg_km
        half = half_km / _EARTH_RADIUS_KM
        rows = max(1, _BLOCK_ELEMENTS // max(1, len(cxyz)))
        owners: list[np.ndarray] = []
        coarse_hits: list[np.ndarray] = []
        for start in range(0, len(pxyz), rows):
            block = pxyz[start:start + rows]
            # chord**2 = 2 - 2 dot, so "chord <= limit" is "dot >= 1 - limit**2 / 2".  The
            # filter only prunes with slack; exact distances come later, so BLAS rounding
            # cannot change a result.
            dots = block @ cxyz.T
            best = np.sqrt(np.maximum(2.0 - 2.0 * dots.max(axis=1), 0.0))
            limit = (best + half) * _SLACK
            r, c = np.nonzero(dots >= (1.0 - limit ** 2 / 2.0)[:, None])
            owners.append(r + start)
            coarse_hits.append(c)
        owner = np.concatenate(owners)
        hit = np.concatenate(coarse_hits)
        owner, vert = self._keep_ring(pxyz, owner, self.coarse[hit], half_km)
        # Between two consecutive coarse vertices the line is one geodesic (corners are
        # coarse vertices), so the coarse arcs on each side are the candidate segments.
        hit = np.searchsorted(self.coarse, vert)
        lo, hi = self.coarse_lo[hit], self.coarse_hi[hit]
        return (np.concatenate([owner, owner]), np.concatenate([lo, vert]),
                np.concatenate([vert, hi]))

    def _refine(self, lon: np.ndarray, lat: np.ndarray, pxyz: np.ndarray,
                pts: np.ndarray, segs: np.ndarray, ends: np.ndarray, n: int) -> NearestResult:
        """Nearest point per query point among candidate segments ``segs`` -> ``ends``
        (vertex indices on one piece; equal for a lone vertex)."""
        n_vert = np.int64(len(self.lon))
        key = np.unique((pts * n_vert + segs) * n_vert + ends)  # one row per distinct segment
        pts, segs, ends = key // (n_vert * n_vert), (key // n_vert) % n_vert, key % n_vert
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
        est = _est_km(p, foot)
        best = _min_by(pts, est, n)
        rel = np.where(best[pts] > 6000.0, _EST_REL_FAR, _EST_REL)
        keep = est <= best[pts] * (1.0 + 2.0 * rel) + 1e-9
        pts, segs, ends, foot, inside, end_is_a = (pts[keep], segs[keep], ends[keep],
                                                    foot[keep], inside[keep], end_is_a[keep])
        flon, flat = _lonlat(foot)
        end = ends
        # Exact end points where the foot falls outside the arc (no round trip to xyz).
        flon = np.where(inside, flon, np.where(end_is_a, self.lon[segs], self.lon[end]))
        flat = np.where(inside, flat, np.where(end_is_a, self.lat[segs], self.lat[end]))
        _, _, dist_m = GEOD.inv(lon[pts], lat[pts], flon, flat)
        dist_km = np.asarray(dist_m) / 1000.0
        piece = self.piece[segs]
        order = np.lexsort((piece, dist_km, pts))
        first = np.ones(len(order), dtype=bool)
        first[1:] = pts[order][1:] != pts[order][:-1]
        chosen = order[first]
        c_seg = segs[chosen]
        # The part of a segment (<= ~30 km) before the foot: the ellipsoidal estimate is
        # within 1e-9 of Geod.inv at that length; the vertices' cum_km come from Geod.
        c_foot = np.where(inside[chosen, None], foot[chosen],
                          np.where(end_is_a[chosen, None], self.xyz[c_seg],
                                   self.xyz[ends[chosen]]))
        along = self.cum_km[c_seg] + _est_km(self.xyz[c_seg], c_foot)
        out_piece = np.full(n, -1, dtype=np.int64)
        out_dist = np.full(n, np.nan)
        out_along = np.full(n, np.nan)
        out_piece[pts[chosen]] = piece[chosen]
        out_dist[pts[chosen]] = dist_km[chosen]
        out_along[pts[chosen]] = np.minimum(along, self.length_km[piece[chosen]])
        return NearestResult(piece=out_piece, distance_km=out_dist, along_km=out_along)
