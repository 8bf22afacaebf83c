"""Regional arrangements: who belongs where, since when, and how much of a corridor lies inside.

The curated table ``layers/arrangements.json`` (validated on first use, see
:mod:`geo._validate_arrangements`) lists one row per country, arrangement and role period.
A role holds from its ``start`` (inclusive) to its ``end`` (exclusive); a partial date stands
for its first day.  Where no source dates a start, the role is counted from ``attested``, the
date on which a source shows it (so such roles are never counted before they are known).

A ``year`` means the situation on 31 December of that year (today for the current year);
``year=None`` means today.

>>> import geo
>>> geo.memberships(2014).loc["KAZ", "eaeu_customs_union"]   # doctest: +SKIP
'founding_member'
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import layers
from ._errors import ArrangementError, LayerError, Problem
from ._validate_arrangements import check_arrangements, parse_date, read_arrangements
from .schema import Role

__all__ = [
    "ARRANGEMENTS_FILE",
    "DEFAULT_ROLES",
    "arrangements",
    "arrangements_path",
    "corridor_arrangements",
    "customs_union_pairs",
    "members",
    "memberships",
    "reference_date",
    "roles_on",
    "validate_arrangements",
]

log = logging.getLogger(__name__)

ARRANGEMENTS_FILE = "arrangements.json"
#: Roles counted as "inside" an arrangement unless a caller asks otherwise.
DEFAULT_ROLES: tuple[str, ...] = (Role.MEMBER.value, Role.FOUNDING_MEMBER.value)
#: Columns of the memberships table, in order.
MEMBERSHIP_COLUMNS = [
    "arrangement", "arrangement_name", "country", "country_name", "role", "start", "end",
    "attested", "start_precision", "valid_from", "valid_to", "sources", "note",
]


def arrangements_path() -> Path:
    """Path of the bundled arrangements table (``layers/arrangements.json``)."""
    return layers.layer_dir() / ARRANGEMENTS_FILE


def validate_arrangements(path: str | Path | None = None) -> list[Problem]:
    """Every problem of an arrangements file (default: the bundled one); empty if valid."""
    p = Path(path) if path is not None else arrangements_path()
    data, problems = read_arrangements(p)
    if data is None:
        return problems
    iso3 = set(layers.countries()["iso3"])
    return problems + check_arrangements(data, name=str(p), iso3_codes=iso3)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    problems = validate_arrangements(path)
    if problems:
        raise LayerError(problems)
    data, _ = read_arrangements(Path(path))
    assert data is not None
    arr = pd.DataFrame.from_records(data["arrangements"],
                                    columns=["id", "name", "kind", "founded", "secretariat",
                                             "sources", "note"])
    names = dict(zip(arr["id"], arr["name"], strict=True))
    country_names = dict(zip(layers.countries()["iso3"], layers.countries()["name"], strict=True))
    rows = []
    for rec in data["memberships"]:
        start, end, attested = rec.get("start"), rec.get("end"), rec.get("attested")
        begin, precision = parse_date(start) if start else parse_date(attested)
        rows.append({
            "arrangement": rec["arrangement"], "arrangement_name": names[rec["arrangement"]],
            "country": rec["country"], "country_name": country_names.get(rec["country"]),
            "role": rec["role"], "start": start, "end": end, "attested": attested,
            "start_precision": precision if start else None,
            "valid_from": pd.Timestamp(begin),
            "valid_to": pd.Timestamp(parse_date(end)[0]) if end else pd.NaT,
            "sources": rec["sources"], "note": rec.get("note"),
        })
    mem = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    log.debug("loaded %d arrangements and %d membership periods from %s", len(arr), len(mem), path)
    return arr, mem


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    arr, mem = _load(str(arrangements_path()))
    return arr.copy(deep=True), mem.copy(deep=True)


def arrangements(*, table: str = "memberships") -> pd.DataFrame:
    """The arrangements layer as a DataFrame.

    Parameters
    ----------
    table
        ``"memberships"`` (default): one row per country, arrangement and role period, with
        ``start``/``end``/``attested`` as the source gives them, ``start_precision``
        (``year``, ``month``, ``day``; empty where only ``attested`` is known) and
        ``valid_from``/``valid_to`` (first day; ``valid_to`` exclusive, NaT while current).
        ``"arrangements"``: one row per arrangement (id, name, kind, founded, secretariat,
        sources, note).
    """
    arr, mem = _frames()
    if table == "memberships":
        return mem
    if table == "arrangements":
        return arr
    raise ArrangementError(f"table {table!r} is not allowed; must be one of "
                           "['memberships', 'arrangements']")


def reference_date(year: int | None = None, *, today: dt.date | None = None) -> dt.date:
    """The date a ``year`` argument stands for: 31 December, or today for this year or None."""
    today = today or dt.date.today()
    if year is None:
        return today
    if isinstance(year, bool) or not isinstance(year, int):
        raise ArrangementError(f"year must be a whole number such as 2014, not {year!r}")
    if not 1900 <= year <= today.year:
        raise ArrangementError(f"year {year} is outside 1900-{today.year}")
    return min(dt.date(year, 12, 31), today)


def _check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    out = tuple(roles)
    bad = [r for r in out if r not in Role.choices()]
    if isinstance(roles, str) or bad or not out:
        raise ArrangementError(f"roles {bad or list(out)!r} not allowed; give a sequence of "
                               f"{Role.choices()}")
    return out


def _check_arrangement(arrangement: str, known: Sequence[str]) -> None:
    if arrangement not in known:
        raise ArrangementError(f"unknown arrangement {arrangement!r}; must be one of {list(known)}")


def roles_on(date: dt.date) -> pd.DataFrame:
    """Membership rows whose period contains ``date`` (one row per country and arrangement)."""
    _, mem = _frames()
    ts = pd.Timestamp(date)
    live = (mem["valid_from"] <= ts) & (mem["valid_to"].isna() | (ts < mem["valid_to"]))
    return mem[live].reset_index(drop=True)


def members(arrangement: str, *, year: int | None = None,
            roles: Sequence[str] = DEFAULT_ROLES) -> gpd.GeoDataFrame:
    """Countries with one of ``roles`` in ``arrangement`` that year, as Natural Earth outlines.

    Columns: ``iso3``, ``name``, ``arrangement``, ``role``, ``start``, ``end``, ``attested``,
    ``sources``, ``note``, ``geometry`` (EPSG:4326), one row per country, sorted by ISO3.
    ``year=None`` means today; a year means 31 December of it.

    >>> import geo
    >>> sorted(geo.members("eaeu_customs_union", year=2012)["iso3"])   # doctest: +SKIP
    ['BLR', 'KAZ', 'RUS']
    """
    arr, _ = _frames()
    _check_arrangement(arrangement, list(arr["id"]))
    wanted = _check_roles(roles)
    live = roles_on(reference_date(year))
    live = live[(live["arrangement"] == arrangement) & live["role"].isin(wanted)]
    outlines = layers.countries()[["iso3", "name", "geometry"]]
    cols = ["country", "arrangement", "role", "start", "end", "attested", "sources", "note"]
    out = outlines.merge(live[cols], left_on="iso3", right_on="country", how="inner")
    out = out.drop(columns="country").sort_values("iso3").reset_index(drop=True)
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=layers.CRS)
    return gdf[["iso3", "name", *cols[1:], "geometry"]]


def memberships(year: int | None = None) -> pd.DataFrame:
    """Country x arrangement table of roles that year (empty cell: no role known).

    Index: ISO3 of every country with a role in any arrangement that year (sorted); columns:
    arrangement ids in the order of the layer.
    """
    arr, _ = _frames()
    live = roles_on(reference_date(year))
    table = live.pivot(index="country", columns="arrangement", values="role")
    table = table.reindex(columns=list(arr["id"])).sort_index()
    table.index.name, table.columns.name = "iso3", None
    return table


def customs_union_pairs(year: int | None = None) -> frozenset[frozenset[str]]:
    """Pairs of countries inside one customs union that year (their borders are not cleared).

    Every arrangement of kind ``customs_union`` counts; both countries must hold a member or
    founding-member role on the reference date (31 December of ``year``; today if None).

    >>> frozenset({"KAZ", "RUS"}) in customs_union_pairs(2012)   # doctest: +SKIP
    True
    """
    arr, _ = _frames()
    unions = set(arr.loc[arr["kind"] == "customs_union", "id"])
    live = roles_on(reference_date(year))
    live = live[live["arrangement"].isin(unions) & live["role"].isin(DEFAULT_ROLES)]
    pairs: set[frozenset[str]] = set()
    for _, group in live.groupby("arrangement"):
        members_ = sorted(set(group["country"]))
        pairs.update(frozenset((a, b)) for i, a in enumerate(members_) for b in members_[i + 1:])
    return frozenset(pairs)


def _route_km_by_country(route: Any) -> tuple[dict[str, float], float]:
    """km per ISO3 of a Route's legs (from the links layer) and its total km."""
    link_km = {str(i): d for i, d in zip(layers.links()["id"], layers.links()["length_by_country_km"],
                                         strict=True)}
    km: dict[str, float] = {}
    for ids in route.legs["link_ids"]:
        for link_id in ids:
            for iso3, value in (link_km.get(str(link_id)) or {}).items():
                km[iso3] = km.get(iso3, 0.0) + float(value)
    return km, float(route.legs["distance_km"].sum())


