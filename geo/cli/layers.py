"""``geo corridors``, ``geo sites``, ``geo energy``, ``geo export`` and ``geo validate``: the
layer subcommands.

Wired into :mod:`geo.cli.main` through ``_ADDERS``; the library is imported in the runners so
``geo --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo._errors import GeoError
from geo._format import fmt_usd, json_value
from geo.cli._common import EXIT_OK, EXIT_PROBLEMS, cell, text_table
from geo.schema import EnergyKind, Financier, LayerKind, Sector

__all__ = ["add_corridors_parser", "add_energy_parser", "add_export_parser", "add_sites_parser",
           "add_validate_parser"]


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- corridors / sites


def _run_corridors(args: argparse.Namespace) -> int:
    from geo import layers

    gdf = layers.corridors()
    if args.format == "json":
        cols = ["id", "name", "modes", "status", "length_used_km", "documented_length_km",
                "geodesic_length_km", "documented_share", "countries"]
        print(json.dumps([{c: json_value(r[c]) for c in cols} for _, r in gdf.iterrows()],
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    rows = [[str(r["name"]), "+".join(r["modes"]), str(r["status"]),
             cell(r["length_used_km"]), cell(r["documented_length_km"]),
             cell(r["geodesic_length_km"]), f"{100 * r['documented_share']:.0f}%",
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

    def year(v: Any) -> str:
        try:
            return str(int(v))
        except (TypeError, ValueError):
            return "-"

    def financiers(v: Any) -> str:
        return ",".join(v) if isinstance(v, list) and v else "-"

    rows = [[str(r["name"])[:60], str(r["sector"]), str(r["country"]), str(r["company"])[:40],
             fmt_usd(r["value_usd"]) or "-", year(r["year"]), str(r["status"]), financiers(r["financier"])]
            for _, r in gdf.iterrows()]
    print(text_table(rows, ["site", "sector", "country", "company", "value",
                        "year", "status", "financier"]))
    print(f"\n{len(rows)} sites")
    return EXIT_OK


def add_sites_parser(sub: Any) -> None:
    p = sub.add_parser("sites", help="table of the Chinese-financed project sites",
                       description="Print the project sites: sector, country, company, "
                                   "documented value in USD, year, status, financiers.")
    p.add_argument("--sector", choices=Sector.choices())
    p.add_argument("--financier", choices=Financier.choices(),
                   help="only sites a source names this financier for")
    p.add_argument("--country", help="ISO 3166-1 alpha-3 code, e.g. KAZ")
    p.set_defaults(func=_run_sites)


def _capacity(row: Any) -> str:
    for column, unit in (("capacity_bcm_per_year", "bcm/yr"), ("capacity_mt_per_year", "Mt/yr"),
                         ("voltage_kv", "kV")):
        try:
            f = float(row[column])
        except (TypeError, ValueError, KeyError):
            continue
        if f == f:
            return f"{f:g} {unit}"
    return "-"


def _run_energy(args: argparse.Namespace) -> int:
    from geo import layers

    gdf = layers.energy()
    if args.kind:
        gdf = gdf[gdf["kind"] == args.kind]
    if args.country:
        code = args.country.upper()
        gdf = gdf[[code in c for c in gdf["countries"]]]
    if args.format == "json":
        cols = ["id", "name", "kind", "status", "opened", "capacity_bcm_per_year",
                "capacity_mt_per_year", "voltage_kv", "documented_length_km",
                "geodesic_length_km", "countries", "geodesic_km_by_country", "financier"]
        print(json.dumps([{c: json_value(r[c]) for c in cols} for _, r in gdf.iterrows()],
                         ensure_ascii=False, indent=1))
        return EXIT_OK

    def year(v: Any) -> str:
        try:
            return str(int(v))
        except (TypeError, ValueError):
            return "-"

    rows = [[str(r["name"])[:60], str(r["kind"]).replace("_", " "), _capacity(r),
             str(r["status"]), year(r["opened"]), cell(r["documented_length_km"]),
             cell(r["geodesic_length_km"]), "-".join(dict.fromkeys(r["countries"]))]
            for _, r in gdf.iterrows()]
    print(text_table(rows, ["line", "kind", "capacity", "status", "opened", "documented km",
                            "geodesic km", "countries"]))
    print(f"\n{len(rows)} energy lines; geodesic km: through the documented points (usually shorter "
          "than the built line; see each line's note).")
    return EXIT_OK


def add_energy_parser(sub: Any) -> None:
    p = sub.add_parser("energy", help="table of the pipelines and power lines",
                       description="Print the energy lines: kind, capacity with its unit, "
                                   "status, year opened, documented and geodesic length, "
                                   "countries crossed.")
    p.add_argument("--kind", choices=EnergyKind.choices())
    p.add_argument("--country", help="ISO 3166-1 alpha-3 code of a country crossed, e.g. TJK")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_run_energy)


# --------------------------------------------------------------------------- export / validate


def _run_export(args: argparse.Namespace) -> int:
    from geo.writers import export

    paths = export(args.output, file_format=args.format)
    for path in paths:
        print(path)
    return EXIT_OK


def add_export_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="write all layers with computed columns",
                       description="Write nodes, links, corridors, sites and energy lines "
                                   "with their "
                                   "computed columns (GeoJSON: one RFC 7946 file per layer; "
                                   "gpkg: one GeoPackage). Writes are atomic.")
    p.add_argument("--format", choices=["geojson", "gpkg"], default="geojson")
    p.add_argument("-o", "--output", required=True, help="output directory")
    p.set_defaults(func=_run_export)


def _run_validate(args: argparse.Namespace) -> int:
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
    p = sub.add_parser("validate", help="check a layer file against the schema",
                       description="Check a GeoJSON layer against the schema and list every "
                                   "problem (file, feature, id, field, what is allowed). "
                                   "Exit status 0: valid; 1: problems found; 2: bad usage.")
    p.add_argument("file")
    p.add_argument("--kind", choices=LayerKind.choices(),
                   help="layer kind (default: from the file name)")
    p.set_defaults(func=_run_validate)
