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

Levels keep the work per cell small: cells of ``LEVEL_DEG[0]`` test every vertex; a cell
of each finer level (``LEVEL_RATIO`` a side in its parent) tests only its parent's list.
That list holds every vertex a point of the child keeps (the child lies in the parent)
and the vertex nearest the child's centre (within ``theta*_P + 2 rho_P`` of the parent's
centre, which the parent's bound exceeds), so a child's ``theta*`` and list are exact.
Query points read the finest level, whose cells hold a few points' worth of work each.

Vertex sets: a cell whose points are all farther than ``FAR_KM`` from every vertex
(``A K_LO (theta* - rho) > FAR_KM``) lists *coarse* vertices (every corner and one about
every ``coarse_km``; between two consecutive ones a line is a single geodesic), with the
coarse half-spacing in the limit; other cells list every (densified) vertex.  Both give the
exact answer for any point: the choice only sets how much work a point costs.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from geo._conformal import A_KM, K_HI, K_LO, angle, keep_limit_km, unit

__all__ = ["CELL_DEG", "FAR_KM", "LEVEL_DEG", "CandidateGrid", "CellStore", "ragged"]

#: Cell sides of the levels in degrees, coarsest first; each divides the one before it
#: into ``LEVEL_RATIO`` x ``LEVEL_RATIO`` cells.  Query points read the last level.
LEVEL_DEG = (2.5, 0.5, 0.1)
LEVEL_RATIO = 5
#: Side of the cells query points are looked up in (3600 x 1800 over the globe, each
#: made on first use).
CELL_DEG = LEVEL_DEG[-1]
#: Cells whose points are all farther than this (km) from every vertex list coarse vertices.
FAR_KM = 100.0
#: Margin (radians, ~0.6 m) added to every angular bound: covers rounding in the dot
#: products, the cosines and the cell a point on a cell edge is put in.
_MARGIN_RAD = 1e-7
#: Pairs (cell, vertex) per block of work (bounds temporary memory to ~100 MB).
_BLOCK_PAIRS = 2_000_000

_NX = round(360.0 / CELL_DEG)
_NY = round(180.0 / CELL_DEG)


def _nx(level: int) -> int:
    return round(360.0 / LEVEL_DEG[level])


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: numpy's hash ``unique`` is 10x slower here)."""
    s = np.sort(values)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


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
        rho = np.maximum(rho, angle(centre, unit(x, y)))
    return centre, rho + _MARGIN_RAD


