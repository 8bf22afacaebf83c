"""Candidate vertices for :class:`geo._nearest.PolylineIndex` queries, per cell of a global
lon/lat grid, each cell computed once, on first use.

A query point ``p`` keeps every vertex ``v`` whose trapezoid estimate ``E(p, v)`` is at
most ``keep_limit_km(best_p)``, ``best_p`` being the smallest estimate over the vertices
(:mod:`geo._conformal`).  A cell lists a superset of the vertices kept by any point in it.
With ``c`` the cell centre and ``rho`` an angle no smaller than the angle from ``c`` to
any point of the cell (on the conformal sphere; over a lon/lat rectangle the angle from its
centre is largest at a corner), ``theta*`` the angle from ``c`` to its nearest vertex and
``A = a``, for every ``p`` in the cell::

    best_p  <= E(p, v*)  <= A K_HI (theta* + rho)          =: b_max
    E(p, v) >= A K_LO theta(p, v) >= A K_LO (theta(c, v) - rho)

and ``keep_limit_km`` does not decrease, so a vertex that ``p`` keeps has
``theta(c, v) <= keep_limit_km(b_max) / (A K_LO) + rho``: the cell's test.  Angles are
compared as dot products against the cosine of the bound, with a margin far above the
rounding of a dot product.

Two levels keep the work per cell small: *parent* cells (``PARENT_CELLS`` children a side)
test every vertex with one matrix product; *child* cells test only their parent's list.
That list holds every vertex a child point keeps (the child lies in the parent) and the
vertex nearest the child's centre (within ``theta*_P + 2 rho_P`` of the parent's centre,
which the parent's bound exceeds), so a child's ``theta*`` and list are exact.

Vertex sets: a cell whose points are all farther than ``FAR_KM`` from every vertex
(``A K_LO (theta* - rho) > FAR_KM``) lists *coarse* vertices (every corner and one about
every ``coarse_km``; between two consecutive ones a line is a single geodesic), with the
coarse half-spacing in the limit; other cells list every (densified) vertex.  Both give the
exact answer for any point: the choice only sets how much work a point costs.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

import numpy as np

from geo._conformal import A_KM, K_HI, K_LO, keep_limit_km, unit

__all__ = ["CELL_DEG", "FAR_KM", "PARENT_CELLS", "CandidateGrid", "CellLists"]

#: Side of a child cell in degrees (1800 x 3600 cells over the globe, made on first use).
CELL_DEG = 0.1
#: Child cells per parent side (parent cells of 0.5 degrees).
PARENT_CELLS = 5
#: Cells whose points are all farther than this (km) from every vertex list coarse vertices.
FAR_KM = 100.0
#: Margin (radians, ~0.6 m) added to every angular bound: covers rounding in the dot
#: products, the cosines and the cell a point on a cell edge is put in.
_MARGIN_RAD = 1e-7
#: Pairs (cell, vertex) per block of work (bounds temporary memory to ~100 MB).
_BLOCK_PAIRS = 2_000_000

_NX = round(360.0 / CELL_DEG)
_NY = round(180.0 / CELL_DEG)


@dataclass(frozen=True)
class CellLists:
    """Known cells: sorted ``keys``; per cell the slice ``start:start+count`` of ``cand``
    (vertex ids, ascending) and whether it lists coarse vertices (``far``)."""

    keys: np.ndarray
    start: np.ndarray
    count: np.ndarray
    far: np.ndarray
    cand: np.ndarray

    @classmethod
    def empty(cls) -> CellLists:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64),
                   np.empty(0, bool), np.empty(0, np.int64))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: numpy's hash ``unique`` is 10x slower here)."""
    s = np.sort(values)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_keys`` (ascending)."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[pos] == values


