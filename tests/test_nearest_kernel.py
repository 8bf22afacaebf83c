"""The numeric kernel of geo.near: the bounds it rests on, and the cell grid's promise.

* The conformal-sphere bounds (``A K_LO theta <= d <= A K_HI theta``) and the error
  allowances of both distance estimates hold against ``Geod.inv`` on random pairs.
* Every vertex a point keeps when it looks at *all* vertices is in its cell's list
  (Hypothesis: generated lines anywhere on the globe, points near them, far from them,
  on cell edges, at the poles and the antimeridian).
* The grid's answer equals the answer of refining every segment, from one thread or many,
  and after pickling (Dask ships the index).
"""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import _conformal as conf
from geo import _nearcells
from geo._nearest import PolylineIndex
from geo.measure import GEOD


def _random_pairs(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-180, 180, n)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    az = rng.uniform(0, 360, n)
    dist_m = np.exp(rng.uniform(np.log(10.0), np.log(1.99e7), n))
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist_m)
    _, _, d_m = GEOD.inv(lon, lat, lon2, lat2)
    return lon, lat, lon2, lat2, np.asarray(d_m) / 1000.0


def test_sphere_bounds_and_estimate_errors_hold_against_geod() -> None:
    lon, lat, lon2, lat2, d_km = _random_pairs(200_000, seed=11)
    p, q = conf.unit(lon, lat), conf.unit(lon2, lat2)
    theta = conf.angle(p, q)
    assert np.all(conf.A_KM * conf.K_LO * theta <= d_km * (1 + 1e-12) + 1e-9)
    assert np.all(d_km <= conf.A_KM * conf.K_HI * theta * (1 + 1e-12) + 1e-9)
    trap = conf.trap_km(theta, conf.inv_scale(p[:, 2]), conf.inv_scale(q[:, 2]))
    assert np.all(np.abs(trap - d_km) <= conf.trap_rel(d_km) * d_km + 1e-9)
    est = conf.est_km(p, q)
    assert np.all(np.abs(est - d_km) <= conf.est_rel(est) * d_km + 1e-9)


def test_round_trip_through_the_conformal_sphere() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(-180, 180, 10_000)
    lat = rng.uniform(-89.9, 89.9, 10_000)
    back_lon, back_lat = conf.lonlat(conf.unit(lon, lat))
    assert np.allclose(back_lon, lon, atol=1e-9) and np.allclose(back_lat, lat, atol=1e-9)


@given(a=st.floats(0, 25_000), b=st.floats(0, 25_000), half=st.floats(0, 100))
def test_keep_limit_never_decreases_and_covers_the_best(a: float, b: float,
                                                         half: float) -> None:
    lo, hi = sorted((a, b))
    limit = conf.keep_limit_km(np.array([lo, hi]), half)
    assert limit[0] <= limit[1]
    assert limit[0] >= lo


# -- the cell grid -----------------------------------------------------------------------

def _all_kept(index: PolylineIndex, lon: np.ndarray, lat: np.ndarray, *, far: bool
              ) -> np.ndarray:
    """Mask (point x vertex) of what each point keeps when it looks at every vertex of the
    set (dense, or coarse when ``far``); coarse columns are the coarse vertices."""
    verts = index.coarse if far else np.arange(len(index.lon))
    p = conf.unit(lon, lat)
    theta = np.arccos(np.clip(p @ index.xyz[verts].T, -1, 1))
    est = conf.trap_km(theta, conf.inv_scale(p[:, 2])[:, None], index.k_vert[verts][None, :])
    half = index.half_coarse_km if far else index.half_dense_km
    return est <= conf.keep_limit_km(est.min(axis=1), half)[:, None] * (1 - 1e-12)


