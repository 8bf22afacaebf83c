"""geo.near against a slow, exact geodesic point-to-line reference.

The reference densifies every geodesic segment to <= 100 m with ``Geod.npts`` and then
minimises the ``Geod.inv`` distance by golden-section search along the segment around the
best sample, so it is exact to well under a metre.  geo.near must agree to 0.1 %.
"""

from __future__ import annotations

import doctest
import itertools
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

import geo
from geo import proximity
from geo._errors import LayerError
from geo.proximity import near, prepare

GEOD = Geod(ellps="WGS84")
REL_TOL = 1e-3  # the accuracy requirement: 0.1 % of the exact geodesic distance

# Two synthetic corridors (lon, lat) sharing the vertex (60, 40), one long segment each way,
# plus a bent line; coordinates are arbitrary test geometry, not data.
EAST = [(60.0, 40.0), (70.0, 45.0), (80.0, 43.0), (87.6, 43.8)]
WEST = [(44.8, 41.7), (49.8, 40.4), (52.0, 42.0), (60.0, 40.0)]
BENT = [(30.0, 50.0), (35.0, 55.0), (40.0, 50.0)]


def make_corridors(lines: dict[str, list[tuple[float, float]]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": list(lines)}, crs="EPSG:4326",
                            geometry=[shapely.LineString(c) for c in lines.values()])


def make_points(lonlat: np.ndarray, **columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(columns), crs="EPSG:4326",
                            geometry=shapely.points(lonlat[:, 0], lonlat[:, 1]))


def _golden(f, lo: float, hi: float, iterations: int = 60) -> float:
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def exact_point_to_line(lon: float, lat: float, coords: list[tuple[float, float]]
                        ) -> tuple[float, float]:
    """(distance_km, along_km): exact geodesic distance to the line and position along it."""
    best = (math.inf, 0.0)
    offset_km = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        az, _, seg_m = GEOD.inv(lon1, lat1, lon2, lat2)
        n = max(2, int(seg_m / 100.0) + 2)
        ts = np.linspace(0.0, seg_m, n)
        xs, ys, _ = GEOD.fwd(np.full(n, lon1), np.full(n, lat1), np.full(n, az), ts)
        ds = GEOD.inv(np.full(n, lon), np.full(n, lat), xs, ys)[2]
        k = int(np.argmin(ds))

        def dist(t: float, lon1: float = lon1, lat1: float = lat1, az: float = az) -> float:
            x, y, _ = GEOD.fwd(lon1, lat1, az, t)
            return GEOD.inv(lon, lat, x, y)[2]

        t = _golden(dist, ts[max(k - 1, 0)], ts[min(k + 1, n - 1)])
        d = min(dist(t), ds[k])
        if d / 1000 < best[0]:
            best = (d / 1000, offset_km + (t if dist(t) <= ds[k] else ts[k]) / 1000)
        offset_km += seg_m / 1000
    return best


def exact_nearest(lon: float, lat: float, lines: dict[str, list[tuple[float, float]]]
                  ) -> tuple[str, float, float]:
    results = {cid: exact_point_to_line(lon, lat, c) for cid, c in lines.items()}
    cid = min(results, key=lambda k: results[k][0])
    return cid, *results[cid]


LINES = {"east": EAST, "west": WEST, "bent": BENT}


@pytest.fixture(scope="module")
def index() -> proximity.CorridorIndex:
    return prepare(corridors=make_corridors(LINES), with_country=False)


def _sample_points() -> np.ndarray:
    rng = np.random.default_rng(7)
    near_line = []
    for coords in LINES.values():
        arr = np.asarray(coords)
        for _ in range(12):  # within ~0-60 km of a random place on the line
            k = rng.integers(0, len(arr) - 1)
            t = rng.uniform()
            base = arr[k] + t * (arr[k + 1] - arr[k])
            near_line.append(base + rng.normal(0, 0.3, 2))
    # 250-450 km off each line, beside the first and last segments (the coarse search)
    offset = []
    for coords in LINES.values():
        for (lon1, lat1), (lon2, lat2) in ((coords[0], coords[1]), (coords[-1], coords[-2])):
            az, _, seg = GEOD.inv(lon1, lat1, lon2, lat2)
            for frac, side, dist_m in ((0.03, 90, 330e3), (0.1, -90, 450e3), (0.2, 90, 250e3)):
                x, y, _ = GEOD.fwd(lon1, lat1, az, frac * seg)
                az_here = GEOD.inv(x, y, lon2, lat2)[0]
                px, py, _ = GEOD.fwd(x, y, az_here + side, dist_m)
                offset.append((px, py))
    far = np.vstack([np.column_stack([rng.uniform(-170, 170, 20), rng.uniform(-75, 75, 20)]),
                     offset])
    special = np.array([
        [60.0, 40.0],      # exactly on the shared vertex
        [65.0, 42.5],      # close to the middle of a long segment
        [95.0, 44.0],      # beyond the east end: nearest is the end vertex
        [35.0, 56.5],      # outside the bend's apex
        [35.0, 52.0],      # inside the bend, between both arms
        [-110.0, -40.0],   # near the antipode of the lines, > 15,000 km away
        [70.0, 80.0],      # high Arctic
    ])
    return np.vstack([near_line, far, special])


def test_distance_matches_exact_geodesic_within_0_1_percent(index):
    pts = _sample_points()
    out = near(make_points(pts), index=index)
    assert len(out) == len(pts)
    for (lon, lat), got_id, got_km in zip(pts, out["corridor_id"], out["distance_km"],
                                          strict=True):
        cid, exact_km, _ = exact_nearest(lon, lat, LINES)
        assert got_km == pytest.approx(exact_km, rel=REL_TOL, abs=1e-6), (lon, lat)
        if got_id != cid:  # only a tie may pick another corridor
            assert exact_point_to_line(lon, lat, LINES[got_id])[0] == pytest.approx(
                exact_km, rel=1e-9, abs=1e-6)


def test_position_along_matches_exact_for_points_near_the_line(index):
    pts = _sample_points()[:36]
    out = near(make_points(pts), index=index)
    for (lon, lat), cid, dist_km, pos_km in zip(pts, out["corridor_id"], out["distance_km"],
                                                out["position_km"], strict=True):
        _, exact_pos = exact_point_to_line(lon, lat, LINES[cid])
        # the foot of a point d km away is well defined to a small fraction of d
        assert pos_km == pytest.approx(exact_pos, abs=0.01 + 0.002 * dist_km), (lon, lat)


def test_position_is_measured_from_the_corridor_start_up_to_its_geodesic_length(index):
    east_km = GEOD.line_length([c[0] for c in EAST], [c[1] for c in EAST]) / 1000
    pts = np.array([[60.0, 40.0], [87.6, 43.8], [88.5, 44.5]])
    out = near(make_points(pts), corridors=make_corridors({"east": EAST}),
               with_country=False)
    assert out["position_km"].tolist() == pytest.approx([0.0, east_km, east_km], abs=1e-6)
    assert out["distance_km"].iloc[:2].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)


