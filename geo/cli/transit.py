"""``geo route`` and ``geo compare``: argparse wiring for routing and transit times.

Kept beside :mod:`geo.cli.main`, which lists :func:`add_route_parser` and
:func:`add_compare_parser` among its subcommand adders.  Errors are GeoError subclasses
(RoutingError, ScenarioError) that ``geo.cli.main`` turns into one line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from geo._errors import GeoError
from geo._io import refuse_overwriting_inputs
from geo.cli._common import cell, text_table

__all__ = ["add_compare_parser", "add_route_parser"]


def _finite(value: Any, where: str = "$") -> Any:
    """``value`` with NaN as null (missing); an infinite number is refused (never emitted)."""
    if isinstance(value, float):
        if value != value:
            return None
        if value in (float("inf"), float("-inf")):

            raise GeoError(f"the result has an infinite value at {where}; check the scenario "
                           "values (speeds > 0, finite waits)")
        return value
    if isinstance(value, dict):
        return {k: _finite(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _json_text(doc: Any) -> str:
    """Strict JSON (RFC 8259): never NaN or Infinity."""
    return json.dumps(_finite(doc), ensure_ascii=False, indent=1, allow_nan=False)


def _place(text: str) -> Any:
    """``"lon,lat"`` -> (lon, lat); anything else stays a name or id."""
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            pass
    return text


def _run_route(args: argparse.Namespace) -> int:
    from geo.routing.paths import route

    avoid = [a for item in (args.avoid or []) for a in item.split(",") if a]
    r = route(_place(args.origin), _place(args.destination), optimize=args.optimize,
              scenario=args.scenario, avoid=avoid or None,
              modes=args.modes.split(",") if args.modes else None, k=args.k)
    if args.format == "json":
        print(_json_text(r.to_geojson()))
        return 0
    for n, rt in enumerate([r, *r.alternatives], start=1):
        s = rt.summary()
        title = f"route {n}: " if args.k > 1 else ""
        print(f"{title}{rt.origin_id} -> {rt.destination_id}, scenario {s['scenario']!r}: "
              f"{s['distance_km']:,.0f} km, {s['transit_days']:.1f} days median "
              f"(p10-p90 {s['p10_days']:.1f}-{s['p90_days']:.1f}; moving "
              f"{s['moving_days']:.1f}, waiting {s['dwell_days']:.1f}; all parameters "
              f"likely {s['all_likely_days']:.1f})")
        if rt.origin_snap_km or rt.destination_snap_km:
            print(f"snapped: origin {rt.origin_snap_km:.1f} km, destination "
                  f"{rt.destination_snap_km:.1f} km")
        rows = [[str(x.leg), x.mode, f"{x.from_id} -> {x.to_id}", cell(x.distance_km),
                 cell(x.moving_h, ".1f"), cell(x.dwell_h, ".1f"), ",".join(x.countries),
                 x.dwell_note] for x in rt.legs.itertuples()]
        print(text_table(rows, ["leg", "mode", "from -> to", "km", "moving_h", "dwell_h",
                            "countries", "waiting"]))
    return 0


def add_route_parser(sub: Any) -> None:
    """Add ``geo route A B``."""
    p = sub.add_parser("route", help="best route between two places, with legs and times",
                       description="Route between two places (node id, name, or 'lon,lat').")
    p.add_argument("origin")
    p.add_argument("destination")
    p.add_argument("--avoid", action="append", metavar="ITEMS",
                   help="countries (ISO3), node ids, passages (suez, cape, babalmandab, "
                        "bosporus) or modes; comma-separated or repeated")
    p.add_argument("--modes", help="allowed modes, comma-separated (rail,road,ferry,sea)")
    p.add_argument("--scenario", default="official",
                   help="official, observed, disrupted or a TOML file (default official)")
    p.add_argument("--optimize", choices=["time", "distance"], default="time")
    p.add_argument("-k", type=int, default=1, help="number of alternative routes")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_run_route)


#: Width of the terminal tables of ``geo compare``.
WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False)


def _compare_table(c: Any) -> list[str]:
    union = "" if getattr(c.scenario, "customs_union", True) else ", without the customs union"
    out = [_wrap(f"{c.title}, scenario {c.scenario.name!r}{union}: median days of the seeded "
                 "draws, p10-p90 range, moving and waiting days of the median draw", "")]
    rows = [[str(r.title), cell(r.distance_km), cell(r.transit_days, ".1f"),
             f"{cell(r.p10_days, '.1f')}-{cell(r.p90_days, '.1f')}"
             if r.p10_days == r.p10_days else "-",
             cell(r.moving_days, ".1f"), cell(r.dwell_days, ".1f")]
            for r in c.routes.itertuples()]
    table = text_table(rows, ["alternative", "km", "median", "p10-p90", "moving", "waiting"])
    lines = table.splitlines()
    out += lines[:2]
    for line, r in zip(lines[2:], c.routes.itertuples(), strict=True):
        out.append(line)
        for extra in (r.path, r.note):
            if isinstance(extra, str) and extra:
                out.append(_wrap(extra, "    "))
    return out


def _claim_lines(claims: Any) -> list[str]:
    scenarios = [c_[: -len("_verdict")] for c_ in claims.columns if c_.endswith("_verdict")]
    out = ["", _wrap("Claims next to the model.  Verdict: the claim is within, above or below "
                     "the model's p10-p90 days (km: within +/-10 % of the route length); "
                     "ranges and all-likely figures in --format csv/json.", "")]
    for claim_id, group in claims.groupby("claim_id", sort=False):
        first = group.iloc[0]
        out.append("")
        out.append(_wrap(f"{claim_id} ({first['kind']}): {first['claim']} [{first['claimed']}]",
                         ""))
        out.append(_wrap(f"source: {first['source_title']}"
                         + (f" <{first['source_url']}>" if first["source_url"] else ""), "  "))
        for _, r in group.iterrows():
            if not r["model_route"]:
                continue
            km = cell(r["model_distance_km"])
            out.append(_wrap(f"{r['model_route']} ({km} km)", "  "))
            if r["note"]:
                out.append(_wrap(f"note: {r['note']}", "    "))
            if r["metric"] == "km":
                verdicts = {r.get(f"{s}_verdict", "") for s in scenarios} - {""}
                out.append(f"    model {km} km: claim {' / '.join(sorted(verdicts)) or '-'}")
                continue
            cells = []
            for s in scenarios:
                days = r.get(f"{s}_days")
                verdict = r[f"{s}_verdict"]
                cells.append(f"{s} {cell(days, '.1f')} d" + (f", claim {verdict}" if verdict else "")
                             if days == days else f"{s}: {r.get(f'{s}_range') or '-'}")
            out.append(_wrap(" \u00b7 ".join(cells), "    "))
    return out


def _run_compare(args: argparse.Namespace) -> int:
    from geo.routing._display import round_export
    from geo.routing.alternatives import compare

    if args.chart:

        refuse_overwriting_inputs(args.chart, [args.scenario])
    c = compare(_place(args.origin), _place(args.destination), scenario=args.scenario,
                customs_union=not args.no_customs_union, year=args.year)
    claims = None if args.no_claims else c.claims()
    if args.chart:
        c.chart(args.chart)
        print(f"wrote {args.chart}", file=sys.stderr)
    if args.format == "json":
        doc = c.to_dict()
        if claims is not None:
            doc["claims"] = json.loads(round_export(claims).to_json(orient="records"))
        print(_json_text(doc))
        return 0
    if args.format == "csv":
        sys.stdout.write(round_export(c.routes).to_csv(index=False))
        if claims is not None:
            sys.stdout.write("\n")
            sys.stdout.write(round_export(claims).to_csv(index=False))
        return 0
    lines = _compare_table(c) + ([] if claims is None else _claim_lines(claims))
    print("\n".join(lines))
    return 0


def add_compare_parser(sub: Any) -> None:
    """Add ``geo compare [A B]``."""
    p = sub.add_parser("compare", help="sea vs Middle Corridor vs northern rail, and the claims",
                       description="Standard alternatives side by side (default Xi'an -> "
                                   "Duisburg) and the claim table.")
    p.add_argument("origin", nargs="?", default="xian")
    p.add_argument("destination", nargs="?", default="duisburg")
    p.add_argument("--scenario", default="official",
                   help="official, observed, disrupted or a TOML file (default official)")
    p.add_argument("--chart", metavar="FILE.png", help="write a stacked bar chart")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--no-claims", action="store_true", help="leave out the claim table")
    p.add_argument("--no-customs-union", action="store_true",
                   help="what-if: rail borders inside a customs union (Kazakhstan-Russia, "
                        "Russia-Belarus) cost a full border crossing")
    p.add_argument("--year", type=int, default=None, metavar="Y",
                   help="memberships of year Y decide the customs-union borders (default: today)")
    p.set_defaults(func=_run_compare)
