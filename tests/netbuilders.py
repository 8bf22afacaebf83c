"""Small builders of nodes, links and networks for the routing and transit tests.

Coordinates are (lon, lat).  Port coordinates are the recalled turning points of the project
reference (corridors-and-sites.md, B5: Shanghai/Yangshan 122.06, 30.62; Rotterdam/Maasvlakte
4.03, 51.96; Hamburg 9.97, 53.54; Piraeus 23.63, 37.94; Constanta 28.66, 44.16) and Poti port
(c11: 41.66006, 42.15406).  Inland nodes are made-up test geometry.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from pyproj import Geod
from shapely.geometry import LineString, Point

from geo.routing.graph import Network

GEOD = Geod(ellps="WGS84")

PORTS = {
    "shanghai_port": (122.06, 30.62, "CHN"),
    "rotterdam_port": (4.03, 51.96, "NLD"),
    "hamburg_port": (9.97, 53.54, "DEU"),
    "piraeus_port": (23.63, 37.94, "GRC"),
    "constanta_port": (28.66, 44.16, "ROU"),
    "poti_port": (41.66006, 42.15406, "GEO"),
}


def make_node(node_id: str, lon: float, lat: float, *, country: str = "KAZ",
              kind: str = "station", name: str | None = None,
              aliases: list[str] | None = None, facilities: list[str] | None = None,
              name_local: str | None = None) -> dict[str, Any]:
    return {"id": node_id, "name": name or node_id.replace("_", " ").title(),
            "name_local": name_local, "aliases": aliases, "kind": kind, "country": country,
            "facilities": facilities, "geometry": Point(lon, lat)}


def make_link(link_id: str, a: dict[str, Any], b: dict[str, Any], *, mode: str = "rail",
              gauge_mm: int | None = 1520, length_km: float | None = None,
              status: str = "operational", countries: list[str] | None = None) -> dict[str, Any]:
    pa, pb = a["geometry"], b["geometry"]
    geodesic_km = GEOD.inv(pa.x, pa.y, pb.x, pb.y)[2] / 1000.0
    return {"id": link_id, "from_id": a["id"], "to_id": b["id"], "name": link_id,
            "mode": mode, "gauge_mm": gauge_mm if mode == "rail" else None, "status": status,
            "length_used_km": length_km if length_km is not None else geodesic_km,
            "countries": countries or list(dict.fromkeys([a["country"], b["country"]])),
            "geometry": LineString([(pa.x, pa.y), (pb.x, pb.y)])}


def frames(nodes: list[dict[str, Any]], links: list[dict[str, Any]]
           ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    n = gpd.GeoDataFrame(nodes, geometry="geometry", crs="EPSG:4326")
    cols = ["id", "from_id", "to_id", "name", "mode", "gauge_mm", "status", "length_used_km",
            "countries", "geometry"]
    lk = gpd.GeoDataFrame(links, columns=cols, geometry="geometry", crs="EPSG:4326")
    return n, lk


def port(node_id: str) -> dict[str, Any]:
    lon, lat, country = PORTS[node_id]
    return make_node(node_id, lon, lat, country=country, kind="sea_port",
                     facilities=["container_terminal"])


def make_network(nodes: list[dict[str, Any]], links: list[dict[str, Any]], *,
                 sea_pairs: Any = ()) -> Network:
    n, lk = frames(nodes, links)
    return Network.from_frames(n, lk, sea_pairs=sea_pairs)


def line_world() -> Network:
    """A - B - C on 1,435 mm, C - D on 1,520 mm across a border (CHN -> KAZ), D - E road.

    Lengths are round numbers so tests can check the arithmetic.
    """
    a = make_node("a", 100.0, 40.0, country="CHN", name="Álpha", aliases=["Alfa"])
    b = make_node("b", 99.0, 40.0, country="CHN", name="Beta")
    c = make_node("c", 98.0, 40.0, country="CHN", name="Gamma", kind="border_crossing")
    d = make_node("d", 97.0, 40.0, country="KAZ", name="Delta", kind="gauge_change")
    e = make_node("e", 96.0, 40.0, country="KAZ", name="Epsilon")
    links = [
        make_link("ab", a, b, gauge_mm=1435, length_km=100.0),
        make_link("bc", b, c, gauge_mm=1435, length_km=200.0),
        make_link("cd", c, d, gauge_mm=1520, length_km=50.0),
        make_link("de", d, e, mode="road", length_km=80.0),
    ]
    return make_network([a, b, c, d, e], links)
