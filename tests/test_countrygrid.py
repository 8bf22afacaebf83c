"""The country grid answers exactly what testing every outline answers.

Reference: ``shapely.intersects`` of each point with each outline, the first outline in layer
order winning (what ``geo.near`` did before the grid).  Points: random over the corridor
region, every kind of border case (outline vertices, points a hair off them, cell corners),
and generated outlines that overlap, touch and have holes.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo._countrygrid import CountryGrid
from geo.layers import layer_dir


def _slow(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.full(len(x), -1, dtype=np.int64)
    for i in range(len(x)):
        p = shapely.Point(x[i], y[i])
        for k, g in enumerate(geoms):
            if g.intersects(p):
                out[i] = k
                break
    return out


@pytest.mark.skipif(not (layer_dir() / "countries.geojson").exists(), reason="no outlines")
def test_grid_equals_exact_test_on_the_bundled_outlines() -> None:
    import geo

    geoms = geo.countries().geometry.to_numpy()
    rng = np.random.default_rng(7)
    n = 1500
    xs = [rng.uniform(30, 120, n)]
    ys = [rng.uniform(28, 52, n)]
    verts = shapely.get_coordinates(shapely.boundary(geoms))
    pick = verts[rng.choice(len(verts), 600)]
    xs += [pick[:, 0], pick[:, 0] + rng.normal(0, 1e-5, 600)]
    ys += [pick[:, 1], pick[:, 1] + rng.normal(0, 1e-5, 600)]
    corners = rng.integers(0, 900, (300, 2)) / 10.0  # cell corners and edges (0.1 deg cells)
    xs.append(30 + corners[:, 0])
    ys.append(28 + corners[:, 1] / 3.75)
    x, y = np.concatenate(xs), np.concatenate(ys)
    grid = CountryGrid(geoms)
    want = _slow(geoms, x, y)
    assert np.array_equal(grid.lookup(x, y), want)
    assert np.array_equal(grid.lookup(x, y), want)  # again, from the decided cells
    assert (want >= 0).sum() > 1000 and (want == -1).sum() > 0  # both kinds were tested


def _polygon(cx: float, cy: float, r: float, k: int, hole: bool) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    shell = np.c_[cx + r * np.cos(angles), cy + 0.7 * r * np.sin(angles)]
    holes = [np.c_[cx + 0.3 * r * np.cos(angles), cy + 0.2 * r * np.sin(angles)]] if hole else []
    return shapely.Polygon(shell, holes)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5), st.floats(0.05, 4),
                          st.integers(3, 40), st.booleans()), min_size=1, max_size=5),
       st.sampled_from([0.1, 0.25, 1.0]), st.integers(0, 2**32 - 1))
def test_grid_equals_exact_test_on_generated_outlines(shapes, cell_deg: float,
                                                     seed: int) -> None:
    geoms = np.array([_polygon(*s) for s in shapes], dtype=object)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, 400)
    y = rng.uniform(-10, 10, 400)
    verts = shapely.get_coordinates(geoms)
    x = np.r_[x, verts[:, 0], np.round(x[:50] / cell_deg) * cell_deg]
    y = np.r_[y, verts[:, 1], np.round(y[:50] / cell_deg) * cell_deg]
    grid = CountryGrid(geoms, cell_deg=cell_deg)
    want = _slow(geoms, x, y)
    first = x < 0  # the grid covers these points' box; the others are partly off the grid
    assert np.array_equal(grid.lookup(x[first], y[first]), want[first])
    assert np.array_equal(grid.lookup(x, y), want)
