"""A static figure for publications: corridors and sites over country outlines (matplotlib).

Plate carree (lon, lat) axes with the aspect set to 1/cos(mid-latitude), so shapes are
right at the centre of the figure; the scale bar is measured on the WGS84 geodesic at that
latitude.  Output is deterministic: Agg backend, a fixed SVG hash salt, no dates or
software versions in the metadata.
"""

from __future__ import annotations

import io
import logging
import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from geo._errors import InputError
from geo._io import atomic_write
from geo._provenance import package_version
from geo.maps.interactive import MODE_COLOURS, SECTOR_COLOURS
from geo.measure import distance_km, geodesic_path

__all__ = ["figure"]

log = logging.getLogger(__name__)

#: Matplotlib line style by status: solid, dashed, dotted.
_LINESTYLE: dict[str, Any] = {"operational": "-", "under_construction": (0, (5, 3)),
                              "planned": (0, (1, 2.5))}
_FORMATS = {".png": "png", ".svg": "svg"}


def _nice_km(target_km: float) -> float:
    """Largest of 1, 2, 5 x 10^n km not above ``target_km``."""
    exp = 10 ** math.floor(math.log10(max(target_km, 1e-6)))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target_km)


def _scale_bar(ax: Any, *, x0: float, x1: float, y0: float, y1: float) -> None:
    lat = y0 + 0.06 * (y1 - y0)
    km_per_deg = distance_km(0.0, lat, 1.0, lat)
    length_km = _nice_km(0.2 * (x1 - x0) * km_per_deg)
    start = x0 + 0.04 * (x1 - x0)
    end = start + length_km / km_per_deg
    ax.plot([start, end], [lat, lat], color="black", lw=2.5, solid_capstyle="butt", zorder=6)
    ax.text((start + end) / 2, lat + 0.015 * (y1 - y0), f"{length_km:,.0f} km",
            ha="center", va="bottom", fontsize=7, zorder=6)


#: Largest PNG resolution accepted (an 11 x 6.5 in figure is then about 13,000 px wide).
MAX_DPI = 1200


