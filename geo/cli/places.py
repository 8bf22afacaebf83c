"""``geo places``: list what can be routed (argparse wiring for :func:`geo.places`).

Listed among the subcommand adders of :mod:`geo.cli.main`.  A bad country code or kind is a
RoutingError that ``geo.cli.main`` prints as one line, exit status 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from geo.cli._common import EXIT_OK, text_table
from geo.schema import NodeKind

__all__ = ["add_places_parser"]


def _run_places(args: argparse.Namespace) -> int:
    from geo.routing.places import places

    frame = places(country=args.country, kind=args.kind)
    if args.format == "csv":
        out = frame.assign(aliases=frame["aliases"].map(";".join),
                           modes=frame["modes"].map(";".join))
        print(out.to_csv(index=False), end="")
        return EXIT_OK
    rows = [[str(rec["id"]), str(rec["name"]), str(rec["kind"] or ""), str(rec["country"] or ""),
             ", ".join(rec["modes"]), ", ".join(rec["aliases"])]
            for rec in frame.to_dict("records")]
    print(text_table(rows, ["id", "name", "kind", "country", "modes", "aliases"]))
    print(f"{len(rows)} places")
    return EXIT_OK


def add_places_parser(sub: Any) -> None:
    """Add ``geo places [--country ISO3] [--kind KIND] [--format table|csv]``."""

    p = sub.add_parser(
        "places", help="list the places that can be routed (nodes, aliases, modes)",
        description="List the nodes of the network that links or sea legs reach: id, name, "
                    "kind, country, the modes that reach them and their aliases (other "
                    "spellings and former names, all accepted by geo route).")
    p.add_argument("--country", metavar="ISO3", help="only places in this country (e.g. UZB)")
    p.add_argument("--kind", choices=NodeKind.choices(), help="only places of this kind")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="plain-text table (default) or CSV on stdout")
    p.set_defaults(func=_run_places)
