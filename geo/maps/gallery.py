"""The map gallery (``maps/``): overview, one map per corridor, sea versus land, sites, index.

Every page is an offline map (:func:`geo.make_map` with ``offline=True``): one HTML file with
Leaflet, jQuery and the country outlines inlined, so it opens from a ``file://`` URL with no
network.  Pages are byte-for-byte reproducible (deterministic element ids, seeded transit
simulation, no dates), which lets a test rebuild the gallery and compare it with the
committed ``maps/``.  Files are written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo import layers
from geo._errors import GeoError, InputError
from geo._format import fmt_days, fmt_km
from geo._io import atomic_write, load_json
from geo._provenance import provenance
from geo.maps._html import escape_html, json_for_script
from geo.maps._ids import deterministic_ids
from geo.maps._popups import text_list, tooltip_html
from geo.maps.arrangements import FIRST_YEAR, write_arrangements_page
from geo.maps.interactive import make_map, render_html, route_popup
from geo.maps.routes import comparison_routes, route_frame
from geo.maps.story import StoryPanel, story_data
from geo.measure import geodesic_path
from geo.membership import arrangements as load_arrangements
from geo.membership import arrangements_path
from geo.routing.alternatives import claim_table, compare, paper, scenario_chart
from geo.routing.estimate import N_DRAWS

__all__ = ["GalleryPage", "build_gallery", "comparison_page", "comparison_routes"]

log = logging.getLogger(__name__)

#: Default end points of the sea-versus-land comparison (node ids).
COMPARE_FROM = "xian"
COMPARE_TO = "duisburg"
_SAFE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: Stacked bar chart of moving versus waiting days per alternative, beside comparison.html.
COMPARISON_CHART = "comparison.png"
#: Files written by the last build (JSON); only these are ever removed by a later build.
MANIFEST = ".geo-maps-manifest.json"


@dataclass(frozen=True)
class GalleryPage:
    """One page of the gallery: file name, title, one-line description, size in bytes."""

    file: str
    title: str
    description: str
    size_bytes: int
    build_s: float


def _write_page(directory: Path, file: str, *, title: str, description: str,
                **kwargs: Any) -> GalleryPage:

    started = time.perf_counter()
    data = render_html(offline=True, title=title, **kwargs).encode("utf-8")
    atomic_write(directory / file, data)
    elapsed = time.perf_counter() - started
    log.info("wrote %s (%d bytes, %.1f s)", directory / file, len(data), elapsed)
    return GalleryPage(file, title, description, len(data), elapsed)


#: Scenarios shown side by side on the comparison page.
SCENARIOS = ("official", "observed", "disrupted")
_SCENARIO_TITLES = {
    "official": "Official: operators' and governments' claims and targets",
    "observed": "Observed: measured border times, speeds and transit times (2022-2024)",
    "disrupted": "Disrupted: Red Sea closed (ships go round the Cape), Caspian weather delays",
}


def _km_claim(claims: pd.DataFrame) -> tuple[dict[str, Any], pd.Series | None]:
    """The paper's 6,500 km next to the model's routes, and the closest route definition."""
    rows = claims[(claims["claim_id"] == "paper_6500km") & (claims["model_route"] != "")]
    rows = rows.dropna(subset=["model_distance_km"])
    if rows.empty:
        return {"text": "No model route for the 6,500 km claim.", "routes": []}, None
    gap = (rows["model_distance_km"] - rows["claimed_low"]).abs().to_numpy()
    best = rows.iloc[int(gap.argmin())]
    text = (f"The paper's 6,500 km fits the Middle Corridor from the Chinese border to Turkey: "
            f"{best['model_route']} is {best['model_distance_km']:,.0f} km in the model (drawn "
            "dashed in black on the map). From Xi'an or the Chinese coast the same corridor is "
            "thousands of kilometres longer.")
    routes = [{"route": r["model_route"], "km": float(r["model_distance_km"]),
               "verdict": r.get("official_verdict") or "-"} for _, r in rows.iterrows()]
    return {"text": text, "routes": routes}, best


def _claim_layer(best: pd.Series, *, n_draws: int) -> folium.FeatureGroup | None:
    """The route the 6,500 km fits best, as a black dashed line with its legs in the popup."""
    c = compare(best["origin_id"], best["destination_id"], alternatives=(best["alternative"],),
                n_draws=n_draws, seed=0)
    route = c.route_objects.get(best["alternative"])
    if route is None:
        return None
    frame = route_frame([route], names=[f"The paper's 6,500 km: {best['model_route']}"])
    group = folium.FeatureGroup(name="The paper's 6,500 km")
    row = frame.iloc[0]
    for part in row.geometry.geoms:
        coords = geodesic_path(list(part.coords), max_segment_km=100.0)
        line = folium.PolyLine([(lat, lon) for lon, lat in coords], color="#000000", weight=3,
                               opacity=0.9, dash_array="8 6")
        folium.Tooltip(tooltip_html(row["name"], fmt_km(row["distance_km"]))).add_to(line)
        folium.Popup(route_popup(row.to_dict(), row["name"]), max_width=460).add_to(line)
        line.add_to(group)
    return group


def comparison_page(path: str | os.PathLike[str], *, origin: str = COMPARE_FROM,
                    destination: str = COMPARE_TO, n_draws: int = 2000,
                    chart: str | os.PathLike[str] | None = None) -> list[Any]:
    """Write the comparison page that tells the story of the claim (offline, one file).

    The alternatives of :func:`geo.compare` between ``origin`` and ``destination`` under
    the official, observed and disrupted scenarios (a control switches the table and the
    routes on the map), the paper's sentence with its source, what 6,500 km corresponds to,
    every claim with a verdict per scenario, and the chart (embedded; also written to
    ``chart`` when given).  Returns the comparisons, one per scenario.
    """
    comps = [compare(origin, destination, scenario=s, n_draws=n_draws, seed=0)
             for s in SCENARIOS]
    claims = claim_table(scenarios=SCENARIOS)
    chart_path = Path(chart) if chart is not None else Path(path).with_suffix(".png")
    scenario_chart(comps, chart_path, reference_days={"paper: 60 days by sea": 60.0,
                                                      "paper: 14 days by land": 14.0})
    chart_png = chart_path.read_bytes()
    if chart is None:
        chart_path.unlink()
    km, best = _km_claim(claims)
    data = story_data(comparisons=comps, claims=claims, paper=paper(), km_claim=km,
                      chart_png=chart_png, scenario_titles=_SCENARIO_TITLES)
    routes = pd.concat([comparison_routes(c) for c in comps], ignore_index=True)
    title = f"Sea versus land: {comps[0].title}"
    note = (f"Median door-to-door transit days of {n_draws} seeded draws (seed 0); each "
            "route's popup lists its legs, the waiting on each, and the sources.")
    with deterministic_ids():
        m = make_map(corridors=False, nodes=False, sites=False, offline=True, title=title,
                     routes=gpd.GeoDataFrame(routes, geometry="geometry", crs="EPSG:4326"),
                     note=note)
        if best is not None:
            layer = _claim_layer(best, n_draws=min(n_draws, 500))
            if layer is not None:  # before the layer control, which lists it
                names = list(m._children)
                at = next((k for k, n in enumerate(names) if n.startswith("layer_control")),
                          len(names))
                m.add_child(layer, index=at)
        StoryPanel(data).add_to(m)
        html = m.get_root().render()
    atomic_write(path, html.encode("utf-8"))
    return comps


def _comparison_page(directory: Path, *, origin: str, destination: str,
                     n_draws: int) -> tuple[GalleryPage | None, str]:
    started = time.perf_counter()
    try:
        comps = comparison_page(directory / "comparison.html", origin=origin,
                                destination=destination, n_draws=n_draws,
                                chart=directory / COMPARISON_CHART)
    except (GeoError, LookupError, ValueError) as exc:
        log.warning("sea-versus-land comparison skipped: %s", exc)
        return None, f"comparison unavailable: {exc}"
    elapsed = time.perf_counter() - started
    result = comps[0]
    routes = comparison_routes(result)
    days = "; ".join(f"{r['name']}: {fmt_days(r['transit_days'])}"
                     for _, r in routes.iterrows())
    size = (directory / "comparison.html").stat().st_size
    page = GalleryPage("comparison.html", f"Sea versus land: {result.title}",
                       f"Scenario official: {days}" if days else "no route found", size, elapsed)
    table = "".join(
        f"<tr><td>{escape_html(r['name'])}</td><td>{escape_html(fmt_km(r['distance_km']))}</td>"
        f"<td>{escape_html(fmt_days(r['transit_days']))}</td>"
        f"<td>{escape_html(fmt_days(r['p10_days']))} to {escape_html(fmt_days(r['p90_days']))}"
        f"</td></tr>" for _, r in routes.iterrows())
    return page, table


def _arrangements_page(directory: Path) -> GalleryPage | None:
    """``arrangements.html`` (see :mod:`geo.maps.arrangements`); None without the table."""
    if not arrangements_path().exists():
        log.warning("arrangements page skipped: no %s", arrangements_path())
        return None
    started = time.perf_counter()
    year = dt.date.today().year
    title = "Regional arrangements: who belongs where, since when"
    path = write_arrangements_page(directory / "arrangements.html", last_year=year, title=title)
    n = len(load_arrangements(table="arrangements"))
    return GalleryPage("arrangements.html", title,
                       f"Roles of countries in {n} arrangements, {FIRST_YEAR} to {year}, one "
                       "arrangement at a time, with the corridors drawn over them",
                       path.stat().st_size, time.perf_counter() - started)


def build_gallery(directory: str | os.PathLike[str] = "maps", *,
                  corridors: layers.CorridorSelection = True,
                  comparison: tuple[str, str] | None = (COMPARE_FROM, COMPARE_TO),
                  n_draws: int = N_DRAWS) -> list[GalleryPage]:
    """Build the offline map gallery in ``directory`` and return its pages.

    Writes ``overview.html`` (all corridors, energy lines, nodes and sites), ``corridor_<id>.html`` for
    each corridor of ``corridors`` (default: all; the same meaning as in :func:`geo.make_map`,
    see :func:`geo.layers.select_corridors`), ``comparison.html`` and ``comparison.png`` (the sea and
    land alternatives of :func:`geo.compare` between ``comparison`` node ids, days per route,
    and a chart of moving versus waiting days; skipped with a note when the network cannot
    route them), ``arrangements.html`` (roles of countries in the regional arrangements,
    year by year; skipped without ``arrangements.json``), ``sites.html`` and ``index.html``.
    Corridor pages of corridors that no longer exist are removed.
    """

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    corridor_gdf = layers.select_corridors(corridors)
    ids = [str(i) for i in corridor_gdf["id"]]
    for cid in ids:
        if not _SAFE_ID.match(str(cid)):
            raise InputError(f"corridor id {cid!r} is not a safe file name "
                             "(must match ^[a-z][a-z0-9_]*$)")
    pages = [_write_page(out, "overview.html", title="Corridor atlas: overview",
                         description="All corridors, energy lines, nodes and project sites",
                         corridors=True, nodes=True, sites=True, energy=True)]
    by_id = {str(r["id"]): r for _, r in corridor_gdf.iterrows()}
    for cid in ids:
        row = by_id[str(cid)]
        desc = " \u00b7 ".join(x for x in (
            fmt_km(row.get("length_used_km")),
            text_list(row.get("countries"), sep=" \u2192 "),
            text_list(row.get("modes")), text_list(row.get("status"))) if x)
        page_corridors: layers.CorridorSelection = (
            corridor_gdf[corridor_gdf["id"].astype(str) == cid]
            if isinstance(corridors, gpd.GeoDataFrame) else [cid])
        pages.append(_write_page(out, f"corridor_{cid}.html", title=str(row["name"]),
                                 description=desc, corridors=page_corridors))
    table = ""
    if comparison is not None:
        page, table = _comparison_page(out, origin=comparison[0], destination=comparison[1],
                                       n_draws=n_draws)
        if page is not None:
            pages.append(page)
    arrangements_page = _arrangements_page(out)
    if arrangements_page is not None:
        pages.append(arrangements_page)
    pages.append(_write_page(out, "sites.html", title="Corridor atlas: project sites",
                             description="Chinese-financed or -built project sites by sector",
                             corridors=False, nodes=False, sites=True))
    written = {p.file for p in pages} | {"index.html"}
    if any(p.file == "comparison.html" for p in pages):
        written.add(COMPARISON_CHART)
    index = _index_html(pages, comparison_table=table)
    atomic_write(out / "index.html", index)
    _remove_stale(out, written)
    log.info("gallery: %d pages in %s", len(pages), out)
    return pages


def _remove_stale(out: Path, written: set[str]) -> None:
    """Remove the files an earlier ``build_gallery`` wrote (listed in :data:`MANIFEST`) that
    this build did not write; files the gallery never wrote are never touched.  Then record
    this build's files."""
    manifest = out / MANIFEST
    earlier: list[str] = []
    if manifest.is_file():
        try:
            doc = load_json(manifest.read_text(encoding="utf-8"))
            earlier = [f for f in doc.get("files", []) if isinstance(f, str)]
        except (ValueError, OSError, AttributeError) as exc:
            log.warning("%s unreadable (%s): no stale pages removed", manifest, exc)
    for name in sorted(set(earlier) - written):
        if Path(name).name != name or name == MANIFEST:  # only plain names in this folder
            continue
        old = out / name
        if old.is_file() and not old.is_symlink():
            old.unlink()
            log.info("removed stale %s", old)
    atomic_write(manifest, json.dumps({"generator": "geo maps (geo.maps.gallery)",
                                       "files": sorted(written)}, indent=1) + "\n")