def _cell_shape(ix: np.ndarray, iy: np.ndarray, size_deg: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Centre (unit vectors) and angular radius of lon/lat cells of ``size_deg``."""
    lon0 = -180.0 + ix * size_deg
    lat0 = -90.0 + iy * size_deg
    lon1 = np.minimum(lon0 + size_deg, 180.0)
    lat1 = np.minimum(lat0 + size_deg, 90.0)
    centre = unit((lon0 + lon1) / 2.0, (lat0 + lat1) / 2.0)
    rho = np.zeros(len(ix))
    for x, y in ((lon0, lat0), (lon1, lat0), (lon0, lat1), (lon1, lat1)):
        corner = unit(x, y)
        chord = np.sqrt(((centre - corner) ** 2).sum(axis=1))
        rho = np.maximum(rho, 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0)))
    return centre, rho + _MARGIN_RAD


def _bounds(theta_star: np.ndarray, rho: np.ndarray, half_km: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each cell's test angle, and the lower bound (km) of its points' best."""
    b_max = A_KM * K_HI * (theta_star + rho)
    b_min = A_KM * K_LO * np.maximum(theta_star - rho, 0.0)
    bound = keep_limit_km(b_max, half_km) / (A_KM * K_LO) + rho + _MARGIN_RAD
    # Past pi every vertex passes (-2 is below any rounded dot product).
    return np.where(bound >= np.pi, -2.0, np.cos(np.minimum(bound, np.pi))), b_min


def _ragged(count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner of each element of rows of lengths ``count`` laid end to end, and row starts."""
    offs = np.cumsum(count) - count
    return np.repeat(np.arange(len(count)), count), offs


def _blocks(count: np.ndarray, cap: int) -> list[slice]:
    """Consecutive row slices whose summed counts stay near ``cap`` (at least one row)."""
    if not len(count):
        return []
    # Block number of each row: where the running total crosses a multiple of cap.
    block = (np.cumsum(count) - count) // max(cap, 1)
    edges = np.flatnonzero(np.r_[True, block[1:] != block[:-1], True])
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(edges.tolist())]


class CandidateGrid:
    """Per-cell candidate vertices over ``xyz`` (conformal unit vectors of the vertices).

    ``coarse`` indexes the coarse vertices (ascending); ``half_dense_km`` and
    ``half_coarse_km`` are the half-spacings that :func:`keep_limit_km` uses for each set.
    Safe to share between threads: a look-up reads one immutable :class:`CellLists`; new
    cells are computed outside the lock and merged under it.
    """

    def __init__(self, xyz: np.ndarray, coarse: np.ndarray, *, half_dense_km: float,
                 half_coarse_km: float) -> None:
        self.xyz = xyz
        self.coarse = np.asarray(coarse, dtype=np.int64)
        self.half_dense_km = float(half_dense_km)
        self.half_coarse_km = float(half_coarse_km)
        self._state = CellLists.empty()
        self._parents: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Child cell of each (finite, in range) point."""
        ix = np.clip(np.floor((lon + 180.0) / CELL_DEG), 0, _NX - 1).astype(np.int64)
        iy = np.clip(np.floor((lat + 90.0) / CELL_DEG), 0, _NY - 1).astype(np.int64)
        return iy * _NX + ix

    def lookup(self, lon: np.ndarray, lat: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per point: start and count of its cell's list in ``cand``, ``far``; and ``cand``."""
        key = self.keys(lon, lat)
        state = self._state
        known = _member(key, state.keys)
        if not known.all():
            self._add(_distinct(key[~known]))
            state = self._state
        pos = np.searchsorted(state.keys, key)
        return state.start[pos], state.count[pos], state.far[pos], state.cand

    # -- building -------------------------------------------------------------------------
    def _add(self, keys: np.ndarray) -> None:
        far, count, cand = self._children(keys)
        with self._lock:
            old = self._state
            new = ~_member(keys, old.keys)  # another thread may have added some meanwhile
            keep_cand = np.repeat(new, count)
            all_keys = np.concatenate([old.keys, keys[new]])
            order = np.argsort(all_keys, kind="stable")
            self._state = CellLists(
                keys=all_keys[order],
                start=np.concatenate([old.start, len(old.cand) + (
                    np.cumsum(count[new]) - count[new])])[order],
                count=np.concatenate([old.count, count[new]])[order],
                far=np.concatenate([old.far, far[new]])[order],
                cand=np.concatenate([old.cand, cand[keep_cand]]))

    def _parent_lists(self, pkeys: np.ndarray) -> None:
        """Compute the lists of the parents not known yet (every vertex tested)."""
        todo = np.array([k for k in pkeys.tolist() if k not in self._parents], dtype=np.int64)
        if not len(todo):
            return
        npx = _NX // PARENT_CELLS
        centre, rho = _cell_shape(todo % npx, todo // npx, CELL_DEG * PARENT_CELLS)
        coarse_xyz = self.xyz[self.coarse]
        rows = max(1, _BLOCK_PAIRS // len(self.xyz))
        for s in range(0, len(todo), rows):
            c, r = centre[s:s + rows], rho[s:s + rows]
            dots = c @ self.xyz.T
            theta = np.arccos(np.clip(dots.max(axis=1), -1.0, 1.0))
            cos_dense, b_min = _bounds(theta, r, self.half_dense_km)
            dense_ok = dots >= cos_dense[:, None]
            cdots = c @ coarse_xyz.T
            ctheta = np.arccos(np.clip(cdots.max(axis=1), -1.0, 1.0))
            cos_coarse, _ = _bounds(ctheta, r, self.half_coarse_km)
            coarse_ok = cdots >= cos_coarse[:, None]
            for j, key in enumerate(todo[s:s + rows].tolist()):
                dense = np.flatnonzero(dense_ok[j]) if b_min[j] <= FAR_KM else None
                self._parents[key] = (dense, self.coarse[coarse_ok[j]])

    def _filter(self, centre: np.ndarray, rho: np.ndarray, lists: _Lists, parent: np.ndarray,
                half_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The vertices of each cell's parent list that pass the cell's test.

        Returns the kept (cell row, vertex) pairs, cell by cell with vertices ascending, and
        each cell's lower bound of its points' best estimate (km).  Works in blocks of
        about ``_BLOCK_PAIRS`` pairs."""
        rows_out: list[np.ndarray] = [np.empty(0, np.int64)]
        verts_out: list[np.ndarray] = [np.empty(0, np.int64)]
        b_min = np.empty(len(parent))
        count = lists.count[parent]
        for part in _blocks(count, _BLOCK_PAIRS):
            cnt = count[part]
            owner, offs = _ragged(cnt)
            vert = lists.flat[np.repeat(lists.start[parent[part]] - offs, cnt)
                              + np.arange(int(cnt.sum()))]
            dots = (centre[part][owner] * self.xyz[vert]).sum(axis=1)
            theta = np.arccos(np.clip(np.maximum.reduceat(dots, offs), -1.0, 1.0))
            cos_bound, b_min[part] = _bounds(theta, rho[part], half_km)
            keep = dots >= cos_bound[owner]
            rows_out.append(owner[keep] + part.start)
            verts_out.append(vert[keep])
        return np.concatenate(rows_out), np.concatenate(verts_out), b_min

    def _children(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Far flag, list length and lists (concatenated, in ``keys`` order) of child cells."""
        ix, iy = keys % _NX, keys // _NX
        pkeys = (iy // PARENT_CELLS) * (_NX // PARENT_CELLS) + ix // PARENT_CELLS
        distinct = _distinct(pkeys)
        self._parent_lists(distinct)
        entries = [self._parents[k] for k in distinct.tolist()]
        dense = _Lists.of([e[0] for e in entries])
        coarse = _Lists.of([e[1] for e in entries])
        parent = np.searchsorted(distinct, pkeys)
        centre, rho = _cell_shape(ix, iy, CELL_DEG)
        far = dense.count[parent] < 0
        near_rows = np.flatnonzero(~far)
        rows, verts, b_min = self._filter(centre[near_rows], rho[near_rows], dense,
                                          parent[near_rows], self.half_dense_km)
        far[near_rows] = b_min > FAR_KM
        stay = ~far[near_rows[rows]]
        rows, verts = near_rows[rows[stay]], verts[stay]
        far_rows = np.flatnonzero(far)
        crows, cverts, _ = self._filter(centre[far_rows], rho[far_rows], coarse,
                                        parent[far_rows], self.half_coarse_km)
        rows = np.concatenate([rows, far_rows[crows]])
        verts = np.concatenate([verts, cverts])
        order = np.argsort(rows, kind="stable")  # cell by cell; vertices stay ascending
        return far, np.bincount(rows, minlength=len(keys)), verts[order]


@dataclass(frozen=True)
class _Lists:
    """Vertex lists laid end to end; ``count`` -1 for a missing list."""

    flat: np.ndarray
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, lists: list[np.ndarray | None]) -> _Lists:
        count = np.array([-1 if x is None else len(x) for x in lists], dtype=np.int64)
        sizes = np.maximum(count, 0)
        present = [x for x in lists if x is not None]
        flat = np.concatenate(present) if present else np.empty(0, np.int64)
        return cls(flat.astype(np.int64), np.cumsum(sizes) - sizes, count)
