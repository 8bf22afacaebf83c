"""geo.near on a dask_geopandas frame, on a local dask.distributed cluster of two workers."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.proximity import near, prepare

try:
    import dask_geopandas
    from distributed import Client, LocalCluster
except ImportError as exc:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(f"dask tests skipped: {exc} (pip install 'corridor-atlas[dask]'; they run, "
                "and must pass, under CI=true)", allow_module_level=True)


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def points() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    return gpd.GeoDataFrame(
        {"name": [f"site {i}" for i in range(n)], "value": rng.uniform(0, 1, n)},
        crs="EPSG:4326",
        geometry=shapely.points(rng.uniform(30, 120, n), rng.uniform(20, 60, n)))


@pytest.fixture(scope="module")
def index():
    return prepare()


@pytest.mark.parametrize("within_km", [None, 100.0])
def test_near_on_a_dask_cluster_equals_the_in_memory_result(client, points, index, within_km):
    expected = near(points, index=index, within_km=within_km)
    ddf = dask_geopandas.from_geopandas(points, npartitions=4)
    lazy = near(ddf, index=index, within_km=within_km)
    assert isinstance(lazy, dask_geopandas.GeoDataFrame)
    got = lazy.compute()
    assert isinstance(got, gpd.GeoDataFrame)
    assert len(got) == len(expected) > 0
    # Dask stores text as its own string dtype (pyarrow-backed); values must be equal.
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(expected.drop(columns="geometry")),
                                  check_dtype=False, check_exact=True)
    assert got.geometry.equals(expected.geometry)


def test_dask_meta_matches_the_computed_columns(points, index):
    ddf = dask_geopandas.from_geopandas(points, npartitions=2)
    lazy = near(ddf, index=index)
    computed = lazy.compute(scheduler="sync")
    assert list(lazy.columns) == list(computed.columns)
    assert dict(lazy.dtypes) == dict(computed.dtypes)
