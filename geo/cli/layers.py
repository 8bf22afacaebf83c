"""``geo corridors``, ``geo sites``, ``geo export`` and ``geo validate``: the layer subcommands.

Wired into :mod:`geo.cli.main` through ``_ADDERS``; the library is imported in the runners so
``geo --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo.cli._common import EXIT_OK, EXIT_PROBLEMS, text_table

__all__ = ["add_corridors_parser", "add_export_parser", "add_sites_parser", "add_validate_parser"]


# --------------------------------------------------------------------------- helpers


def _fmt_km(value: Any) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "-"
    if f != f:  # NaN
        return "-"
    return f"{f:,.0f}"


# --------------------------------------------------------------------------- corridors / sites


def _run_corridors(args: argparse.Namespace) -> int:
    from geo import layers

    gdf = layers.corridors()
    if args.format == "json":
        cols = ["id", "name", "modes", "status", "length_used_km", "documented_length_km",
                "geodesic_length_km", "documented_share", "countries"]
        from geo.writers import _json_value

        print(json.dumps([{c: _json_value(r[c]) for c in cols} for _, r in gdf.iterrows()],
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    rows = [[str(r["name"]), "+".join(r["modes"]), str(r["status"]),
             _fmt_km(r["length_used_km"]), _fmt_km(r["documented_length_km"]),
             _fmt_km(r["geodesic_length_km"]), f"{100 * r['documented_share']:.0f}%",
             "-".join(r["countries"])] for _, r in gdf.iterrows()]
    print(text_table(rows, ["corridor", "modes", "status", "used km", "documented km",
                        "geodesic km", "documented share", "countries"]))
    print("\nused km: documented section lengths where a source gives one, else geodesic "
          "length x the link's circuity factor; documented share: part of used km from "
          "documented sections.")
    return EXIT_OK


def add_corridors_parser(sub: Any) -> None:
    p = sub.add_parser("corridors", help="table of the corridors and their lengths",
                       description="Print the corridors: modes, status, length used for "
                                   "transit times, documented length, geodesic length, "
                                   "countries crossed.")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_run_corridors)


def _run_sites(args: argparse.Namespace) -> int:
    from geo import layers

    gdf = layers.sites()
    if args.sector:
        gdf = gdf[gdf["sector"] == args.sector]
    if args.country:
        gdf = gdf[gdf["country"] == args.country.upper()]
    if args.financier:
        gdf = gdf[gdf["financier"].map(lambda f: isinstance(f, list) and args.financier in f)]

    def value(v: Any) -> str:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return "-"
        if f != f:
            return "-"
        return f"${f / 1e9:,.2f}bn" if f >= 1e9 else f"${f / 1e6:,.0f}M"

    def year(v: Any) -> str:
        try:
            return str(int(v))
        except (TypeError, ValueError):
            return "-"

    def financiers(v: Any) -> str:
        return ",".join(v) if isinstance(v, list) and v else "-"

    rows = [[str(r["name"])[:60], str(r["sector"]), str(r["country"]), str(r["company"])[:40],
             value(r["value_usd"]), year(r["year"]), str(r["status"]), financiers(r["financier"])]
            for _, r in gdf.iterrows()]
    print(text_table(rows, ["site", "sector", "country", "company", "value",
                        "year", "status", "financier"]))
    print(f"\n{len(rows)} sites")
    return EXIT_OK


def add_sites_parser(sub: Any) -> None:
    from geo.schema import Financier, Sector

    p = sub.add_parser("sites", help="table of the Chinese-financed project sites",
                       description="Print the project sites: sector, country, company, "
                                   "documented value in USD, year, status, financiers.")
    p.add_argument("--sector", choices=Sector.choices())
    p.add_argument("--financier", choices=Financier.choices(),
                   help="only sites a source names this financier for")
    p.add_argument("--country", help="ISO 3166-1 alpha-3 code, e.g. KAZ")
    p.set_defaults(func=_run_sites)


# --------------------------------------------------------------------------- export / validate


def _run_export(args: argparse.Namespace) -> int:
    from geo.writers import export

    paths = export(args.output, file_format=args.format)
    for path in paths:
        print(path)
    return EXIT_OK


def add_export_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="write all layers with computed columns",
                       description="Write nodes, links, corridors and sites with their "
                                   "computed columns (GeoJSON: one RFC 7946 file per layer; "
                                   "gpkg: one GeoPackage). Writes are atomic.")
    p.add_argument("--format", choices=["geojson", "gpkg"], default="geojson")
    p.add_argument("-o", "--output", required=True, help="output directory")
    p.set_defaults(func=_run_export)


def _run_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from geo._errors import GeoError
    from geo.layers import validate

    if not Path(args.file).is_file():
        raise GeoError(f"{args.file}: file does not exist")
    problems = validate(args.file, kind=args.kind)
    if not problems:
        print(f"{args.file}: valid")
        return EXIT_OK
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {args.file}",
          file=sys.stderr)
    return EXIT_PROBLEMS


def add_validate_parser(sub: Any) -> None:
    from geo.schema import LayerKind

    p = sub.add_parser("validate", help="check a layer file against the schema",
                       description="Check a GeoJSON layer against the schema and list every "
                                   "problem (file, feature, id, field, what is allowed). "
                                   "Exit status 0: valid; 1: problems found; 2: bad usage.")
    p.add_argument("file")
    p.add_argument("--kind", choices=LayerKind.choices(),
                   help="layer kind (default: from the file name)")
    p.set_defaults(func=_run_validate)