def _index_html(pages: list[GalleryPage], *, comparison_table: str) -> str:

    items = "".join(
        f'<li><a href="{escape_html(p.file)}">{escape_html(p.title)}</a>'
        f'<br><span class="d">{escape_html(p.description)}</span></li>' for p in pages)
    table = ""
    if comparison_table.startswith("<tr>"):
        table = ("<h2>Sea versus land</h2><table><tr><th>Route</th><th>Distance</th>"
                 "<th>Median transit</th><th>p10 to p90</th></tr>"
                 f"{comparison_table}</table>"
                 f'<p><img src="{COMPARISON_CHART}" alt="Moving and waiting days per route" '
                 'style="max-width:100%"></p>')
    elif comparison_table:
        table = f"<p>{escape_html(comparison_table)}</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Corridor atlas: map gallery</title><style>"
        "body{font:15px/1.45 sans-serif;max-width:52em;margin:2em auto;padding:0 1em}"
        "li{margin:.45em 0}.d{color:#555;font-size:13px}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}"
        "</style></head><body><h1>Corridor atlas: map gallery</h1>"
        "<p>Every map is a single HTML file that works offline (Leaflet and the Natural "
        "Earth country outlines are inlined; no tiles).</p>"
        f"<ul>{items}</ul>{table}"
        "<script type=\"application/json\" id=\"provenance\">"
        f"{json_for_script(provenance())}</script></body></html>\n")
