"""``geo route`` and ``geo compare``: argparse wiring for routing and transit times.

Kept beside :mod:`geo.cli.main`, which lists :func:`add_route_parser` and
:func:`add_compare_parser` among its subcommand adders.  Errors are GeoError subclasses
(RoutingError, ScenarioError) that ``geo.cli.main`` turns into one line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo._format import is_missing
from geo.cli._common import cell, text_table

__all__ = ["add_compare_parser", "add_route_parser"]


def _finite(value: Any, where: str = "$") -> Any:
    """``value`` with NaN as null (missing); an infinite number is refused (never emitted)."""
    if isinstance(value, float):
        if value != value:
            return None
        if value in (float("inf"), float("-inf")):
            from geo._errors import GeoError

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


def _run_compare(args: argparse.Namespace) -> int:
    from geo.routing.alternatives import compare

    if args.chart:
        from geo._io import refuse_overwriting_inputs

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
            doc["claims"] = json.loads(claims.to_json(orient="records"))
        print(_json_text(doc))
        return 0
    if args.format == "csv":
        sys.stdout.write(c.routes.to_csv(index=False))
        if claims is not None:
            sys.stdout.write("\n")
            sys.stdout.write(claims.to_csv(index=False))
        return 0
    union = "" if c.scenario.customs_union else ", without the customs union"
    print(f"{c.origin_id} -> {c.destination_id}, scenario {c.scenario.name!r}{union}")
    rows = [[str(r.title), r.end_id if isinstance(r.end_id, str) else "-", cell(r.end_gap_km),
             cell(r.distance_km), cell(r.moving_days, ".1f"), cell(r.dwell_days, ".1f"),
             cell(r.transit_days, ".1f"),
             f"{cell(r.p10_days, '.1f')}-{cell(r.p90_days, '.1f')}"
             if not is_missing(r.p10_days) else "-",
             cell(r.all_likely_days, ".1f"), str(r.note or "")]
            for r in c.routes.itertuples()]
    print(text_table(rows, ["route", "ends at", "gap_km", "km", "moving_d", "waiting_d",
                        "median_d", "p10-p90", "all_likely_d", "note"]))
    if claims is not None:
        print("\nClaims next to the model (days: median, p10-p90 per scenario; "
              "all-likely figures in --format csv/json)")
        cols = [c_ for c_ in claims.columns if (c_.endswith("_days") or c_.endswith("_range"))
                and not c_.endswith("_all_likely_days")]
        rows = [[str(r["claim_id"]), str(r["kind"]), str(r["claimed"]), str(r["model_route"]),
                 cell(r["model_distance_km"]), *[cell(r[c_], ".1f") if c_.endswith("_days")
                                                 else str(r[c_]) for c_ in cols],
                 str(r["source_url"] or r["source_title"])] for _, r in claims.iterrows()]
        print(text_table(rows, ["claim", "kind", "claimed", "model route", "model_km", *cols,
                            "source"]))
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