def _bounds(theta_star: np.ndarray, rho: np.ndarray, half_km: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each cell's test angle, and the lower bound (km) of its points' best."""
    b_max = A_KM * K_HI * (theta_star + rho)
    b_min = A_KM * K_LO * np.maximum(theta_star - rho, 0.0)
    bound = keep_limit_km(b_max, half_km) / (A_KM * K_LO) + rho + _MARGIN_RAD
    # Past pi every vertex passes (-2 is below any rounded dot product).
    return np.where(bound >= np.pi, -2.0, np.cos(np.minimum(bound, np.pi))), b_min


def ragged(count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


class CellStore:
    """The lists of the cells of one level: a slot per cell of the globe (-1 until made)
    and, per slot, the slice ``start:start+count`` of ``cand`` (vertex ids, ascending) and
    whether the list holds coarse vertices.  The arrays only grow (doubling), so slices
    handed out stay valid; callers hold the grid's lock around :meth:`add` and
    :meth:`read`."""

    def __init__(self, n_cells: int) -> None:
        self.slot = np.full(n_cells, -1, dtype=np.int32)
        self.start = np.empty(1024, dtype=np.int64)
        self.count = np.empty(1024, dtype=np.int32)
        self.far = np.empty(1024, dtype=bool)
        self.cand = np.empty(4096, dtype=np.int32)
        self.n_slots = 0
        self.n_cand = 0

    def missing(self, keys: np.ndarray) -> np.ndarray:
        """The distinct keys without a list yet."""
        return _distinct(keys[self.slot[keys] < 0])

    def add(self, keys: np.ndarray, far: np.ndarray, count: np.ndarray,
            cand: np.ndarray) -> None:
        """Store the lists of distinct cells ``keys`` (``cand``: end to end, in ``keys``
        order), skipping cells stored meanwhile by another thread."""
        new = self.slot[keys] < 0
        count_new = count[new]
        cand_new = cand[np.repeat(new, count)]
        n, m = self.n_slots + int(new.sum()), self.n_cand + len(cand_new)
        if n > len(self.start):
            size = max(n, 2 * len(self.start))
            self.start = np.resize(self.start, size)
            self.count = np.resize(self.count, size)
            self.far = np.resize(self.far, size)
        if m > len(self.cand):
            self.cand = np.resize(self.cand, max(m, 2 * len(self.cand)))
        slots = np.arange(self.n_slots, n)
        self.start[slots] = self.n_cand + np.cumsum(count_new) - count_new
        self.count[slots] = count_new
        self.far[slots] = far[new]
        self.cand[self.n_cand:m] = cand_new
        self.slot[keys[new]] = slots  # last: a cell is visible once its list is written
        self.n_slots, self.n_cand = n, m

    def read(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Start, count and far flag of each cell (all stored), and the lists so far."""
        slots = self.slot[keys]
        return (self.start[slots], self.count[slots].astype(np.int64), self.far[slots],
                self.cand[:self.n_cand])


class CandidateGrid:
    """Per-cell candidate vertices over ``xyz`` (conformal unit vectors of the vertices).

    ``coarse`` indexes the coarse vertices (ascending); ``half_dense_km`` and
    ``half_coarse_km`` are the half-spacings that :func:`keep_limit_km` uses for each set.
    Safe to share between threads: new cells are computed outside the lock (two threads
    may compute the same cell; one copy is kept) and stored and read under it.
    """

    def __init__(self, xyz: np.ndarray, coarse: np.ndarray, *, half_dense_km: float,
                 half_coarse_km: float) -> None:
        self.xyz = xyz
        self.coarse = np.asarray(coarse, dtype=np.int64)
        self.half_dense_km = float(half_dense_km)
        self.half_coarse_km = float(half_coarse_km)
        #: One store per level; above the last, cell ``k``'s dense list is key ``2 k``
        #: (absent where every point of the cell is far) and its coarse list ``2 k + 1``.
        self._stores = [CellStore(2 * _nx(level) * _nx(level) // 2)
                        for level in range(len(LEVEL_DEG) - 1)]
        self._stores.append(CellStore(_NX * _NY))
        #: Level 0's parent: every vertex (key 0) and every coarse vertex (key 1).
        self._everything = CellStore(2)
        n = len(xyz)
        self._everything.add(np.array([0, 1]), np.zeros(2, dtype=bool),
                             np.array([n, len(self.coarse)]),
                             np.concatenate([np.arange(n), self.coarse]))
        self._lock = threading.Lock()

    @staticmethod
    def keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Cell (of the last level) of each (finite, in range) point."""
        ix = np.clip(np.floor((lon + 180.0) / CELL_DEG), 0, _NX - 1).astype(np.int64)
        iy = np.clip(np.floor((lat + 90.0) / CELL_DEG), 0, _NY - 1).astype(np.int64)
        return iy * _NX + ix

    def lookup(self, lon: np.ndarray, lat: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per point: start and count of its cell's list in ``cand``, ``far``; and ``cand``."""
        key = self.keys(lon, lat)
        level = len(LEVEL_DEG) - 1
        store = self._stores[level]
        with self._lock:
            new = store.missing(key)
        if len(new):
            far, count, cand = self._cells(level, new, both=False)
            with self._lock:
                store.add(new, far, count, cand)
        with self._lock:
            return store.read(key)

    # -- building -------------------------------------------------------------------------
    def _parents(self, level: int, keys: np.ndarray
                 ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...], np.ndarray]:
        """For cells ``keys`` of ``level``: their parents' dense and coarse lists (made
        where missing) as (start, count, far, cand) -- start -1 where a parent has no
        dense list -- and whether the parent has a dense list."""
        if level == 0:
            pkeys = np.zeros(len(keys), dtype=np.int64)
            store = self._everything
        else:
            nx = _nx(level)
            pkeys = (keys // nx // LEVEL_RATIO) * _nx(level - 1) + (keys % nx) // LEVEL_RATIO
            store = self._stores[level - 1]
            with self._lock:
                todo = _distinct(store.missing(2 * pkeys + 1) // 2)
            if len(todo):
                far, count, cand = self._cells(level - 1, todo, both=True)
                near = ~far
                with self._lock:
                    store.add(np.concatenate([2 * todo[near], 2 * todo + 1]),
                              np.zeros(len(todo) + int(near.sum()), dtype=bool), count, cand)
        with self._lock:
            has_dense = store.slot[2 * pkeys] >= 0
            dense = store.read(2 * pkeys[has_dense])
            coarse = store.read(2 * pkeys + 1)
        return dense, coarse, has_dense

    def _cells(self, level: int, keys: np.ndarray, *, both: bool
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lists of cells ``keys`` of ``level``: far flags, counts and lists end to end.

        With ``both``: the dense lists of the near cells (in ``keys`` order), then the
        coarse lists of every cell; ``far`` then has one entry per cell.  Otherwise one
        list per cell, the coarse one for far cells."""
        dense, coarse, has_dense = self._parents(level, keys)
        nx = _nx(level)
        centre, rho = _cell_shape(keys % nx, keys // nx, LEVEL_DEG[level])
        far = ~has_dense
        near_rows = np.flatnonzero(has_dense)
        rows, verts, b_min = self._filter(centre[near_rows], rho[near_rows], dense[0],
                                          dense[1], dense[3], self.half_dense_km)
        far[near_rows] = b_min > FAR_KM
        stay = ~far[near_rows[rows]]
        rows, verts = near_rows[rows[stay]], verts[stay]
        coarse_rows = np.arange(len(keys)) if both else np.flatnonzero(far)
        crows, cverts, _ = self._filter(centre[coarse_rows], rho[coarse_rows],
                                        coarse[0][coarse_rows], coarse[1][coarse_rows],
                                        coarse[3], self.half_coarse_km)
        crows = coarse_rows[crows]
        if both:  # dense lists of near cells first, then all coarse lists
            near = np.flatnonzero(~far)
            count = np.concatenate([np.bincount(rows, minlength=len(keys))[near],
                                    np.bincount(crows, minlength=len(keys))])
            return far, count, np.concatenate([verts, cverts])
        rows = np.concatenate([rows, crows])
        verts = np.concatenate([verts, cverts])
        order = np.argsort(rows, kind="stable")  # cell by cell; vertices stay ascending
        return far, np.bincount(rows, minlength=len(keys)), verts[order]

    def _filter(self, centre: np.ndarray, rho: np.ndarray, start: np.ndarray,
                count: np.ndarray, cand: np.ndarray, half_km: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The vertices of each cell's parent list (``cand[start:start+count]``) that
        pass the cell's test.

        Returns the kept (cell row, vertex) pairs, cell by cell with vertices ascending, and
        each cell's lower bound of its points' best estimate (km).  Works in blocks of
        about ``_BLOCK_PAIRS`` pairs."""
        rows_out: list[np.ndarray] = [np.empty(0, np.int64)]
        verts_out: list[np.ndarray] = [np.empty(0, np.int64)]
        b_min = np.empty(len(start))
        if len(start) and (start == start[0]).all() and (count == count[0]).all():
            # One list for every cell (the first level): a matrix product per block.
            shared = cand[start[0]:start[0] + count[0]].astype(np.int64)
            rows = max(1, _BLOCK_PAIRS // max(len(shared), 1))
            for s in range(0, len(start), rows):
                part = slice(s, s + rows)
                dots = centre[part] @ self.xyz[shared].T
                theta = np.arccos(np.clip(dots.max(axis=1), -1.0, 1.0))
                cos_bound, b_min[part] = _bounds(theta, rho[part], half_km)
                r, c = np.nonzero(dots >= cos_bound[:, None])
                rows_out.append(r + s)
                verts_out.append(shared[c])
            return np.concatenate(rows_out), np.concatenate(verts_out), b_min
        for part in _blocks(count, _BLOCK_PAIRS):
            cnt = count[part]
            owner, offs = ragged(cnt)
            vert = cand[np.repeat(start[part] - offs, cnt) + np.arange(int(cnt.sum()))]
            dots = (centre[part][owner] * self.xyz[vert]).sum(axis=1)
            theta = np.arccos(np.clip(np.maximum.reduceat(dots, offs), -1.0, 1.0))
            cos_bound, b_min[part] = _bounds(theta, rho[part], half_km)
            keep = dots >= cos_bound[owner]
            rows_out.append(owner[keep] + part.start)
            verts_out.append(vert[keep].astype(np.int64))
        return np.concatenate(rows_out), np.concatenate(verts_out), b_min