def test_within_km_keeps_exactly_the_points_at_most_that_far(index):
    pts = make_points(_sample_points(), name=[f"p{i}" for i in range(len(_sample_points()))])
    everything = near(pts, index=index)
    kept = near(pts, index=index, within_km=50)
    assert 0 < len(kept) < len(everything)
    expected = everything[everything["distance_km"] <= 50]
    assert kept.index.tolist() == expected.index.tolist()
    assert kept["name"].tolist() == expected["name"].tolist()


def test_near_keeps_the_input_index_and_columns_and_reprojects(index):
    pts = make_points(np.array([[65.0, 42.5], [50.0, 41.0]]), name=["a", "b"])
    pts.index = [10, 20]
    out = near(pts, index=index)
    assert out.index.tolist() == [10, 20]
    assert out["name"].tolist() == ["a", "b"]
    projected = near(pts.to_crs("EPSG:3857"), index=index)
    assert projected["distance_km"].tolist() == pytest.approx(out["distance_km"].tolist(),
                                                              rel=1e-9)


@pytest.mark.parametrize("geometry, message", [
    (None, "missing"),
    (shapely.Point(), "missing"),
    (shapely.LineString([(60, 40), (61, 41)]), "not a Point"),
    (shapely.Point(200, 40), "out of range"),
])
def test_bad_geometries_are_reported_with_their_row(index, geometry, message):
    pts = gpd.GeoDataFrame({"k": [0, 1]}, crs="EPSG:4326",
                           geometry=[shapely.Point(60, 40), geometry])
    with pytest.raises(LayerError, match=message) as err:
        near(pts, index=index)
    assert err.value.problems[0].index == 1


def test_existing_output_columns_are_not_overwritten_silently(index):
    pts = make_points(np.array([[65.0, 42.5]]), distance_km=[1.0])
    with pytest.raises(LayerError, match="overwrite=True"):
        near(pts, index=index)
    out = near(pts, index=index, overwrite=True)
    assert out["distance_km"].iloc[0] > 1.0


def test_within_km_must_be_non_negative(index):
    with pytest.raises(ValueError, match="within_km"):
        near(make_points(np.array([[65.0, 42.5]])), index=index, within_km=-1)


