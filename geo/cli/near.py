"""``geo near FILE``: argparse wiring for :func:`geo.near` on a user's point file.

Listed among the subcommand adders of :mod:`geo.cli.main`.  Errors are GeoError subclasses
(LayerError for bad rows or columns) that ``geo.cli.main`` prints as one line, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from geo._errors import GeoError, LayerError
from geo._io import refuse_overwriting_inputs

__all__ = ["add_near_parser"]

#: Show a progress bar from this many points on (and in blocks of about 5 % of the run).
PROGRESS_FROM_POINTS = 50_000


def _run_near(args: argparse.Namespace) -> int:
    from geo.proximity import near, prepare, write_near
    from geo.readers import read_points

    refuse_overwriting_inputs(args.output, [args.file])
    refuse_overwriting_inputs(f"{args.output}.provenance.json", [args.file])
    try:
        points = read_points(args.file, lon=args.lon, lat=args.lat, layer=args.layer)
    except LayerError as exc:
        if len(exc.problems) > 1:  # every bad row, not only the first
            print(exc.report(), file=sys.stderr)
            print(f"geo near: {len(exc.problems)} problems in {args.file}", file=sys.stderr)
            return 2
        raise

    wanted = tuple(x.strip() for x in args.layers.split(",") if x.strip())
    try:
        index = prepare(with_country=not args.no_country, layers=wanted)
    except ValueError as exc:
        raise GeoError(f"--layers: {exc}") from None
    n = len(points)
    chunk = max(10_000, min(100_000, n // 20 or 1))
    show = n >= PROGRESS_FROM_POINTS and not args.no_progress
    if show:
        from tqdm import tqdm

        with tqdm(total=n, unit="pt", unit_scale=True, file=sys.stderr,
                  desc="geo near") as bar:
            result = near(points, index=index, within_km=args.within_km, chunk_points=chunk,
                          progress=bar.update, overwrite=args.overwrite)
    else:
        result = near(points, index=index, within_km=args.within_km, chunk_points=chunk,
                      overwrite=args.overwrite)
    path = write_near(result, args.output, source=args.file, within_km=args.within_km)
    where = "" if args.within_km is None else f" within {args.within_km:g} km"
    what = " or ".join({"corridors": "a corridor", "energy": "an energy line"}[x]
                       for x in index.layers)
    print(f"{len(result)} of {n} points{where} of {what} -> {path}")
    return 0


def add_near_parser(sub: Any) -> None:
    """Add ``geo near FILE [--within-km KM] -o OUT.gpkg|OUT.geojson|OUT.csv``."""
    p = sub.add_parser(
        "near", help="nearest corridor, distance, position along it and country per point",
        description="For every point of FILE (CSV with lon/lat columns, GeoJSON, GeoPackage "
                    "or GeoParquet): the nearest corridor and link, the geodesic distance "
                    "to it on WGS84 (km), the position along the corridor (km from its "
                    "start) and the country. Bad rows are listed with their line or feature "
                    "numbers. The output is written atomically, with provenance.")
    p.add_argument("file", help="points: .csv/.tsv, .geojson, .gpkg or .parquet")
    p.add_argument("--within-km", type=float, default=None, metavar="KM",
                   help="keep only points at most KM from a corridor")
    p.add_argument("-o", "--output", required=True,
                   help="OUT.gpkg, OUT.geojson or OUT.csv (CSV: provenance in "
                        "OUT.csv.provenance.json)")
    p.add_argument("--lon", help="CSV longitude column (default: lon/lng/long/longitude/x)")
    p.add_argument("--lat", help="CSV latitude column (default: lat/latitude/y)")
    p.add_argument("--layer", help="GeoPackage layer (default: the first)")
    p.add_argument("--layers", default="corridors", metavar="corridors,energy",
                   help="what to measure to, comma-separated: corridors (default) and/or "
                        "energy (pipelines and power lines: adds energy_id, energy_kind, "
                        "energy_distance_km, energy_position_km)")
    p.add_argument("--no-country", action="store_true", help="skip the country lookup")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--overwrite", action="store_true",
                   help="replace output columns already present in FILE")
    p.set_defaults(func=_run_near)