def _lines_to_draw(corridor_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lines with ``mode`` and ``status``: the corridors' links, or the corridor lines."""
    if "link_ids" in corridor_gdf:
        link_gdf = layers.links()
        link_ids = {str(i) for ids in corridor_gdf["link_ids"] for i in ids}
        return link_gdf[link_gdf["id"].astype(str).isin(link_ids)]
    modes = corridor_gdf.get("modes", pd.Series([None] * len(corridor_gdf)))
    return corridor_gdf.assign(
        mode=[m[0] if isinstance(m, list | tuple) and m else m for m in modes],
        status=corridor_gdf.get("status", "operational"))


def figure(path: str | os.PathLike[str], *,
           corridors: layers.CorridorSelection = True,
           sites: bool = True,
           title: str | None = "China's westward trade corridors and project sites",
           size_in: tuple[float, float] = (11.0, 6.5),
           dpi: int = 150,
           margin_deg: float = 3.0) -> Path:
    """Draw corridors (colour by mode, line style by status) and sites (by sector).

    Parameters
    ----------
    path
        ``.png`` or ``.svg`` file, written atomically.
    corridors
        ``True`` for all bundled corridors, a corridor id or a list of ids, a GeoDataFrame
        shaped like :func:`geo.corridors`, or ``False``: the same meaning as in
        :func:`geo.make_map` (see :func:`geo.layers.select_corridors`).  A frame with
        ``link_ids`` is drawn from those bundled links, one without from its own lines.
    sites
        Draw the project sites of the drawn corridors' area.
    size_in, dpi
        Figure size in inches and PNG resolution.
    margin_deg
        Margin around the data, in degrees.

    Returns
    -------
    Path of the written file.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D


    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(f"{target}: figure format must be one of {sorted(_FORMATS)}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= MAX_DPI:
        raise InputError(f"dpi must be a whole number from 10 to {MAX_DPI}, got {dpi!r}")

    drawn = _lines_to_draw(layers.select_corridors(corridors))
    site_gdf: gpd.GeoDataFrame | None = layers.sites() if sites else None

    geoms = list(drawn.geometry) + (list(site_gdf.geometry) if site_gdf is not None else [])
    x0, y0, x1, y1 = shapely.GeometryCollection([g for g in geoms if g is not None]).bounds
    x0, y0, x1, y1 = x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg
    mid_lat = (y0 + y1) / 2

    with matplotlib.rc_context({"svg.hashsalt": "corridor-atlas", "svg.fonttype": "path",
                                "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=size_in, dpi=dpi)
        ax = fig.add_axes((0.01, 0.07, 0.98, 0.86))
        ax.set_facecolor("#dbe7ef")
        world = layers.countries()
        world = world[world.intersects(shapely.box(x0 - 5, y0 - 5, x1 + 5, y1 + 5))]
        world.plot(ax=ax, color="#f3f0e8", edgecolor="#a8a396", linewidth=0.4, zorder=1)
        for _, link in drawn.iterrows():
            g = link.geometry
            parts = g.geoms if g.geom_type == "MultiLineString" else [g]
            for part in parts:
                xs, ys = zip(*geodesic_path(part.coords, max_segment_km=50.0), strict=True)
                ax.plot(xs, ys, color=MODE_COLOURS.get(str(link["mode"]), "#555555"),
                        linestyle=_LINESTYLE.get(str(link["status"]), "-"), lw=1.8,
                        solid_capstyle="round", zorder=3)
        sectors: list[str] = []
        if site_gdf is not None and len(site_gdf):
            for sector, group in site_gdf.groupby("sector", sort=True):
                ax.scatter(group.geometry.x, group.geometry.y, s=14,
                           color=SECTOR_COLOURS.get(str(sector), "#7b3294"),
                           edgecolors="#222222", linewidths=0.4, zorder=4)
                sectors.append(str(sector))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1.0 / math.cos(math.radians(mid_lat)))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        _scale_bar(ax, x0=x0, x1=x1, y0=y0, y1=y1)

        modes = [m for m in MODE_COLOURS if m in set(drawn["mode"].astype(str))]
        statuses = [s for s in _LINESTYLE if s in set(drawn["status"].astype(str))]
        handles = [Line2D([], [], color=MODE_COLOURS[m], lw=2, label=m) for m in modes]
        handles += [Line2D([], [], color="#333333", lw=1.5, linestyle=_LINESTYLE[s],
                           label=s.replace("_", " ")) for s in statuses]
        handles += [Line2D([], [], marker="o", linestyle="none", markersize=5,
                           markerfacecolor=SECTOR_COLOURS.get(s, "#7b3294"),
                           markeredgecolor="#222222", label=s.replace("_", " "))
                    for s in sectors]
        # below the map, never over the data (the Chinese end used to sit under it)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07),
                  fontsize=6.5, ncol=6, frameon=False,
                  title="Links by mode and status; sites by sector", title_fontsize=7)
        if title:
            ax.set_title(title, fontsize=11)
        ax.annotate(
                 f"corridor-atlas {package_version()}. Corridors, nodes and sites: cited layer "
                 "files (each feature lists its sources). Country outlines: Natural Earth 1:50m "
                 "(public domain). Plate carree, aspect set at the mid-latitude; scale measured "
                 "on the WGS84 geodesic.", xy=(0.0, -0.012), xycoords="axes fraction",
                 ha="left", va="top", fontsize=6, color="#444444", wrap=True)
        buf = io.BytesIO()
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, metadata=metadata, bbox_inches="tight", pad_inches=0.12)
    out = atomic_write(target, buf.getvalue())
    log.info("wrote figure %s (%d links, %d sites)", out, len(drawn),
             0 if site_gdf is None else len(site_gdf))
    return out