def test_chunking_does_not_change_results(index):
    pts = make_points(_sample_points())
    whole = near(pts, index=index)
    parts = near(pts, index=index, chunk_points=7, progress=lambda n: None)
    assert parts["distance_km"].tolist() == whole["distance_km"].tolist()
    assert parts["position_km"].tolist() == whole["position_km"].tolist()


def test_empty_input_gives_empty_output_with_the_columns(index):
    out = near(make_points(np.empty((0, 2))), index=index)
    assert len(out) == 0
    assert set(proximity.NEAR_COLUMNS) <= set(out.columns)


# ----------------------------------------------------------------------------- real layers


@pytest.fixture(scope="module")
def real_index() -> proximity.CorridorIndex:
    return prepare()


def test_country_is_found_by_point_in_polygon_and_null_at_sea(real_index):
    # City centres (approximate) and two points in open water.
    pts = make_points(np.array([[76.95, 43.25],    # Almaty
                                [69.24, 41.30],    # Tashkent
                                [87.62, 43.83],    # Urumqi
                                [51.0, 42.0],      # Caspian Sea
                                [34.0, 43.0]]))    # Black Sea
    out = near(pts, index=real_index)
    assert out["country"].iloc[:3].tolist() == ["KAZ", "UZB", "CHN"]
    assert out["country"].iloc[3:].isna().all()


def test_country_lookup_can_be_skipped_with_a_prepared_index(real_index):
    out = near(make_points(np.array([[76.95, 43.25]])), index=real_index, with_country=False)
    assert out["country"].isna().all()
    assert out["distance_km"].notna().all()


def test_real_corridors_give_links_of_that_corridor_and_positions_within_its_length(
        real_index):
    corridors = geo.corridors().set_index("id")
    rng = np.random.default_rng(3)
    pts = make_points(np.column_stack([rng.uniform(30, 120, 500), rng.uniform(25, 55, 500)]))
    out = near(pts, index=real_index)
    for cid, cids, link_id, pos_km in zip(out["corridor_id"], out["corridor_ids"],
                                          out["link_id"], out["position_km"], strict=True):
        assert cid in cids.split(",")
        assert link_id in corridors.at[cid, "link_ids"]
        assert 0.0 <= pos_km <= corridors.at[cid, "geodesic_length_km"] + 0.01


def test_links_are_oriented_along_the_corridor_for_positions():
    # One corridor a -> b -> c whose second link is stored c -> b.
    links = gpd.GeoDataFrame(
        {"id": ["ab", "cb"], "from_id": ["a", "c"], "to_id": ["b", "b"]}, crs="EPSG:4326",
        geometry=[shapely.LineString([(60, 40), (65, 40)]),
                  shapely.LineString([(70, 40), (65, 40)])])
    corridors = gpd.GeoDataFrame({"id": ["abc"], "nodes": [["a", "b", "c"]],
                                  "link_ids": [["ab", "cb"]]}, geometry=[None], crs="EPSG:4326")
    # Points on the links' geodesics: 100 km from c along cb, 100 km from a along ab.
    az_cb, _, cb_m = GEOD.inv(70, 40, 65, 40)
    az_ab, _, ab_m = GEOD.inv(60, 40, 65, 40)
    x1, y1, _ = GEOD.fwd(70, 40, az_cb, 100_000)
    x2, y2, _ = GEOD.fwd(60, 40, az_ab, 100_000)
    out = near(make_points(np.array([[x1, y1], [x2, y2]])), corridors=corridors,
               links=links, with_country=False)
    assert out["link_id"].tolist() == ["cb", "ab"]
    # within 1 cm: between vertices the foot is taken on the conformal-sphere arc
    assert out["distance_km"].tolist() == pytest.approx([0, 0], abs=1e-5)
    assert out["position_km"].tolist() == pytest.approx(
        [(ab_m + cb_m - 100_000) / 1000, 100.0], abs=1e-5)


def test_unknown_link_in_a_corridor_is_reported():
    links = gpd.GeoDataFrame({"id": ["ab"], "from_id": ["a"], "to_id": ["b"]},
                             crs="EPSG:4326", geometry=[shapely.LineString([(60, 40), (65, 40)])])
    corridors = gpd.GeoDataFrame({"id": ["c1"], "nodes": [["a", "b", "c"]],
                                  "link_ids": [["ab", "bc"]]}, geometry=[None], crs="EPSG:4326")
    with pytest.raises(LayerError, match="'bc' is not in the links layer"):
        prepare(corridors=corridors, links=links, with_country=False)


def test_module_docstring_examples_run():
    from geo import readers
    from geo.maps import _pointlayer

    for module in (proximity, readers, _pointlayer):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
