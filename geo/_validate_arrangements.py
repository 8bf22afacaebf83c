"""Validation of the arrangements layer: every problem at once, with file, row, field and rule.

``layers/arrangements.json`` holds two tables: ``arrangements`` (one object per regional
arrangement) and ``memberships`` (one object per country, arrangement and role period).
Dates carry the precision a source gives: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.  A period
runs from its ``start`` (inclusive) to its ``end`` (exclusive; empty while current); a partial
date stands for its first day.  Where no source dates the start of a role, ``start`` is empty
and ``attested`` gives the date on which a source shows the role.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._errors import Problem
from ._validate import _source_problem
from .schema import DATE_PATTERN, ID_PATTERN, ISO3_PATTERN, ArrangementKind, Role

__all__ = [
    "ARRANGEMENT_FIELDS",
    "MEMBERSHIP_FIELDS",
    "check_arrangements",
    "parse_date",
    "read_arrangements",
]

#: Fields of an arrangement: name -> (required, nullable).
ARRANGEMENT_FIELDS: dict[str, tuple[bool, bool]] = {
    "id": (True, False), "name": (True, False), "kind": (True, False),
    "founded": (True, True), "secretariat": (False, True), "sources": (True, False),
    "note": (False, True),
}
#: Fields of a membership period: name -> (required, nullable).
MEMBERSHIP_FIELDS: dict[str, tuple[bool, bool]] = {
    "arrangement": (True, False), "country": (True, False), "role": (True, False),
    "start": (True, True), "end": (True, True), "attested": (False, True),
    "sources": (True, False), "note": (False, True),
}
_DATE_FIELDS = ("founded", "start", "end", "attested")
#: Plausible years of a date in this layer.
YEAR_RANGE = (1900, 2100)


def parse_date(value: str) -> tuple[dt.date, str]:
    """``(first day, precision)`` of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Precision is ``"year"``, ``"month"`` or ``"day"``.  Raises ``ValueError`` naming the
    allowed forms.

    >>> parse_date("2015-07")
    (datetime.date(2015, 7, 1), 'month')
    """
    m = DATE_PATTERN.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD "
                         "(the precision the source gives)")
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    if not YEAR_RANGE[0] <= first.year <= YEAR_RANGE[1]:
        raise ValueError(f"{value!r} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return first, ("day" if day else "month" if month else "year")


def read_arrangements(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse ``path`` as the arrangements JSON object; problems if it is not one."""
    name = str(path)

    def bad(msg: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, None, None, None, msg)]

    if not path.is_file():
        return bad("file does not exist or is not a file")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return bad(f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return bad(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if not isinstance(data, dict):
        return bad("top level must be an object with 'arrangements' and 'memberships' lists")
    missing = [k for k in ("arrangements", "memberships") if not isinstance(data.get(k), list)]
    if missing:
        return bad(f"{' and '.join(repr(k) for k in missing)} missing or not a list; the file "
                   "holds an object {\"arrangements\": [...], \"memberships\": [...]}")
    return data, []


def _field_problem(field: str, value: Any) -> str | None:
    if field in _DATE_FIELDS:
        try:
            parse_date(value)
        except ValueError as exc:
            return str(exc)
        return None
    if field == "sources":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list of {title, url} objects"
        msgs = [f"source {i}: {m}" for i, v in enumerate(value) if (m := _source_problem(v))]
        return "; ".join(msgs) or None
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if field in ("id", "arrangement") and not ID_PATTERN.match(value):
        return f"{value!r} is not a valid id: lower-case letters, digits and '_' ({ID_PATTERN.pattern})"
    if field == "kind" and value not in ArrangementKind.choices():
        return f"{value!r} is not allowed; must be one of {ArrangementKind.choices()}"
    if field == "role" and value not in Role.choices():
        return f"{value!r} is not allowed; must be one of {Role.choices()}"
    if field == "country" and not ISO3_PATTERN.match(value):
        return f"{value!r} is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. 'KAZ')"
    return None


def _check_fields(row: Any, spec: Mapping[str, tuple[bool, bool]],
                  add: Callable[[str | None, str], None]) -> bool:
    """Check one row against ``spec``; False if it is not an object at all."""
    if not isinstance(row, dict):
        add(None, "must be an object")
        return False
    for key in row:
        if key not in spec:
            add(key, f"unknown field; allowed fields are {list(spec)}")
    for field, (required, nullable) in spec.items():
        value = row.get(field)
        if value is None:
            if field not in row and required:
                add(field, "is missing")
            elif not nullable and field in row:
                add(field, "must not be null")
            continue
        if (msg := _field_problem(field, value)) is not None:
            add(field, msg)
    return True


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return parse_date(value)[0]
    except (ValueError, TypeError):
        return None


def _check_arrangement_rows(rows: Any, *, name: str, problems: list[Problem]) -> dict[str, int]:
    """Check the ``arrangements`` table into ``problems``; return id -> row of the valid rows."""
    ids: dict[str, int] = {}
    for i, row in enumerate(rows):
        rid = row.get("id") if isinstance(row, dict) else None
        label = f"arrangements[{i}] {rid}" if isinstance(rid, str) else f"arrangements[{i}]"

        def add(field: str | None, msg: str, _i: int = i, _l: str = label) -> None:
            problems.append(Problem(name, _i, _l, field, msg))

        if not _check_fields(row, ARRANGEMENT_FIELDS, add):
            continue
        if isinstance(rid, str):
            if rid in ids:
                add("id", f"duplicate id {rid!r} (first used by arrangements[{ids[rid]}]); "
                          "ids must be unique")
            else:
                ids[rid] = i
    return ids


def check_arrangements(data: Mapping[str, Any], *, name: str,
                       iso3_codes: set[str] | None = None) -> list[Problem]:
    """Every problem in a parsed arrangements object (empty list if valid).

    Rows are numbered from 0 within their table; ``feature_id`` names the table and row
    (``arrangement 'sco'``, ``membership sco/KAZ``).
    """
    problems: list[Problem] = []
    ids = _check_arrangement_rows(data.get("arrangements", []), name=name, problems=problems)
    periods: dict[tuple[str, str], list[tuple[int, dt.date, dt.date | None]]] = {}
    for i, row in enumerate(data.get("memberships", [])):
        ok = isinstance(row, dict)
        key = (row.get("arrangement"), row.get("country")) if ok else (None, None)
        label = (f"memberships[{i}] {key[0]}/{key[1]}" if all(isinstance(k, str) for k in key)
                 else f"memberships[{i}]")

        def add(field: str | None, msg: str, _i: int = i, _l: str = label) -> None:
            problems.append(Problem(name, _i, _l, field, msg))

        if not _check_fields(row, MEMBERSHIP_FIELDS, add):
            continue
        arrangement, country = key
        if isinstance(arrangement, str) and ID_PATTERN.match(arrangement) and arrangement not in ids:
            add("arrangement", f"{arrangement!r} is not an arrangement id of this file; "
                               f"known: {sorted(ids)}")
        if (isinstance(country, str) and ISO3_PATTERN.match(country) and iso3_codes is not None
                and country not in iso3_codes):
            add("country", f"{country!r} is not a known ISO 3166-1 alpha-3 code of the country "
                           "outlines (layers/countries.geojson)")
        start, end = _date_or_none(row.get("start")), _date_or_none(row.get("end"))
        attested = _date_or_none(row.get("attested"))
        if row.get("start") is None and row.get("attested") is None:
            add("start", "is empty and no 'attested' date is given: give the start a source "
                         "dates, or the date a source shows the role as 'attested'")
        if row.get("start") is not None and row.get("attested") is not None:
            add("attested", "only for rows whose start no source gives; drop it or the start")
        begin = start or attested
        if begin is not None and end is not None and end <= begin:
            which = "start" if start else "attested"
            add("end", f"{row.get('end')} is not after {which} {row.get(which)}: a period must end "
                       "after it begins (end is exclusive)")
            continue
        if begin is not None and isinstance(arrangement, str) and isinstance(country, str):
            periods.setdefault((arrangement, country), []).append((i, begin, end))
    problems.extend(_overlaps(periods, name))
    return problems


def _overlaps(periods: Mapping[tuple[str, str], list[tuple[int, dt.date, dt.date | None]]],
              name: str) -> list[Problem]:
    out: list[Problem] = []
    for (arrangement, country), rows in periods.items():
        rows = sorted(rows, key=lambda r: r[1])
        for (i, _b1, e1), (j, b2, _e2) in itertools.pairwise(rows):
            if e1 is None or b2 < e1:
                until = "open-ended" if e1 is None else f"until {e1.isoformat()}"
                out.append(Problem(name, j, f"memberships[{j}] {arrangement}/{country}", "start",
                                   f"period from {b2.isoformat()} overlaps memberships[{i}] "
                                   f"({until}) for the same country and arrangement; end the "
                                   "earlier period where the next one starts"))
    return out
