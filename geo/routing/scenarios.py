"""The transit-time model: scenarios of speeds and waiting times (bundled and user TOML files).

A route is reduced to its **exposure**: kilometres travelled per mode, and counts of waiting
events (border crossings, breaks of gauge, ferry crossings, port handling, port calls, canal
transits).  A **scenario** gives every speed and waiting time as a range
``(low, likely, high)`` with its sources.  Then

* moving time, in hours = sum over modes of ``distance_km / speed_kmh``;
* waiting time, in hours = sum over events of ``count x dwell_h`` plus, on sea legs,
  ``sea_km / 1000 x port_calls_per_1000km x dwell_h.port_call``.

How a route's exposure is costed with these values is in :mod:`geo.routing.estimate`.

Bundled scenarios live in ``geo/routing/data/*.toml``: ``official``, ``observed``, ``disrupted``.

Examples
--------
>>> sc = load_scenario("official", overrides={"speed_kmh.rail": 30})
>>> sc.value("speed_kmh.rail")
30.0
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias

from geo._errors import ScenarioError
from geo._io import decode_text
from geo.routing.sealanes import PASSAGES, normalise_passage
from geo.schema import Mode, Status

__all__ = [
    "DWELL_KEYS",
    "PARAM_BOUNDS",
    "PARAM_KEYS",
    "Param",
    "Scenario",
    "ScenarioLike",
    "bundled_scenarios",
    "load_scenario",
    "point_values",
]

log = logging.getLogger(__name__)

SCENARIO_DIR = Path(__file__).with_name("data")

#: Waiting events and what each one stands for (hours per event).
DWELL_KEYS: dict[str, str] = {
    "border_rail": "rail border crossing (customs, inspection), h per crossing",
    "border_rail_union": "rail border between two members of one customs union that year "
                         "(no customs clearance), h per crossing",
    "border_road": "road border crossing, h per crossing",
    "gauge_change": "break of gauge (transshipment or bogie exchange), h per change",
    "transshipment": "transfer between rail and road at a node, h per transfer",
    "ferry_port": "waiting for and boarding a ferry (Caspian), h per ferry crossing",
    "sea_port": "port handling between land and sea, and at the first and last sea port, h",
    "port_call": "an intermediate call on a sea leg, h per call",
    "canal_transit": "waiting at a canal (Suez, Panama), h per transit",
}

#: Every parameter key a scenario may set -> what it means (with unit).
PARAM_KEYS: dict[str, str] = {
    **{f"speed_kmh.{m.value}": f"commercial speed of {m.value} legs, km/h" for m in Mode},
    **{f"dwell_h.{k}": v for k, v in DWELL_KEYS.items()},
    "rate.port_calls_per_1000km": "intermediate port calls per 1,000 km of sea leg",
}

_SCENARIO_META_KEYS = ("name", "title", "description", "include_status", "closed_passages",
                       "sources")
_PARAM_FIELDS = ("low", "likely", "high", "note", "sources")

Which = Literal["fast", "likely", "slow"]


@dataclass(frozen=True)
class Param:
    """One parameter as a range: ``low <= likely <= high`` (in the key's unit)."""

    low: float
    likely: float
    high: float
    note: str = ""
    sources: tuple[tuple[str, str], ...] = ()

    def pick(self, which: Which, *, key: str) -> float:
        """The value for the ``fast``, ``likely`` or ``slow`` end (speeds invert)."""
        if which == "likely":
            return self.likely
        is_speed = key.startswith("speed_kmh.")
        fast = (which == "fast")
        return self.high if (fast == is_speed) else self.low


@dataclass(frozen=True)
class Scenario:
    """A named set of parameters with their sources.

    Attributes
    ----------
    name, title, description : str
    params : dict of key -> Param (every key of :data:`PARAM_KEYS`)
    include_status : tuple of str
        Link statuses the network uses (``operational``, ``under_construction``, ``planned``).
    closed_passages : tuple of str
        Sea passages closed in this scenario (searoute names).
    customs_union : bool
        Whether rail borders inside a customs union (see :func:`geo.membership.customs_union_pairs`)
        cost ``dwell_h.border_rail_union`` instead of ``dwell_h.border_rail``; False is the
        what-if without the union.
    year : int or None
        The year whose memberships decide which borders are inside a union (None: today).
    path : str
        The file it was read from.
    overrides : dict
        Values changed after loading.
    """

    name: str
    title: str
    description: str
    params: dict[str, Param]
    include_status: tuple[str, ...] = ("operational",)
    closed_passages: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    path: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    customs_union: bool = True
    year: int | None = None

    def value(self, key: str, which: Which = "likely") -> float:
        """Value of parameter ``key`` at the ``fast``, ``likely`` or ``slow`` end."""
        if key not in self.params:
            raise ScenarioError(f"scenario {self.name!r}: unknown key {key!r}; "
                                f"allowed: {sorted(PARAM_KEYS)}")
        return self.params[key].pick(which, key=key)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary (for provenance)."""
        return {
            "name": self.name, "title": self.title, "path": self.path,
            "include_status": list(self.include_status),
            "closed_passages": list(self.closed_passages),
            "customs_union": self.customs_union, "year": self.year,
            "overrides": {k: list(v) if isinstance(v, tuple) else v
                          for k, v in self.overrides.items()},
            "params": {k: {"low": p.low, "likely": p.likely, "high": p.high}
                       for k, p in sorted(self.params.items())},
        }


#: What ``scenario=`` accepts everywhere (:func:`geo.route`, :func:`geo.od_matrix`,
#: :func:`geo.compare`, :func:`load_scenario`): a bundled name, the path of a TOML file, or a
#: loaded :class:`Scenario`.  Wherever ``scenario=`` is, ``overrides=`` is too.
ScenarioLike: TypeAlias = str | os.PathLike[str] | Scenario


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if p.stem != "claims")


def _sources(raw: Any, *, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{where}: 'sources' must be a non-empty list of "
                            "{title = ..., url = ...}")
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or not isinstance(s.get("title"), str) \
                or not isinstance(s.get("url"), str):
            raise ScenarioError(f"{where}: sources[{i}] must be {{title = str, url = str}}")
        out.append((s["title"], s["url"]))
    return tuple(out)


def _param(raw: Any, *, key: str, where: str) -> Param:
    loc = f"{where}, key {key!r}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{loc}: must be a table with low, likely, high, note, sources")
    unknown = sorted(set(raw) - set(_PARAM_FIELDS))
    if unknown:
        raise ScenarioError(f"{loc}: unknown field(s) {unknown}; allowed: {list(_PARAM_FIELDS)}")
    vals = []
    for f in ("low", "likely", "high"):
        v = raw.get(f)
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**15:
            raise ScenarioError(f"{loc}: field {f!r} is an integer of {len(str(abs(v)))} "
                                f"digits; {_range_text(key)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ScenarioError(f"{loc}: field {f!r} must be a finite number, got {v!r}")
        vals.append(float(v))
    return _checked(Param(vals[0], vals[1], vals[2], str(raw.get("note", "")),
                          _sources(raw.get("sources"), where=loc)), key=key, where=where)


def _checked(p: Param, *, key: str, where: str) -> Param:
    loc = f"{where}, key {key!r}"
    if not p.low <= p.likely <= p.high:
        raise ScenarioError(f"{loc}: need low <= likely <= high, got "
                            f"({p.low}, {p.likely}, {p.high})")
    if key.startswith("speed_kmh.") and p.low <= 0:
        raise ScenarioError(f"{loc}: speeds must be > 0 km/h, got low = {p.low}")
    if p.low < 0:
        raise ScenarioError(f"{loc}: must be >= 0, got low = {p.low}")
    lowest, highest = _bounds(key)
    if p.low < lowest or p.high > highest:
        raise ScenarioError(f"{loc}: ({p.low:g}, {p.likely:g}, {p.high:g}) is outside the "
                            f"physical range; {_range_text(key)}")
    return p


#: Physical bounds of each kind of parameter (inclusive): anything outside is a typo or a
#: unit error, and would give absurd or non-finite transit times.
PARAM_BOUNDS: dict[str, tuple[float, float]] = {
    "speed_kmh": (0.1, 1000.0),     # from a walking-pace road to beyond any train or ship
    "dwell_h": (0.0, 8760.0),       # up to a year per waiting event
    "rate": (0.0, 1000.0),          # port calls per 1,000 km
}


def _bounds(key: str) -> tuple[float, float]:
    return PARAM_BOUNDS[key.split(".", 1)[0]]


def _range_text(key: str) -> str:
    lo, hi = _bounds(key)
    return f"{key} must be from {lo:g} to {hi:g} ({PARAM_KEYS.get(key, key)})"


def _params(doc: dict[str, Any], *, where: str) -> dict[str, Param]:
    """Every parameter of the ``speed_kmh``, ``dwell_h`` and ``rate`` tables, all present."""
    params: dict[str, Param] = {}
    for group in ("speed_kmh", "dwell_h", "rate"):
        table = doc.get(group, {})
        if not isinstance(table, dict):
            raise ScenarioError(f"{where}: {group!r} must be a table")
        for name, raw in table.items():
            key = f"{group}.{name}"
            if key not in PARAM_KEYS:
                raise ScenarioError(f"{where}: unknown key {key!r}; allowed: {sorted(PARAM_KEYS)}")
            params[key] = _param(raw, key=key, where=where)
    missing = sorted(set(PARAM_KEYS) - set(params))
    if missing:
        raise ScenarioError(f"{where}: missing key(s) {missing}; every scenario sets all of "
                            f"{sorted(PARAM_KEYS)}")
    return params


def _parse(doc: dict[str, Any], *, where: str) -> Scenario:
    allowed_top = ["scenario", "speed_kmh", "dwell_h", "rate"]
    unknown_top = sorted(set(doc) - set(allowed_top))
    if unknown_top:
        raise ScenarioError(f"{where}: unknown key(s) {unknown_top}; allowed tables: "
                            f"{allowed_top}; allowed parameter keys: {sorted(PARAM_KEYS)}")
    meta = doc.get("scenario")
    if not isinstance(meta, dict):
        raise ScenarioError(f"{where}: missing [scenario] table with name, title, description")
    bad_meta = sorted(set(meta) - set(_SCENARIO_META_KEYS))
    if bad_meta:
        raise ScenarioError(f"{where}: unknown key(s) {bad_meta} in [scenario]; "
                            f"allowed: {list(_SCENARIO_META_KEYS)}")
    for k in ("name", "title", "description"):
        if not isinstance(meta.get(k), str) or not meta[k]:
            raise ScenarioError(f"{where}: [scenario] key {k!r} must be a non-empty string")
    params = _params(doc, where=where)
    statuses = meta.get("include_status", ["operational"])
    allowed_status = Status.choices()
    if not isinstance(statuses, list) or any(s not in allowed_status for s in statuses):
        raise ScenarioError(f"{where}: [scenario] key 'include_status' must be a list drawn "
                            f"from {allowed_status}, got {statuses!r}")
    closed_raw = meta.get("closed_passages", [])
    if not isinstance(closed_raw, list):
        raise ScenarioError(f"{where}: [scenario] key 'closed_passages' must be a list")
    closed = []
    for c in closed_raw:
        norm = normalise_passage(str(c))
        if norm is None:
            raise ScenarioError(f"{where}: [scenario] key 'closed_passages': unknown passage "
                                f"{c!r}; allowed: {list(PASSAGES)}")
        closed.append(norm)
    srcs = _sources(meta["sources"], where=f"{where}, [scenario]") if "sources" in meta else ()
    return Scenario(name=meta["name"], title=meta["title"], description=meta["description"],
                    params=params, include_status=tuple(statuses),
                    closed_passages=tuple(sorted(set(closed))), sources=srcs, path=where)


def _as_float(value: int | float, *, key: str, where: str) -> float:
    try:
        return float(value)
    except OverflowError:
        raise ScenarioError(f"{where}, key {key!r}: {value!r:.40} is far too large; "
                            f"{_range_text(key)}") from None


def _apply_overrides(sc: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    params = dict(sc.params)
    where = f"{sc.path} (overrides)"
    for key, value in overrides.items():
        if key not in PARAM_KEYS:
            raise ScenarioError(f"{where}: unknown key {key!r}; allowed: {sorted(PARAM_KEYS)}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lo = li = hi = _as_float(value, key=key, where=where)
        elif (isinstance(value, (tuple, list)) and len(value) == 3
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            lo, li, hi = (_as_float(v, key=key, where=where) for v in value)
        else:
            raise ScenarioError(f"{where}, key {key!r}: give a number or (low, likely, high), "
                                f"got {value!r}")
        old = params[key]
        params[key] = _checked(replace(old, low=lo, likely=li, high=hi,
                                       note=f"overridden by the user (was {old.note})"),
                               key=key, where=where)
    return replace(sc, params=params, overrides={**sc.overrides, **dict(overrides)})


def load_scenario(
    scenario: ScenarioLike = "official",
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Load a bundled scenario by name, or a user's TOML file, and apply overrides.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A bundled name (see :func:`bundled_scenarios`), a path to a TOML file with the same
        layout as ``geo/routing/data/official.toml``, or an already loaded Scenario.
    overrides : mapping, optional
        Parameter key -> a number (used as low = likely = high) or (low, likely, high),
        e.g. ``{"speed_kmh.rail": 30}``.

    Raises
    ------
    ScenarioError
        Naming the file and the key, and listing the allowed keys.
    """
    if isinstance(scenario, Scenario):
        sc = scenario
    else:
        text = os.fspath(scenario)
        path = Path(text)
        if not (text.endswith(".toml") or path.exists()):
            if text not in bundled_scenarios():
                raise ScenarioError(f"unknown scenario {text!r}; bundled: {bundled_scenarios()}"
                                    " (or give the path to a .toml file)")
            path = SCENARIO_DIR / f"{text}.toml"
        try:
            doc = tomllib.loads(decode_text(path.read_bytes()))
        except FileNotFoundError:
            raise ScenarioError(f"{path}: scenario file not found") from None
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{path}: {exc.reason}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
        except ValueError as exc:  # e.g. an integer of thousands of digits
            raise ScenarioError(f"{path}: cannot be read: {exc}") from None
        except RecursionError:
            raise ScenarioError(f"{path}: nested too deeply to read") from None
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        sc = _parse(doc, where=str(path))
    if overrides:
        sc = _apply_overrides(sc, overrides)
    return sc


def point_values(scenario: Scenario, which: Which = "likely") -> dict[str, float]:
    """Every parameter at one end of its range (``fast``, ``likely`` or ``slow``)."""
    return {k: scenario.value(k, which) for k in PARAM_KEYS}
