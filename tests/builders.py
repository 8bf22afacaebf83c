"""Small builders for layer features, so tests read like the domain.

Coordinates are (lon, lat).  The default mini network is the Alashankou–Dostyk–Aktogay
crossing with coordinates read in sources (see layers/nodes.geojson for the citations).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SRC = {"title": "Test source", "url": "https://example.org/source"}

ALASHANKOU = (82.5703, 45.1703)
DOSTYK = (82.4855, 45.254)
AKTOGAY = (79.6736, 46.9494)


def make_node(id: str, lonlat: tuple[float, float], *, country: str, kind: str = "station",
              **extra: Any) -> dict[str, Any]:
    props = {"id": id, "name": id.title(), "kind": kind, "country": country,
             "coord_quality": "sourced", "coord_note": "test coordinate", "sources": [SRC]}
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": list(lonlat)}}


def make_link(id: str, a: str, b: str, coords: list[tuple[float, float]], *, mode: str = "rail",
              gauge_mm: int | None = 1520, status: str = "operational",
              documented_length_km: float | None = None, circuity: float | None = 1.1,
              **extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": id, "from_id": a, "to_id": b, "mode": mode,
        "gauge_mm": gauge_mm if mode == "rail" else None, "status": status,
        "documented_length_km": documented_length_km,
        "length_source": SRC if documented_length_km is not None else None,
        "circuity": None if documented_length_km is not None else circuity,
        "circuity_basis": None if documented_length_km is not None else "test",
        "coord_quality": "approximate", "coord_note": "test", "sources": [SRC],
    }
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}}


def make_corridor(id: str, nodes: list[str], **extra: Any) -> dict[str, Any]:
    props = {"id": id, "name": id.replace("_", " ").title(), "group": id,
             "description": "test corridor", "nodes": nodes, "sources": [SRC]}
    props.update(extra)
    return {"type": "Feature", "properties": props, "geometry": None}


def make_site(id: str, lonlat: tuple[float, float], *, country: str, sector: str = "rail",
              **extra: Any) -> dict[str, Any]:
    props = {"id": id, "name": id.title(), "sector": sector, "country": country,
             "company": "Test Co", "status": "operational", "coord_quality": "approximate",
             "coord_note": "test", "sources": [SRC]}
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": list(lonlat)}}


def make_energy(id: str, coords: list[tuple[float, float]], *, kind: str = "gas_pipeline",
                status: str = "operational", **extra: Any) -> dict[str, Any]:
    """An energy line through ``coords`` with one vertex record per position."""
    capacity = {"gas_pipeline": ("capacity_bcm_per_year", 30.0),
                "oil_pipeline": ("capacity_mt_per_year", 20.0),
                "power_line": ("voltage_kv", 500.0)}.get(kind, ("capacity_bcm_per_year", None))
    props: dict[str, Any] = {
        "id": id, "name": id.replace("_", " ").title(), "kind": kind, "status": status,
        capacity[0]: capacity[1],
        "vertices": [{"name": f"point {i}", "coord_quality": "approximate",
                      "coord_source": SRC, "route_source": SRC} for i in range(len(coords))],
        "coord_quality": "approximate", "coord_note": "test", "sources": [SRC],
    }
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}}


def collection(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": [copy.deepcopy(f) for f in features]}
    fc.update(members)
    return fc


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def mini_layers(directory: Path) -> Path:
    """Write a valid five-layer mini atlas into ``directory``; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    write(directory / "nodes.geojson", collection(
        make_node("alashankou", ALASHANKOU, country="CHN", kind="border_crossing"),
        make_node("dostyk", DOSTYK, country="KAZ", kind="border_crossing",
                  facilities=["gauge_change", "transshipment"]),
        make_node("aktogay", AKTOGAY, country="KAZ", kind="junction"),
    ))
    write(directory / "links.geojson", collection(
        make_link("alashankou_dostyk", "alashankou", "dostyk", [ALASHANKOU, DOSTYK],
                  gauge_mm=1435, circuity=1.1),
        make_link("dostyk_aktogay", "dostyk", "aktogay", [DOSTYK, AKTOGAY],
                  documented_length_km=304.0),
    ))
    write(directory / "corridors.geojson", collection(
        make_corridor("border_run", ["alashankou", "dostyk", "aktogay"]),
    ))
    write(directory / "sites.geojson", collection(
        make_site("dry_port", (82.48, 45.25), country="KAZ", sector="dry_port",
                  corridor="border_run"),
    ))
    write(directory / "energy.geojson", collection(
        make_energy("border_pipe", [AKTOGAY, DOSTYK, ALASHANKOU], kind="oil_pipeline",
                    documented_length_km=330.0, length_source=SRC),
    ))
    return directory
