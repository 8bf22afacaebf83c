"""Which country outline holds each point: a grid of decided cells, exact tests elsewhere.

The answer is the same as testing every point against every outline with
``shapely.intersects`` (boundary included; on a shared border, or where outlines overlap,
the first outline in layer order wins), only faster:

1. The plane (lon, lat), over the bounding box of the points, is cut into square cells of
   ``cell_deg``.  A cell that some outline
   boundary may touch is *mixed*: every boundary is densified to segments no longer than
   half a cell, and every cell that a segment's bounding box (widened by a tiny margin)
   reaches is marked.  A segment lies in its bounding box, so no boundary crosses or
   touches an unmarked cell.
2. An unmarked cell is therefore inside or outside each outline as a whole, and so is a
   run of unmarked cells side by side in a row (no boundary crosses the run), so all its
   points share the answer of the centre of its first cell, computed exactly (once, on
   first use).
3. Points in mixed cells (and off the grid) are tested exactly: candidate outlines by bounding box (an
   ``STRtree``), then ``shapely.intersects_xy`` on each prepared outline for its
   candidates only.

Coordinates are (lon, lat) in degrees, tested in the plane, as ``shapely`` does.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["CountryGrid"]

#: Codes stored in the grid besides outline indices (>= 0).
_NONE = -1  # decided: in no outline
_MIXED = -2  # a boundary may touch the cell: test each point
_UNKNOWN = -3  # not computed yet
#: Margin (degrees) by which a segment's box is widened when marking cells: covers the
#: rounding of ``floor((x - x0) / size)`` for points on a cell edge.
_EDGE_DEG = 1e-9


class CountryGrid:
    """Point-in-outline look-up over ``geoms`` (index of the first outline holding a point).

    The grid covers the bounding box of the points of the first :meth:`lookup` (plus a
    margin); points of later calls outside it are tested exactly.
    """

    def __init__(self, geoms: np.ndarray, *, cell_deg: float = 0.1) -> None:
        self.geoms = np.asarray(geoms, dtype=object)
        for g in self.geoms:
            shapely.prepare(g)
        self.tree = shapely.STRtree(self.geoms)
        self.cell_deg = float(cell_deg)
        self.x0 = self.y0 = 0.0
        self.nx = self.ny = 0  # built on the first lookup, over its points
        self.run_code = np.empty(0, dtype=np.int64)

    def _build(self, x: np.ndarray, y: np.ndarray) -> None:
        size = self.cell_deg
        self.x0 = float(np.floor(x.min() / size) - 2) * size
        self.y0 = float(np.floor(y.min() / size) - 2) * size
        self.nx = int(np.ceil(x.max() / size) - np.floor(x.min() / size)) + 4
        self.ny = int(np.ceil(y.max() / size) - np.floor(y.min() / size)) + 4
        self.cells = np.full((self.ny, self.nx), _UNKNOWN, dtype=np.int32)
        self._mark_boundaries()
        free = (self.cells != _MIXED).ravel()
        starts = free.copy()
        starts[1:] &= ~free[:-1]
        starts[:: self.nx] = free[:: self.nx]  # a run never continues onto the next row
        #: Run of unmarked cells holding each cell (-1 for mixed cells), row-major.
        self.run_of = np.where(free, np.cumsum(starts, dtype=np.int64) - 1, -1)
        self.run_first = np.flatnonzero(starts)  # first cell of each run (flat index)
        self.run_code = np.full(len(self.run_first), _UNKNOWN, dtype=np.int64)

    def _cell(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell of each point; -1 (both) for points off the grid."""
        cx = np.floor((x - self.x0) / self.cell_deg)
        cy = np.floor((y - self.y0) / self.cell_deg)
        off = (cx < 0) | (cx >= self.nx) | (cy < 0) | (cy >= self.ny) | ~np.isfinite(cx + cy)
        cx = np.where(off, -1, cx).astype(np.int64)
        cy = np.where(off, -1, cy).astype(np.int64)
        return cx, cy

    def _mark_boundaries(self) -> None:
        size = self.cell_deg
        box = (self.x0 - size, self.y0 - size, self.x0 + (self.nx + 1) * size,
               self.y0 + (self.ny + 1) * size)
        lines = shapely.clip_by_rect(shapely.boundary(self.geoms), *box)
        parts = shapely.get_parts(shapely.segmentize(lines, size / 2.0))
        xy, line = shapely.get_coordinates(parts, return_index=True)
        if not len(xy):
            return
        same = line[1:] == line[:-1]  # consecutive vertices of one line: a segment
        x1, y1, x2, y2 = xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same]
        lo_x, lo_y = self._clamped(np.minimum(x1, x2) - _EDGE_DEG, np.minimum(y1, y2) - _EDGE_DEG)
        hi_x, hi_y = self._clamped(np.maximum(x1, x2) + _EDGE_DEG, np.maximum(y1, y2) + _EDGE_DEG)
        cx, cy = self._clamped(xy[:, 0], xy[:, 1])
        self.cells[cy, cx] = _MIXED  # every vertex, also of one-point parts
        span = int(max((hi_x - lo_x).max(initial=0), (hi_y - lo_y).max(initial=0)))
        for dx in range(span + 1):
            for dy in range(span + 1):
                ok = (lo_x + dx <= hi_x) & (lo_y + dy <= hi_y)
                self.cells[lo_y[ok] + dy, lo_x[ok] + dx] = _MIXED

    def _clamped(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell of each point, clamped to the grid (marking: a segment leaving the grid
        marks the edge cells, a superset)."""
        cx = np.floor((x - self.x0) / self.cell_deg).astype(np.int64)
        cy = np.floor((y - self.y0) / self.cell_deg).astype(np.int64)
        return np.clip(cx, 0, self.nx - 1), np.clip(cy, 0, self.ny - 1)

    def exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the first outline intersecting each point (-1 for none), tested exactly."""
        out = np.full(len(x), _NONE, dtype=np.int64)
        if not len(x):
            return out
        pt, poly = self.tree.query(shapely.points(x, y))  # bounding boxes only
        if not len(pt):
            return out
        order = np.lexsort((pt, poly))
        pt, poly = pt[order], poly[order]
        hit = np.zeros(len(pt), dtype=bool)
        starts = np.flatnonzero(np.r_[True, poly[1:] != poly[:-1]])
        for s, e in zip(starts, [*starts[1:], len(poly)], strict=True):
            sel = pt[s:e]
            hit[s:e] = shapely.intersects_xy(self.geoms[poly[s]], x[sel], y[sel])
        pt, poly = pt[hit], poly[hit]
        best = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, pt, poly)  # the first outline in layer order
        found = best != np.iinfo(np.int64).max
        out[found] = best[found]
        return out

    def lookup(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the first outline intersecting each point (-1 for none)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        finite = np.isfinite(x) & np.isfinite(y)
        if self.nx == 0 and finite.any():
            self._build(x[finite], y[finite])
        cx, cy = self._cell(x, y)
        on_grid = cx >= 0
        run = np.full(len(x), -1, dtype=np.int64)
        if self.nx:
            run[on_grid] = self.run_of[cy[on_grid] * self.nx + cx[on_grid]]
        free = run >= 0
        todo = np.unique(run[free][self.run_code[run[free]] == _UNKNOWN])
        if len(todo):  # decide the runs seen for the first time, by their first cell
            ucy, ucx = np.divmod(self.run_first[todo], self.nx)
            centre_x = self.x0 + (ucx + 0.5) * self.cell_deg
            centre_y = self.y0 + (ucy + 0.5) * self.cell_deg
            decided = self.exact(centre_x, centre_y)
            back_x, back_y = self._cell(centre_x, centre_y)
            if np.any((back_x != ucx) | (back_y != ucy)):  # pragma: no cover - float guard
                raise AssertionError("a cell centre fell outside its cell")
            self.run_code[todo] = decided
        out = np.empty(len(x), dtype=np.int64)
        out[free] = self.run_code[run[free]]
        mixed = np.flatnonzero(~free)
        out[mixed] = self.exact(x[mixed], y[mixed])
        return out
