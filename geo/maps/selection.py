"""Choosing what to draw, apart from drawing it: one selection step for maps, figures, gallery.

:func:`select` turns the arguments users give (``True`` for the bundled layer, a list of
corridor ids, a GeoDataFrame, a point file path, ``False``) into a :class:`Selection` of
frames in EPSG:4326.  :func:`geo.make_map` and :func:`geo.figure` both call it, so a list of
corridor ids chooses the same corridors, links, nodes and sites everywhere; the drawing
code then takes frames only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from geo import layers
from geo.readers import read_points

__all__ = ["Selection", "select"]

log = logging.getLogger(__name__)


@dataclass
class Selection:
    """Frames to draw, all EPSG:4326 (any may be None: nothing of that kind).

    ``links`` are the links corridors are drawn from (by their ``link_ids``);
    ``network_links`` the links used by no drawn corridor, drawn as "other network links";
    ``energy`` the pipelines and power lines (:func:`geo.energy`);
    ``node_names`` maps node ids to names (for link titles).
    """

    corridors: gpd.GeoDataFrame | None = None
    links: gpd.GeoDataFrame | None = None
    network_links: gpd.GeoDataFrame | None = None
    nodes: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    energy: gpd.GeoDataFrame | None = None
    node_names: dict[str, str] = field(default_factory=dict)

    @property
    def corridor_link_ids(self) -> set[str]:
        if self.corridors is None or "link_ids" not in self.corridors.columns:
            return set()
        return {str(i) for ids in self.corridors["link_ids"]
                if isinstance(ids, list | tuple) for i in ids}


def _wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        log.info("reprojecting %s from %s to EPSG:4326", what, gdf.crs)
        return gdf.to_crs("EPSG:4326")
    return gdf


def _corridors(corridors: Any) -> tuple[gpd.GeoDataFrame | None, bool]:
    """(corridor frame or None, whether nodes and sites are limited to its corridors).

    The corridors are those :func:`geo.layers.select_corridors` names; limited: a user's
    corridor frame, or ids that are not every bundled corridor.
    """
    if corridors is False or corridors is None:
        return None, False
    gdf = _wgs84(layers.select_corridors(corridors), "corridors")
    if isinstance(corridors, gpd.GeoDataFrame):
        return gdf, True
    if corridors is True:
        return gdf, False
    return gdf, set(gdf["id"]) != set(layers.corridors()["id"])


def _nodes(nodes: Any, corridors: gpd.GeoDataFrame | None, subset: bool
           ) -> gpd.GeoDataFrame | None:
    if isinstance(nodes, gpd.GeoDataFrame):
        return _wgs84(nodes, "nodes")
    if not nodes:
        return None
    gdf = layers.nodes()
    if subset and corridors is not None and "nodes" in corridors.columns:
        on_path = {str(n) for ns in corridors["nodes"] if isinstance(ns, list | tuple)
                   for n in ns}
        gdf = gdf[gdf["id"].isin(on_path)]
    return gdf


def _sites(sites: Any, corridors: gpd.GeoDataFrame | None, subset: bool
           ) -> gpd.GeoDataFrame | None:
    if isinstance(sites, str | os.PathLike):
        sites = read_points(sites)
    if isinstance(sites, gpd.GeoDataFrame):
        return _wgs84(sites, "sites")
    if not sites:
        return None
    gdf = layers.sites()
    if subset and corridors is not None and "link_ids" in corridors.columns:
        ids = {str(c) for c in corridors["id"]}
        leg_ids = {str(i) for ids_ in corridors["link_ids"] if isinstance(ids_, list | tuple)
                   for i in ids_}
        keep = gdf["corridor"].astype(str).isin(ids) | gdf["link"].astype(str).isin(leg_ids)
        gdf = gdf[keep]
    return gdf


def select(*, corridors: bool | str | Sequence[str] | gpd.GeoDataFrame = True,
           nodes: bool | gpd.GeoDataFrame = True,
           sites: bool | gpd.GeoDataFrame | str | os.PathLike[str] = True,
           links: gpd.GeoDataFrame | None = None,
           network_links: bool | None = None,
           energy: bool | gpd.GeoDataFrame | None = None) -> Selection:
    """The frames that ``corridors``, ``nodes``, ``sites`` and ``links`` choose.

    ``corridors``: ``True`` (all bundled), corridor ids, a GeoDataFrame or ``False``.
    ``nodes``/``sites``: ``True`` (bundled; only those of the chosen corridors when
    ``corridors`` is a subset of ids), a GeoDataFrame (or a point-file path for sites) or
    ``False``.  ``links``: the links corridors are drawn from (default :func:`geo.links`
    for bundled corridors).  ``network_links``: also select the links in no drawn corridor
    (default: exactly when all bundled corridors are drawn).  ``energy``: ``True``
    (:func:`geo.energy`), a GeoDataFrame or ``False``; default: when all bundled corridors
    are drawn and the layers directory has ``energy.geojson``.
    """
    corridor_gdf, subset = _corridors(corridors)
    bundled = corridor_gdf is not None and not isinstance(corridors, gpd.GeoDataFrame)
    if network_links is None:
        network_links = corridors is True or (bundled and not subset)
    if links is None and (network_links or bundled):
        links = layers.links()
    whole = corridors is True or (bundled and not subset)
    if energy is None:  # the overview; a layers directory without energy.geojson has none
        energy = whole and layers.layer_path("energy").exists()
    sel = Selection(corridors=corridor_gdf, links=links,
                    nodes=_nodes(nodes, corridor_gdf, subset),
                    sites=_sites(sites, corridor_gdf, subset),
                    energy=_wgs84(energy, "energy") if isinstance(energy, gpd.GeoDataFrame)
                    else layers.energy() if energy else None)
    if network_links and links is not None and len(links):
        in_corridors = sel.corridor_link_ids
        sel.network_links = links[~links["id"].astype(str).isin(in_corridors)]
        all_nodes = layers.nodes()
        sel.node_names = dict(zip(all_nodes["id"].astype(str), all_nodes["name"], strict=True))
    return sel