def _in_cell(lon: float, lat: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """The corners of the cell holding (lon, lat) and random points inside it."""
    size = _nearcells.CELL_DEG
    key = _nearcells.CandidateGrid.keys(np.array([lon]), np.array([lat]))[0]
    lon0, lat0 = -180 + (key % _nearcells._NX) * size, -90 + (key // _nearcells._NX) * size
    u = np.r_[[0, 1, 0, 1], rng.uniform(0, 1, 40)]
    v = np.r_[[0, 0, 1, 1], rng.uniform(0, 1, 40)]
    # A hair inside the far edges, which belong to the next cell.
    return (np.minimum(lon0 + u * size, lon0 + size * (1 - 1e-9)),
            np.minimum(lat0 + v * size, np.minimum(lat0 + size * (1 - 1e-9), 90.0)))


def _brute(index: PolylineIndex, lon: np.ndarray, lat: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Piece and distance from refining every dense segment of every point."""
    n_vert = len(index.lon)
    pts = np.repeat(np.arange(len(lon)), n_vert)
    segs = np.tile(np.arange(n_vert), len(lon))
    piece, dist, _ = index._refine(lon, lat, conf.unit(lon, lat), pts, segs,
                                   index.seg_end[segs])
    return piece, dist


#: Far points (over FAR_KM from every vertex) are measured to coarse arcs, which bow from
#: the geodesic by under 0.25 m on arcs up to 60 km (measured on 20,000 random arcs), so
#: they may differ from the dense segments by 0.25 m / 100 km.
FAR_REL = 0.25e-3 / _nearcells.FAR_KM

coord_lon = st.floats(-180, 180, allow_nan=False)
coord_lat = st.floats(-89.5, 89.5, allow_nan=False)


@st.composite
def lines_and_points(draw: st.DrawFn) -> tuple[list[np.ndarray], np.ndarray]:
    lon0, lat0 = draw(coord_lon), draw(st.floats(-80, 80))
    span = draw(st.sampled_from([0.5, 5.0, 30.0]))
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(1, 5))
        offsets = draw(st.lists(st.tuples(st.floats(-span, span), st.floats(-span, span)),
                                min_size=n, max_size=n))
        coords = np.array([(((lon0 + dx + 180) % 360) - 180, np.clip(lat0 + dy, -89, 89))
                           for dx, dy in offsets])
        lines.append(coords)
    near = np.array([(c[0] + dx, c[1] + dy) for c, (dx, dy) in zip(
        draw(st.lists(st.sampled_from([tuple(v) for line in lines for v in line]),
                      min_size=1, max_size=4)),
        draw(st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=4, max_size=4)),
        strict=False)])
    near[:, 0] = ((near[:, 0] + 180) % 360) - 180
    near[:, 1] = np.clip(near[:, 1], -90, 90)
    anywhere = np.array(draw(st.lists(st.tuples(coord_lon, st.floats(-90, 90)),
                                      min_size=1, max_size=4)))
    # On cell edges and corners, and the edges of the globe.
    edges = np.array(draw(st.lists(st.tuples(st.integers(-1800, 1800), st.integers(-900, 900)),
                                   min_size=1, max_size=3)), dtype=float) * 0.1
    return lines, np.vstack([near, anywhere, edges, [[180.0, 90.0], [-180.0, -90.0]]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=lines_and_points())
def test_every_cell_lists_what_its_points_keep(case: tuple[list[np.ndarray], np.ndarray]
                                               ) -> None:
    lines, points = case
    index = PolylineIndex(lines)
    rng = np.random.default_rng(0)
    for lon, lat in points:
        lons, lats = _in_cell(lon, lat, rng)
        start, count, far, cand = index.grid.lookup(lons, lats)
        for mode in (False, True):
            rows = np.flatnonzero(far == mode)
            if not len(rows):
                continue
            verts = index.coarse if mode else np.arange(len(index.lon))
            kept = _all_kept(index, lons[rows], lats[rows], far=mode)
            for row, mask in zip(rows, kept, strict=True):
                listed = cand[start[row]:start[row] + count[row]]
                assert np.isin(verts[mask], listed).all(), (lons[row], lats[row], mode)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=lines_and_points())
def test_grid_answer_equals_refining_every_segment(case: tuple[list[np.ndarray], np.ndarray]
                                                  ) -> None:
    lines, points = case
    index = PolylineIndex(lines)
    got = index.query(points[:, 0], points[:, 1])
    _, dist = _brute(index, points[:, 0], points[:, 1])
    assert np.all(np.abs(got.distance_km - dist) <= FAR_REL * dist + 1e-9)


def test_bundled_corridors_equal_refining_every_segment_on_a_global_sample() -> None:
    from geo.proximity import prepare

    index = prepare(with_country=False).lines
    assert index is not None
    rng = np.random.default_rng(5)
    lon = np.r_[rng.uniform(-180, 180, 150), rng.uniform(30, 120, 150)]
    lat = np.r_[np.degrees(np.arcsin(rng.uniform(-1, 1, 150))), rng.uniform(28, 52, 150)]
    got = index.query(lon, lat)
    _, dist = _brute(index, lon, lat)
    assert np.all(np.abs(got.distance_km - dist) <= FAR_REL * dist + 1e-9)


def test_threads_sharing_a_fresh_index_agree_with_one_thread() -> None:
    rng = np.random.default_rng(9)
    lines = [np.array([[60.0, 40.0], [70.0, 45.0], [80.0, 43.0]]),
             np.array([[30.0, 50.0], [35.0, 55.0], [40.0, 50.0]])]
    lon, lat = rng.uniform(20, 90, 40_000), rng.uniform(30, 60, 40_000)
    single = PolylineIndex(lines).query(lon, lat)
    shared = PolylineIndex(lines)
    blocks = np.array_split(np.arange(len(lon)), 16)
    with ThreadPoolExecutor(max_workers=4) as pool:
        parts = list(pool.map(lambda b: shared.query(lon[b], lat[b]), blocks))
    assert np.array_equal(np.concatenate([p.piece for p in parts]), single.piece)
    assert np.array_equal(np.concatenate([p.distance_km for p in parts]), single.distance_km)
    store = shared.grid._stores[-1]
    cells = np.unique(shared.grid.keys(lon, lat))
    assert store.n_slots == len(cells)  # each cell stored once, whichever thread made it
    assert np.all(store.slot[cells] >= 0)


def test_index_pickles_without_its_grid_and_answers_the_same() -> None:
    index = PolylineIndex([np.array([[10.0, 10.0], [12.0, 11.0]])])
    before = index.query(np.array([11.0, 50.0]), np.array([12.0, -20.0]))
    clone = pickle.loads(pickle.dumps(index))
    assert clone._grid is None
    after = clone.query(np.array([11.0, 50.0]), np.array([12.0, -20.0]))
    assert np.array_equal(before.distance_km, after.distance_km)


def test_points_out_of_range_get_no_answer() -> None:
    index = PolylineIndex([np.array([[10.0, 10.0], [12.0, 11.0]])])
    res = index.query(np.array([np.nan, 181.0, 11.0]), np.array([0.0, 0.0, 95.0]))
    assert res.piece.tolist() == [-1, -1, -1] and np.isnan(res.distance_km).all()


@pytest.mark.parametrize("cell", [(0.0, 0.0), (179.95, 89.95), (-180.0, -90.0)])
def test_cell_radius_covers_the_corners(cell: tuple[float, float]) -> None:
    key = _nearcells.CandidateGrid.keys(np.array([cell[0]]), np.array([cell[1]]))
    ix, iy = key % _nearcells._NX, key // _nearcells._NX
    centre, rho = _nearcells._cell_shape(ix, iy, _nearcells.CELL_DEG)
    rng = np.random.default_rng(1)
    lon0 = -180 + ix[0] * _nearcells.CELL_DEG
    lat0 = -90 + iy[0] * _nearcells.CELL_DEG
    lons = lon0 + rng.uniform(0, _nearcells.CELL_DEG, 2000)
    lats = np.minimum(lat0 + rng.uniform(0, _nearcells.CELL_DEG, 2000), 90)
    inside = conf.angle(np.repeat(centre, 2000, axis=0), conf.unit(lons, lats))
    assert inside.max() <= rho[0]


def test_coarse_arcs_bow_less_than_the_allowance_from_the_geodesic() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-85, 85, n)
    az, length_m = rng.uniform(0, 360, n), rng.uniform(1e3, 60e3, n)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, length_m)
    mid_lon, mid_lat, _ = GEOD.fwd(lon, lat, az, length_m / 2)
    a, b, mid = conf.unit(lon, lat), conf.unit(lon2, lat2), conf.unit(mid_lon, mid_lat)
    normal = np.cross(a, b)
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    bow_km = np.abs((mid * normal).sum(axis=1)) * conf.A_KM
    assert bow_km.max() < FAR_REL * _nearcells.FAR_KM
