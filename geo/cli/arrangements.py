"""``geo arrangements``: the regional arrangements table (who belongs where, since when).

Listed among the subcommand adders of :mod:`geo.cli.main`.  Unknown arrangements or years
are :class:`geo.ArrangementError` (a GeoError), printed as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from geo._errors import ArrangementError
from geo.cli._common import EXIT_OK, text_table

__all__ = ["add_arrangements_parser"]

_COLUMNS = ["arrangement", "country", "country_name", "role", "start", "end", "attested"]


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _share_rows(table: Any) -> tuple[list[str], list[list[str]]]:
    shares = [c for c in table.columns if c.startswith("share_")]
    headers = ["corridor", "year", "length_km", *[c.removeprefix("share_") for c in shares]]
    rows = [[str(r["id"]), str(r["year"]), f"{r['length_km']:,.0f}",
             *[f"{100 * r[c]:.0f}%" for c in shares]] for _, r in table.iterrows()]
    return headers, rows


def _run_arrangements(args: argparse.Namespace) -> int:
    from geo._provenance import provenance
    from geo.membership import arrangements, corridor_arrangements, reference_date, roles_on

    if args.corridors:
        table = corridor_arrangements(year=args.year)
        if args.arrangement:
            col = f"share_{args.arrangement}"
            if col not in table.columns:
                known = [c.removeprefix("share_") for c in table.columns if c.startswith("share_")]
                raise ArrangementError(f"unknown arrangement {args.arrangement!r}; must be one "
                                       f"of {known}")
            table = table[["id", "name", "year", "length_km", "countries",
                           "length_by_country_km", "outside_km", col]]
        if args.format == "json":
            out = {"corridors": json.loads(table.to_json(orient="records")),
                   "provenance": provenance()}
            print(json.dumps(out, ensure_ascii=False, indent=1))
        elif args.format == "csv":
            flat = table.copy()
            for col in ("countries", "length_by_country_km"):
                flat[col] = [json.dumps(v, sort_keys=True) for v in flat[col]]
            print(flat.to_csv(index=False), end="")
        else:
            headers, rows = _share_rows(table)
            print(text_table(rows, headers))
            print("share = km inside members (member, founding member) / corridor length")
        return EXIT_OK

    known = list(arrangements(table="arrangements")["id"])
    if args.arrangement and args.arrangement not in known:
        raise ArrangementError(f"unknown arrangement {args.arrangement!r}; must be one of {known}")
    table = arrangements() if args.year is None else roles_on(reference_date(args.year))
    if args.arrangement:
        table = table[table["arrangement"] == args.arrangement]
    table = table.sort_values(["arrangement", "country", "valid_from"], kind="stable")
    if args.format == "json":
        records = [{**{c: (None if _cell(r[c]) == "" else r[c]) for c in _COLUMNS},
                    "sources": r["sources"], "note": r["note"]} for _, r in table.iterrows()]
        out = {"year": args.year, "memberships": records,
               "provenance": provenance()}
        print(json.dumps(out, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([*_COLUMNS, "sources", "note"])
        for _, r in table.iterrows():
            sources = "; ".join(f"{s['title']} <{s['url']}>" for s in r["sources"])
            writer.writerow([*(_cell(r[c]) for c in _COLUMNS), sources, _cell(r["note"])])
        sys.stdout.write(buf.getvalue())
    else:
        rows = [[_cell(r[c]) for c in _COLUMNS] + [str(len(r["sources"]))]
                for _, r in table.iterrows()]
        print(text_table(rows, [*_COLUMNS, "sources"]))
        when = "all periods" if args.year is None else f"roles on {reference_date(args.year)}"
        print(f"{len(rows)} rows ({when}); --format csv or json for sources and notes")
    return EXIT_OK


def add_arrangements_parser(sub: Any) -> None:
    """Add ``geo arrangements [--year Y] [--arrangement ID] [--corridors] [--format ...]``."""
    p = sub.add_parser(
        "arrangements", help="regional arrangements: roles of countries over time, cited",
        description="Print the cited table of regional arrangements (SCO, CICA, EAEU and its "
                    "customs union, CSTO, CIS, CAREC, AIIB, Organization of Turkic States, "
                    "the TITR association, Belt and Road documents): one row per country, "
                    "arrangement and role period. With --year, only the roles held on 31 "
                    "December of that year (today for the current year). With --corridors, "
                    "the share of each corridor's length inside each arrangement's members.")
    p.add_argument("--year", type=int, default=None, metavar="Y",
                   help="roles held that year (default: every period)")
    p.add_argument("--arrangement", default=None, metavar="ID",
                   help="one arrangement id, e.g. sco, eaeu, eaeu_customs_union")
    p.add_argument("--corridors", action="store_true",
                   help="share of each corridor inside the members (default year: today)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="output format (default: table)")
    p.set_defaults(func=_run_arrangements)
