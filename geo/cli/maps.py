"""``geo maps``, ``geo map`` and ``geo figure``: the map and figure subcommands.

Wired into :mod:`geo.cli.main` through ``_ADDERS``; heavy modules are imported in the runners.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from geo._errors import GeoError, LayerError
from geo._io import refuse_overwriting_inputs

__all__ = ["add_figure_parser", "add_map_parser", "add_maps_parser"]


def _run_maps(args: argparse.Namespace) -> int:
    from geo.maps.gallery import build_gallery

    draws = {} if args.draws is None else {"n_draws": args.draws}
    pages = build_gallery(args.output, **draws)
    for page in pages:
        print(f"{args.output}/{page.file}  {page.size_bytes / 1e6:.2f} MB  {page.title}")
    print(f"{args.output}/index.html")
    return 0


def add_maps_parser(sub: Any) -> None:
    p = sub.add_parser("maps", help="build the offline map gallery (maps/)",
                       description="Build the map gallery: an overview, one map per "
                                   "corridor, the sea-versus-land comparison with days per "
                                   "route, the project sites, and index.html. Every page is "
                                   "one self-contained HTML file that works offline.")
    p.add_argument("-o", "--output", default="maps", help="output directory (default: maps)")
    p.add_argument("--draws", type=int, default=None,
                   help="Monte Carlo draws of the comparison (default: the library's, "
                        "geo.routing.estimate.N_DRAWS; seed 0)")
    p.set_defaults(func=_run_maps)


def _run_map(args: argparse.Namespace) -> int:
    from geo.maps.interactive import save_html
    from geo.readers import LAT_NAMES, LON_NAMES, read_points

    refuse_overwriting_inputs(args.output, [args.sites])
    sites: Any = True
    fields: list[str] = []
    if args.sites:
        try:
            sites = read_points(args.sites, lon=args.lon, lat=args.lat, layer=args.layer)
        except LayerError as exc:
            if len(exc.problems) > 1:  # every bad row, not only the first
                print(exc.report(), file=sys.stderr)
                print(f"geo map: {len(exc.problems)} problems in {args.sites}",
                      file=sys.stderr)
                return 2
            raise
        # every column in the popups, except the CSV coordinates (the marker shows them)
        coords = {args.lon, args.lat} | set(LON_NAMES) | set(LAT_NAMES)
        fields = [str(c) for c in sites.columns if c != sites.geometry.name
                  and c not in coords and str(c).strip().lower() not in coords]
    elif args.lon or args.lat or args.layer:
        raise GeoError("--lon, --lat and --layer apply to a --sites FILE")
    corridors: Any = args.corridor if args.corridor else True
    size = save_html(args.output, corridors=corridors, sites=sites, offline=args.offline,
                     title=args.title, site_fields=fields,
                     nodes=not args.no_nodes)
    print(f"{args.output}  {size / 1e6:.2f} MB")
    return 0


def add_map_parser(sub: Any) -> None:
    p = sub.add_parser("map", help="write one interactive map (HTML)",
                       description="Write a Leaflet map of the corridors with their nodes and "
                                   "sites, or of your own sites over the corridors. Sites "
                                   "files: CSV/TSV with longitude and latitude columns (WGS84 "
                                   "degrees), GeoJSON, GeoPackage or GeoParquet points; bad "
                                   "rows are listed with their line or feature numbers.")
    p.add_argument("-o", "--output", required=True, help="output HTML file")
    p.add_argument("--sites", metavar="FILE",
                   help="your own sites: .csv/.tsv, .geojson, .gpkg or .parquet")
    p.add_argument("--lon", help="CSV longitude column of --sites (default: "
                                 "lon/lng/long/longitude/x)")
    p.add_argument("--lat", help="CSV latitude column of --sites (default: lat/latitude/y)")
    p.add_argument("--layer", help="GeoPackage layer of --sites (default: the first)")
    p.add_argument("--corridor", action="append", metavar="ID",
                   help="corridor id to show (repeatable; default: all)")
    p.add_argument("--offline", action="store_true",
                   help="inline all scripts and draw country outlines instead of tiles")
    p.add_argument("--no-nodes", action="store_true", help="leave out the nodes layer")
    p.add_argument("--title", help="legend and page title")
    p.set_defaults(func=_run_map)


def _run_figure(args: argparse.Namespace) -> int:
    if args.arrangements:
        from geo.maps.timeline import membership_timeline

        path = membership_timeline(args.output, arrangements=args.arrangement,
                                   countries="all" if args.all_countries else "corridors",
                                   dpi=args.dpi)
        print(path)
        return 0
    from geo.maps.figure import figure

    path = figure(args.output, corridors=args.corridor or True, dpi=args.dpi)
    print(path)
    return 0


def add_figure_parser(sub: Any) -> None:
    p = sub.add_parser("figure", help="write a static map figure (PNG or SVG)",
                       description="Draw the corridors and sites over country outlines with a "
                                   "legend, scale bar and source note (matplotlib). The "
                                   "format follows the file name (.png or .svg); output is "
                                   "deterministic.")
    p.add_argument("-o", "--output", required=True, help="FILE.png or FILE.svg")
    p.add_argument("--corridor", action="append", metavar="ID",
                   help="corridor id to draw (repeatable; default: all)")
    p.add_argument("--dpi", type=int, default=150, help="PNG resolution (default 150)")
    p.add_argument("--arrangements", action="store_true",
                   help="write the membership timeline instead: one row per country, one bar "
                        "per role period and arrangement")
    p.add_argument("--arrangement", action="append", metavar="ID",
                   help="with --arrangements: arrangement id to draw (repeatable; default all)")
    p.add_argument("--all-countries", action="store_true",
                   help="with --arrangements: every country of the table (default: the "
                        "countries the corridors and sites touch)")
    p.set_defaults(func=_run_figure)