def corridor_arrangements(*, year: int | None = None, route: Any = None,
                          roles: Sequence[str] = DEFAULT_ROLES) -> pd.DataFrame:
    """Share of each corridor's length inside the members of each arrangement that year.

    Parameters
    ----------
    year
        The situation on 31 December of ``year`` (None: today).
    route
        A :class:`geo.Route` to measure instead of the bundled corridors: km per country come
        from the links of its legs; legs not in the links layer (sea) count as outside.
    roles
        Roles that count as inside (default: member and founding member).

    Returns
    -------
    DataFrame, one row per corridor (or the route): ``id``, ``name``, ``year``,
    ``length_km`` (``length_used_km``), ``countries`` (ISO3 in order), ``length_by_country_km``
    (dict), ``outside_km`` (water and outside every outline), then ``share_<arrangement>``
    for every arrangement: km inside its members / ``length_km``, 0-1.
    """
    arr, _ = _frames()
    wanted = _check_roles(roles)
    when = reference_date(year)
    live = roles_on(when)
    live = live[live["role"].isin(wanted)]
    inside = {a: set(live.loc[live["arrangement"] == a, "country"]) for a in arr["id"]}
    records: list[tuple[str, str, list[str], dict[str, float], float]] = []
    if route is None:
        corr = layers.corridors()
        for row in corr.itertuples(index=False):
            km = {str(k): float(v) for k, v in dict(row.length_by_country_km).items()}
            records.append((str(row.id), str(row.name), list(row.countries), km,
                            float(row.length_used_km)))
    else:
        km, total = _route_km_by_country(route)
        name = f"route {route.origin_id} -> {route.destination_id}"
        records.append((name, name, list(route.countries), km, total))
    rows = []
    for rid, name, countries, km, total in records:
        rec: dict[str, Any] = {
            "id": rid, "name": name, "year": year if year is not None else when.year,
            "length_km": round(total, 1), "countries": countries,
            "length_by_country_km": {k: round(v, 1) for k, v in km.items()},
            "outside_km": round(max(total - sum(km.values()), 0.0), 1),
        }
        for a in arr["id"]:
            rec[f"share_{a}"] = (round(sum(v for k, v in km.items() if k in inside[a]) / total, 4)
                                 if total > 0 else 0.0)
        rows.append(rec)
    return pd.DataFrame(rows)


def clear_cache() -> None:
    """Forget the cached table (after editing the file under ``$GEO_LAYERS_DIR``)."""
    _load.cache_clear()
