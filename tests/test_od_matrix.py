"""The fast OD matrix gives exactly the figures of ``route()`` pair by pair.

``od_matrix`` shares one shortest-path tree per origin and costs every route with one set of
Monte Carlo draws; these tests hold it to the slow, obvious computation: ``route()`` for each
pair, and a full stable sort of the draws for the percentiles.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from netbuilders import line_world

from geo._errors import RoutingError
from geo.layers import layer_dir
from geo.routing.estimate import (
    DWELL_KEYS,
    Exposure,
    _cost,
    _cost_many,
    _features,
    _rank,
    _ranked,
    estimate,
    estimate_many,
)
from geo.routing.paths import od_matrix, route
from geo.routing.scenarios import load_scenario
from geo.schema import Mode

HAVE_LAYERS = (layer_dir() / "nodes.geojson").exists()
FIGURES = ("distance_km", "transit_days", "p10_days", "p90_days", "all_likely_days",
           "moving_h", "dwell_h")


def _route_figures(r) -> dict[str, float]:
    days = r.estimate.days()
    return {"distance_km": r.distance_km, "transit_days": days["transit_days"],
            "p10_days": days["p10_days"], "p90_days": days["p90_days"],
            "all_likely_days": days["all_likely_days"], "moving_h": r.moving_h,
            "dwell_h": r.dwell_h}


def _assert_matrix_equals_routes(m, places, **kw) -> int:
    checked = 0
    for row, (o, d) in zip(m.itertuples(index=False), itertools.product(places, places),
                           strict=True):
        try:
            r = route(o, d, **kw)
        except RoutingError:
            assert row.note in ("same place", "not connected")
            assert all(math.isnan(getattr(row, f)) for f in FIGURES)
            continue
        want = _route_figures(r)
        got = {f: getattr(row, f) for f in FIGURES}
        assert got == want, (o, d)  # exactly, not approximately
        checked += 1
    return checked


def test_matrix_equals_route_pair_by_pair_on_a_built_world() -> None:
    net = line_world()
    places = sorted(net.graph.nodes)
    m = od_matrix(places, places, network=net, n_draws=300, seed=3)
    assert _assert_matrix_equals_routes(m, places, network=net, n_draws=300, seed=3) > 0


@pytest.mark.skipif(not HAVE_LAYERS, reason="curated layers not present")
@pytest.mark.parametrize("optimize", ["time", "distance"])
def test_matrix_equals_route_on_a_sample_of_curated_pairs(optimize: str) -> None:
    import geo

    ids = list(geo.nodes()["id"])
    rng = np.random.default_rng(11)
    places: list = [ids[i] for i in rng.choice(len(ids), 6, replace=False)]
    places += [(76.9, 43.25), (58.4, 37.95)]  # (lon, lat) points, snapped to their nodes
    m = od_matrix(places, places, optimize=optimize, n_draws=200, seed=5)
    checked = _assert_matrix_equals_routes(m, places, optimize=optimize, n_draws=200, seed=5)
    assert checked >= 10


@pytest.mark.skipif(not HAVE_LAYERS, reason="curated layers not present")
@pytest.mark.parametrize("scenario", ["official", "disrupted"])
def test_matrix_equals_route_through_ports_ferries_and_gauge_breaks(scenario: str) -> None:
    """Routes that start or end at sea, cross the Caspian and change gauge: the legs the
    matrix builds along each shortest-path tree (port handling at the first and last sea
    step, transfers, merged legs) must cost exactly what route() costs."""
    import geo

    nodes = geo.nodes()
    places: list = ["shanghai_port", "rotterdam_port", "poti_port"]  # sea legs at both ends
    for kind in ("sea_port", "gauge_change", "border_crossing"):
        places += list(nodes.loc[nodes["kind"] == kind, "id"])[:3]
    m = od_matrix(places, places, scenario=scenario, n_draws=100, seed=2)
    checked = _assert_matrix_equals_routes(m, places, scenario=scenario, n_draws=100, seed=2)
    assert checked >= 30


def _exposures() -> st.SearchStrategy[Exposure]:
    km = st.floats(0.0, 20000.0, allow_subnormal=False)
    return st.builds(
        Exposure,
        st.dictionaries(st.sampled_from([m.value for m in Mode]), km, max_size=4),
        st.dictionaries(st.sampled_from(list(DWELL_KEYS)), st.integers(0, 6).map(float),
                        max_size=5),
        st.one_of(st.just(0.0), km))


@settings(max_examples=60, deadline=None)
@given(st.lists(_exposures(), min_size=1, max_size=8), st.integers(1, 300),
       st.integers(0, 2**32 - 1))
def test_many_estimates_equal_one_by_one(exposures: list[Exposure], n_draws: int,
                                         seed: int) -> None:
    sc = load_scenario("official")
    many = estimate_many(exposures, scenario=sc, n_draws=n_draws, seed=seed)
    for exp, est in zip(exposures, many, strict=True):
        one = estimate(exp, scenario=sc, n_draws=n_draws, seed=seed)
        assert est == one
        # the slow way: cost the draws one exposure at a time and sort them all
        from geo.routing.estimate import _draws

        draws = _draws(sc, n_draws=n_draws, seed=seed)
        m, d = (np.broadcast_to(np.asarray(a, dtype=float), (n_draws,))
                for a in _cost(exp, draws))
        total = m + d
        order = np.argsort(total, kind="stable")
        mid = order[_rank(50, n_draws)]
        assert est.p10_h == total[order[_rank(10, n_draws)]]
        assert est.p50_h == total[mid]
        assert est.p90_h == total[order[_rank(90, n_draws)]]
        assert (est.moving_h, est.dwell_h) == (m[mid], d[mid])


@settings(max_examples=60, deadline=None)
@given(st.lists(_exposures(), min_size=1, max_size=6))
def test_cost_of_many_equals_cost_of_each(exposures: list[Exposure]) -> None:
    sc = load_scenario("observed")
    from geo.routing.estimate import _draws

    draws = _draws(sc, n_draws=50, seed=1)
    m_all, d_all = _cost_many(_features(exposures), draws)
    for i, exp in enumerate(exposures):
        m, d = _cost(exp, draws)
        assert np.array_equal(m_all[i], np.broadcast_to(m, (50,)))
        assert np.array_equal(d_all[i], np.broadcast_to(d, (50,)))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 40)),
              elements=st.integers(0, 4).map(float)))
def test_ranked_picks_what_a_stable_sort_picks(total: np.ndarray) -> None:
    n = total.shape[1]
    ranks = sorted({_rank(q, n) for q in (10, 50, 90)})
    got = _ranked(total, ranks)
    order = np.argsort(total, axis=1, kind="stable")
    for rank, (value, column) in zip(ranks, got, strict=True):
        assert np.array_equal(column, order[:, rank])  # many ties: small integer values
        assert np.array_equal(value, total[np.arange(len(total)), order[:, rank]])
