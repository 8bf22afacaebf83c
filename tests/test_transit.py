"""The transit-time model: arithmetic, monotonicity, units, scenarios and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo._errors import ScenarioError
from geo.routing.estimate import Exposure, estimate, moving_dwell_at, moving_dwell_h
from geo.routing.scenarios import PARAM_KEYS, bundled_scenarios, load_scenario


def official(**overrides: object):
    return load_scenario("official", overrides=overrides or None)


def test_bundled_scenarios_load_and_every_value_has_a_source() -> None:
    assert {"official", "observed", "disrupted"} <= set(bundled_scenarios())
    for name in ("official", "observed", "disrupted"):
        sc = load_scenario(name)
        assert set(sc.params) == set(PARAM_KEYS)
        for key, p in sc.params.items():
            assert p.low <= p.likely <= p.high, key
            assert p.sources and all(t and u.startswith("http") for t, u in p.sources), key


def test_disrupted_closes_the_red_sea() -> None:
    assert {"suez", "babalmandab"} <= set(load_scenario("disrupted").closed_passages)
    assert load_scenario("official").closed_passages == ()


def test_moving_time_is_distance_over_speed_in_hours() -> None:
    sc = official(**{"speed_kmh.rail": 40})
    moving, dwell = moving_dwell_h(Exposure({"rail": 1000.0}), scenario=sc)
    assert moving == pytest.approx(25.0)  # 1,000 km / 40 km/h
    assert dwell == 0.0


def test_times_add_up_over_legs() -> None:
    sc = official()
    a = Exposure({"rail": 1200.0}, {"border_rail": 1})
    b = Exposure({"ferry": 420.0}, {"ferry_port": 1})
    c = Exposure({"sea": 2000.0}, {"sea_port": 2}, port_call_km=2000.0)
    parts = [sum(moving_dwell_h(x, scenario=sc)) for x in (a, b, c)]
    assert sum(moving_dwell_h(a + b + c, scenario=sc)) == pytest.approx(sum(parts))


def test_port_calls_scale_with_sea_distance() -> None:
    sc = official(**{"rate.port_calls_per_1000km": 0.5, "dwell_h.port_call": 24})
    _, dwell = moving_dwell_h(Exposure({"sea": 10_000.0}, port_call_km=10_000.0), scenario=sc)
    assert dwell == pytest.approx(5 * 24)


@pytest.mark.parametrize("km", [100.0, 1000.0, 5000.0])
def test_monotone_in_distance(km: float) -> None:
    sc = official()
    short = estimate(Exposure({"rail": km}), scenario=sc, n_draws=200)
    long = estimate(Exposure({"rail": km * 1.5}), scenario=sc, n_draws=200)
    assert long.all_likely_h > short.all_likely_h
    assert long.total_h > short.total_h
    assert long.p10_h > short.p10_h and long.p90_h > short.p90_h


def test_monotone_in_dwell() -> None:
    exp = Exposure({"rail": 3000.0}, {"border_rail": 2})
    low = estimate(exp, scenario=official(**{"dwell_h.border_rail": 5}), n_draws=200)
    high = estimate(exp, scenario=official(**{"dwell_h.border_rail": 50}), n_draws=200)
    assert high.all_likely_h - low.all_likely_h == pytest.approx(2 * 45)
    assert high.total_h - low.total_h == pytest.approx(2 * 45)  # same draws otherwise


def test_range_brackets_the_likely_value_and_is_seeded() -> None:
    exp = Exposure({"rail": 6000.0, "ferry": 420.0},
                   {"border_rail": 3, "gauge_change": 2, "ferry_port": 1})
    est = estimate(exp, scenario=load_scenario("observed"), n_draws=1000, seed=7)
    assert est.fast_h <= est.p10_h <= est.p50_h <= est.p90_h <= est.slow_h
    assert est.fast_h < est.all_likely_h < est.slow_h
    again = estimate(exp, scenario=load_scenario("observed"), n_draws=1000, seed=7)
    assert again == est
    days = est.days()
    assert days["transit_days"] == pytest.approx(est.p50_h / 24)
    assert days["all_likely_days"] == pytest.approx(est.all_likely_h / 24)


LOPSIDED = {"speed_kmh.rail": (10, 10, 100), "dwell_h.border_rail": (0, 100, 100)}


@pytest.mark.parametrize("n_draws", [1, 2, 3, 10, 2000])
@pytest.mark.parametrize("scenario", ["official", "observed", "disrupted"])
def test_headline_is_the_median_inside_p10_p90_and_its_split_adds_up(
        scenario: str, n_draws: int) -> None:
    exp = Exposure({"rail": 6000.0, "ferry": 420.0, "sea": 2000.0},
                   {"border_rail": 3, "gauge_change": 2, "ferry_port": 1, "sea_port": 2},
                   port_call_km=2000.0)
    est = estimate(exp, scenario=load_scenario(scenario), n_draws=n_draws, seed=3)
    assert est.total_h == est.p50_h
    assert est.p10_h <= est.total_h <= est.p90_h
    assert est.moving_h + est.dwell_h == pytest.approx(est.total_h, abs=1e-9)
    days = est.days()
    assert days["p10_days"] <= days["transit_days"] <= days["p90_days"]
    assert days["moving_days"] + days["dwell_days"] == pytest.approx(days["transit_days"])


def test_lopsided_ranges_put_all_likely_outside_the_band_but_not_the_headline() -> None:
    # likely at the slow end of the speed and at the high end of the dwell: every draw is
    # faster than or as fast as the all-likely world, so all-likely lies above p90
    sc = official(**LOPSIDED)
    est = estimate(Exposure({"rail": 3000.0}, {"border_rail": 2}), scenario=sc, n_draws=1000)
    assert est.all_likely_h > est.p90_h
    assert est.p10_h <= est.total_h <= est.p90_h
    assert est.moving_h == pytest.approx(3000.0 / est.median_values["speed_kmh.rail"])
    assert est.dwell_h == pytest.approx(2 * est.median_values["dwell_h.border_rail"])


def test_legs_split_by_the_median_draw_add_up_to_the_route() -> None:
    sc = official(**LOPSIDED)
    a = Exposure({"rail": 1200.0}, {"border_rail": 1})
    b = Exposure({"rail": 1800.0}, {"border_rail": 1})
    est = estimate(a + b, scenario=sc, n_draws=500)
    parts = [sum(moving_dwell_at(x, values=est.median_values)) for x in (a, b)]
    assert sum(parts) == pytest.approx(est.total_h)


def test_fixed_parameters_give_a_zero_width_range() -> None:
    sc = official(**{k: 10 for k in PARAM_KEYS})
    est = estimate(Exposure({"rail": 100.0}, {"border_rail": 1}), scenario=sc, n_draws=50)
    assert est.p10_h == pytest.approx(est.p90_h) == pytest.approx(20.0)


def test_override_with_a_range() -> None:
    sc = official(**{"speed_kmh.sea": (20, 25, 30)})
    assert sc.value("speed_kmh.sea", "fast") == 30
    assert sc.value("speed_kmh.sea", "slow") == 20
    assert sc.overrides == {"speed_kmh.sea": (20, 25, 30)}


@pytest.mark.parametrize("bad", [{"speed_kmh.rial": 30}, {"dwell_h.lunch": 1}])
def test_unknown_override_key_names_the_key_and_the_allowed_ones(bad: dict) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("official", overrides=bad)
    msg = str(info.value)
    assert repr(next(iter(bad))) in msg and "speed_kmh.rail" in msg


@pytest.mark.parametrize("value", ["fast", (3, 2, 1), 0, True])
def test_bad_override_values(value: object) -> None:
    with pytest.raises(ScenarioError, match=r"speed_kmh\.rail"):
        load_scenario("official", overrides={"speed_kmh.rail": value})


def test_unknown_scenario_name_lists_bundled_ones() -> None:
    with pytest.raises(ScenarioError, match="official"):
        load_scenario("optimistic")


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mine.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_user_scenario_file_round_trip(tmp_path: Path) -> None:
    text = (Path(load_scenario("official").path)).read_text(encoding="utf-8")
    p = _write(tmp_path, text.replace('name = "official"', 'name = "mine"'))
    assert load_scenario(p).name == "mine"
    assert load_scenario(str(p)).value("speed_kmh.rail") == official().value("speed_kmh.rail")


def test_bad_file_key_is_named_with_file(tmp_path: Path) -> None:
    text = (Path(load_scenario("official").path)).read_text(encoding="utf-8")
    p = _write(tmp_path, text.replace("[dwell_h.gauge_change]", "[dwell_h.gauge_chnage]"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    assert str(p) in str(info.value) and "dwell_h.gauge_chnage" in str(info.value)
    assert "dwell_h.gauge_change" in str(info.value)


def test_bad_range_in_file(tmp_path: Path) -> None:
    text = (Path(load_scenario("official").path)).read_text(encoding="utf-8")
    p = _write(tmp_path, text.replace("low = 28.75", "low = 99.0", 1))
    with pytest.raises(ScenarioError, match=r"speed_kmh\.rail.*low <= likely <= high"):
        load_scenario(p)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(_write(tmp_path, "[scenario\nname="))
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.toml")


def test_missing_key_is_listed(tmp_path: Path) -> None:
    p = _write(tmp_path, '[scenario]\nname = "x"\ntitle = "x"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match="missing key"):
        load_scenario(p)


def test_unknown_closed_passage(tmp_path: Path) -> None:
    text = (Path(load_scenario("official").path)).read_text(encoding="utf-8")
    p = _write(tmp_path, text.replace("closed_passages = []", 'closed_passages = ["kiel"]'))
    with pytest.raises(ScenarioError, match=r"closed_passages.*kiel"):
        load_scenario(p)
