"""What a route costs under a scenario: exposure, moving and waiting hours, the Monte Carlo.

A route is reduced to its **exposure**: kilometres travelled per mode, and counts of waiting
events (border crossings, breaks of gauge, ferry crossings, port handling, port calls, canal
transits).  Then, with the scenario's values (:mod:`geo.routing.scenarios`),

* moving time, in hours = sum over modes of ``distance_km / speed_kmh``;
* waiting time, in hours = sum over events of ``count x dwell_h`` plus, on sea legs,
  ``sea_km / 1000 x port_calls_per_1000km x dwell_h.port_call``.

A seeded Monte Carlo draws every parameter from a triangular distribution
``(low, likely, high)``; parameters are shared by all legs of one draw (a draw is one
"world").  The **headline** transit time is the median of the draws (``p50``), reported
with the 10th and 90th percentiles.  Percentiles are order statistics of the draws
(inverted CDF: the ``ceil(q x n)``-th smallest total), so the median is the total of one
actual draw, the **median draw**, and its moving/waiting split (and the split of every leg,
evaluated with that draw's parameters) adds up to the headline exactly.

Also reported: ``all_likely`` (every parameter at its ``likely`` value at once, the
triangles' modes; with lopsided ranges it can fall outside p10-p90) and ``fast``/``slow``
(the fast or slow end of every range at once, the outer bounds).

Examples
--------
>>> from geo.routing.scenarios import load_scenario
>>> sc = load_scenario("official", overrides={"speed_kmh.rail": 30})
>>> exp = Exposure(distance_km={"rail": 3000.0}, dwell_counts={"border_rail": 1})
>>> round(estimate(exp, scenario=sc).all_likely_h, 2)  # 3000 / 30 + 4.25
104.25
>>> est = estimate(exp, scenario=sc, n_draws=500)
>>> est.p10_h <= est.total_h <= est.p90_h and est.total_h == est.moving_h + est.dwell_h
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo._errors import InputError
from geo.routing._display import days1, html_table
from geo.routing.scenarios import DWELL_KEYS, PARAM_KEYS, Scenario, Which, point_values
from geo.schema import Mode

__all__ = [
    "N_DRAWS",
    "Exposure",
    "TransitEstimate",
    "estimate",
    "moving_dwell_at",
    "moving_dwell_h",
]


#: Monte Carlo draws behind every transit time unless the caller asks for another number:
#: the one default of ``n_draws`` in :func:`geo.route`, :func:`geo.od_matrix`,
#: :func:`geo.compare`, :func:`geo.build_gallery` and :func:`estimate`.
N_DRAWS = 2000

# --------------------------------------------------------------------------- exposure & cost


@dataclass
class Exposure:
    """What a route (or a leg) is exposed to.

    Attributes
    ----------
    distance_km : dict of mode -> km
    dwell_counts : dict of dwell key (see :data:`DWELL_KEYS`) -> number of events
    port_call_km : float
        Sea-leg kilometres on which intermediate port calls are counted.
    """

    distance_km: dict[str, float] = field(default_factory=dict)
    dwell_counts: dict[str, float] = field(default_factory=dict)
    port_call_km: float = 0.0

    def __post_init__(self) -> None:
        for m in self.distance_km:
            if f"speed_kmh.{m}" not in PARAM_KEYS:
                raise ValueError(f"unknown mode {m!r}; must be one of {Mode.choices()}")
        for k in self.dwell_counts:
            if k not in DWELL_KEYS:
                raise ValueError(f"unknown dwell key {k!r}; must be one of {list(DWELL_KEYS)}")

    def __add__(self, other: Exposure) -> Exposure:
        d = dict(self.distance_km)
        for m, km in other.distance_km.items():
            d[m] = d.get(m, 0.0) + km
        c = dict(self.dwell_counts)
        for k, n in other.dwell_counts.items():
            c[k] = c.get(k, 0.0) + n
        return Exposure(d, c, self.port_call_km + other.port_call_km)

    @property
    def total_km(self) -> float:
        return float(sum(self.distance_km.values()))


def _cost(exposure: Exposure, values: Mapping[str, Any]) -> tuple[Any, Any]:
    moving_h: Any = 0.0
    for mode, km in exposure.distance_km.items():
        if km:
            moving_h = moving_h + km / values[f"speed_kmh.{mode}"]
    dwell_h: Any = 0.0
    for key, n in exposure.dwell_counts.items():
        if n:
            dwell_h = dwell_h + n * values[f"dwell_h.{key}"]
    if exposure.port_call_km:
        dwell_h = dwell_h + (exposure.port_call_km / 1000.0
                             * values["rate.port_calls_per_1000km"] * values["dwell_h.port_call"])
    return moving_h, dwell_h


def moving_dwell_h(exposure: Exposure, *, scenario: Scenario,
                   which: Which = "likely") -> tuple[float, float]:
    """(moving_h, dwell_h) of ``exposure`` with every parameter at ``which``."""
    m, d = _cost(exposure, point_values(scenario, which))
    return float(m), float(d)


def moving_dwell_at(exposure: Exposure, *, values: Mapping[str, float]) -> tuple[float, float]:
    """(moving_h, dwell_h) of ``exposure`` with the given parameter values.

    ``values`` maps every key of :data:`PARAM_KEYS` to a number, e.g.
    :attr:`TransitEstimate.median_values` to split legs the way the median draw does.
    """
    m, d = _cost(exposure, values)
    return float(m), float(d)


#: Parameters added after the first release draw after all the others, so that adding one
#: does not change the draws (and the published figures) of routes that do not use it.
_DRAWN_LAST = ("dwell_h.border_rail_union",)
_DRAW_ORDER = [*sorted(k for k in PARAM_KEYS if k not in _DRAWN_LAST), *_DRAWN_LAST]


def _draws(scenario: Scenario, *, n_draws: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for key in _DRAW_ORDER:  # fixed order: same seed, same draws
        p = scenario.params[key]
        if p.high > p.low:
            out[key] = rng.triangular(p.low, p.likely, p.high, size=n_draws)
        else:
            out[key] = np.full(n_draws, p.likely)
    return out


def _rank(pct: int, n: int) -> int:
    """0-based rank of the ``pct``-th percentile among ``n`` sorted draws (inverted CDF)."""
    return max(0, -(-pct * n // 100) - 1)  # ceil(pct / 100 x n) - 1, in integers


@dataclass(frozen=True)
class TransitEstimate:
    """Transit time of one route under one scenario, in hours.

    The headline is the Monte Carlo median ``p50_h`` (= :attr:`total_h`); ``moving_h`` and
    ``dwell_h`` are the split of the median draw, so ``moving_h + dwell_h == p50_h``, and
    ``median_values`` are that draw's parameters (to split legs the same way).
    ``p10_h``/``p90_h`` are percentiles of the same draws (triangular, seeded), so
    ``p10_h <= p50_h <= p90_h`` always.  ``all_likely_moving_h``/``all_likely_dwell_h`` use
    every parameter's likely value; ``fast_h``/``slow_h`` every fast/slow end.
    """

    moving_h: float
    dwell_h: float
    all_likely_moving_h: float
    all_likely_dwell_h: float
    fast_h: float
    slow_h: float
    p10_h: float
    p50_h: float
    p90_h: float
    n_draws: int
    seed: int
    median_values: dict[str, float] = field(default_factory=dict)

    @property
    def total_h(self) -> float:
        """The headline: Monte Carlo median, hours."""
        return self.p50_h

    @property
    def all_likely_h(self) -> float:
        """Every parameter at its likely value, hours (not the headline)."""
        return self.all_likely_moving_h + self.all_likely_dwell_h

    def __repr__(self) -> str:
        d = self.days()
        return (f"<TransitEstimate {d['transit_days']:.1f} days median (moving "
                f"{d['moving_days']:.1f} + waiting {d['dwell_days']:.1f}), p10-p90 "
                f"{d['p10_days']:.1f}-{d['p90_days']:.1f}, all likely {d['all_likely_days']:.1f}, "
                f"{self.n_draws} draws, seed {self.seed}>")

    def _repr_html_(self) -> str:
        d = self.days()
        rows = [[label, days1(d[key])] for label, key in (
            ("median (headline)", "transit_days"), ("moving, median draw", "moving_days"),
            ("waiting, median draw", "dwell_days"), ("p10", "p10_days"), ("p90", "p90_days"),
            ("all parameters likely", "all_likely_days"), ("fast ends", "fast_days"),
            ("slow ends", "slow_days"))]
        return html_table(rows, ["figure", "days"],
                          caption=f"Transit estimate, {self.n_draws} draws, seed {self.seed}")

    def days(self) -> dict[str, float]:
        """The same figures in days: ``transit_days`` (the median) and its range."""
        return {"transit_days": self.p50_h / 24.0, "moving_days": self.moving_h / 24.0,
                "dwell_days": self.dwell_h / 24.0, "all_likely_days": self.all_likely_h / 24.0,
                "fast_days": self.fast_h / 24.0, "slow_days": self.slow_h / 24.0,
                "p10_days": self.p10_h / 24.0, "p50_days": self.p50_h / 24.0,
                "p90_days": self.p90_h / 24.0}


def estimate(exposure: Exposure, *, scenario: Scenario, n_draws: int = N_DRAWS,
             seed: int = 0) -> TransitEstimate:
    """Transit time of ``exposure`` under ``scenario``: median, its split and ranges (hours)."""
    if n_draws < 1:
        raise InputError(f"n_draws must be >= 1, got {n_draws}")
    moving, dwell = moving_dwell_h(exposure, scenario=scenario)
    fast = sum(moving_dwell_h(exposure, scenario=scenario, which="fast"))
    slow = sum(moving_dwell_h(exposure, scenario=scenario, which="slow"))
    draws = _draws(scenario, n_draws=n_draws, seed=seed)
    m, d = _cost(exposure, draws)
    m_arr = np.broadcast_to(np.asarray(m, dtype=float), (n_draws,))
    d_arr = np.broadcast_to(np.asarray(d, dtype=float), (n_draws,))
    total = m_arr + d_arr
    order = np.argsort(total, kind="stable")
    p10, p50, p90 = (float(total[order[_rank(q, n_draws)]]) for q in (10, 50, 90))
    mid = int(order[_rank(50, n_draws)])
    return TransitEstimate(moving_h=float(m_arr[mid]), dwell_h=float(d_arr[mid]),
                           all_likely_moving_h=moving, all_likely_dwell_h=dwell,
                           fast_h=float(fast), slow_h=float(slow), p10_h=p10, p50_h=p50,
                           p90_h=p90, n_draws=n_draws, seed=seed,
                           median_values={k: float(v[mid]) for k, v in draws.items()})
