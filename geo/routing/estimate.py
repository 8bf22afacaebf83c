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

from collections.abc import Mapping, Sequence
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
    "estimate_many",
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
        # The keys of two checked exposures need no second check (routes add thousands).
        out = object.__new__(Exposure)
        out.distance_km, out.dwell_counts = d, c
        out.port_call_km = self.port_call_km + other.port_call_km
        return out

    @property
    def total_km(self) -> float:
        return float(sum(self.distance_km.values()))


_MODES = tuple(m.value for m in Mode)
_DWELLS = tuple(DWELL_KEYS)


def _cost(exposure: Exposure, values: Mapping[str, Any]) -> tuple[Any, Any]:
    """(moving_h, dwell_h) of one exposure; ``values`` holds numbers or arrays of draws.

    Terms are added in one fixed order (modes, dwell keys, port calls), whatever order the
    exposure was assembled in, so a route costs the same to the last bit here and in
    :func:`_cost_many` (every route of an OD matrix at once).
    """
    moving_h: Any = 0.0
    for mode in _MODES:
        km = exposure.distance_km.get(mode, 0.0)
        if km:
            moving_h = moving_h + km / values[f"speed_kmh.{mode}"]
    dwell_h: Any = 0.0
    for key in _DWELLS:
        n = exposure.dwell_counts.get(key, 0.0)
        if n:
            dwell_h = dwell_h + n * values[f"dwell_h.{key}"]
    if exposure.port_call_km:
        dwell_h = dwell_h + (exposure.port_call_km / 1000.0
                             * values["rate.port_calls_per_1000km"] * values["dwell_h.port_call"])
    return moving_h, dwell_h


def _features(exposures: Sequence[Exposure]) -> dict[str, np.ndarray]:
    """The exposures as columns: km per mode, count per dwell key, port-call km."""
    cols = {f"km.{m}": np.array([e.distance_km.get(m, 0.0) for e in exposures]) for m in _MODES}
    cols.update({f"n.{k}": np.array([e.dwell_counts.get(k, 0.0) for e in exposures])
                 for k in _DWELLS})
    cols["port_call_km"] = np.array([e.port_call_km for e in exposures])
    return cols


def _cost_many(cols: Mapping[str, np.ndarray], values: Mapping[str, Any]) -> tuple[Any, Any]:
    """(moving_h, dwell_h) of many exposures given as :func:`_features`: arrays (routes x
    draws), one row per exposure.

    The same operations as :func:`_cost`, in the same order, element by element (a zero
    term adds an exact 0.0), so row ``i`` equals ``_cost(exposures[i], values)`` bit for bit.
    """
    n = len(cols["port_call_km"])
    vals = {k: np.atleast_1d(np.asarray(v, dtype=float))[None, :] for k, v in values.items()}
    width = max(v.shape[1] for v in vals.values())
    moving_h = np.zeros((n, width))
    dwell_h = np.zeros((n, width))

    def add(out: np.ndarray, amount: np.ndarray, term: Any) -> None:
        rows = np.flatnonzero(amount)  # other rows would add an exact 0.0
        if rows.size == n:
            out += term(amount[:, None])
        elif rows.size:
            out[rows] += term(amount[rows, None])

    for mode in _MODES:
        speed = vals[f"speed_kmh.{mode}"]
        add(moving_h, cols[f"km.{mode}"], lambda km, s=speed: km / s)
    for key in _DWELLS:
        hours = vals[f"dwell_h.{key}"]
        add(dwell_h, cols[f"n.{key}"], lambda count, h=hours: count * h)
    rate, call = vals["rate.port_calls_per_1000km"], vals["dwell_h.port_call"]
    add(dwell_h, cols["port_call_km"], lambda km: km / 1000.0 * rate * call)
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


def _ranked(total: np.ndarray, ranks: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per row of ``total`` and per rank: the value of that rank and the column a stable
    argsort puts there (ties in column order), without sorting the rows."""
    parted = np.partition(total, list(ranks), axis=1)
    out = []
    for rank in ranks:
        value = parted[:, rank]
        equal = total == value[:, None]
        column = np.argmax(equal, axis=1)  # the first equal column: right unless tied
        tied = np.flatnonzero(equal.sum(axis=1) > 1)
        if tied.size:
            below = (total[tied] < value[tied, None]).sum(axis=1)
            seen = np.cumsum(equal[tied], axis=1)
            column[tied] = np.argmax(seen > (rank - below)[:, None], axis=1)
        out.append((value, column))
    return out


#: Routes costed together in :func:`estimate_many` (bounds memory: chunk x n_draws floats).
_CHUNK_CELLS = 2_000_000


def estimate_many(exposures: Sequence[Exposure], *, scenario: Scenario, n_draws: int = N_DRAWS,
                  seed: int = 0) -> list[TransitEstimate]:
    """:func:`estimate` of every exposure, with one set of draws shared by all of them.

    The parameters are drawn once (the same draws ``estimate`` makes for this scenario and
    seed) and every route is costed with array operations, so an OD matrix of ``n`` routes
    costs about as much as a handful of single estimates.  Each result equals
    ``estimate(exposure, ...)`` exactly: that function is this one with a single exposure.
    """
    if n_draws < 1:
        raise InputError(f"n_draws must be >= 1, got {n_draws}")
    draws = _draws(scenario, n_draws=n_draws, seed=seed)
    ends = {w: point_values(scenario, w) for w in ("likely", "fast", "slow")}
    out: list[TransitEstimate] = []
    step = max(1, _CHUNK_CELLS // n_draws)
    for start in range(0, len(exposures), step):
        chunk = exposures[start:start + step]
        cols = _features(chunk)
        likely_m, likely_d = (a[:, 0] for a in _cost_many(cols, ends["likely"]))
        fast = sum(_cost_many(cols, ends["fast"]))[:, 0]
        slow = sum(_cost_many(cols, ends["slow"]))[:, 0]
        m_arr, d_arr = _cost_many(cols, draws)
        total = m_arr + d_arr
        (p10, _), (p50, mid), (p90, _) = _ranked(
            total, [_rank(10, n_draws), _rank(50, n_draws), _rank(90, n_draws)])
        rows = np.arange(len(chunk))
        moving, dwell = m_arr[rows, mid], d_arr[rows, mid]
        for i in range(len(chunk)):
            out.append(TransitEstimate(
                moving_h=float(moving[i]), dwell_h=float(dwell[i]),
                all_likely_moving_h=float(likely_m[i]), all_likely_dwell_h=float(likely_d[i]),
                fast_h=float(fast[i]), slow_h=float(slow[i]), p10_h=float(p10[i]),
                p50_h=float(p50[i]), p90_h=float(p90[i]), n_draws=n_draws, seed=seed,
                median_values={k: float(v[mid[i]]) for k, v in draws.items()}))
    return out


def estimate(exposure: Exposure, *, scenario: Scenario, n_draws: int = N_DRAWS,
             seed: int = 0) -> TransitEstimate:
    """Transit time of ``exposure`` under ``scenario``: median, its split and ranges (hours)."""
    return estimate_many([exposure], scenario=scenario, n_draws=n_draws, seed=seed)[0]
