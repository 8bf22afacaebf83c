"""Corridor atlas: China's westward overland trade corridors as cited, measured layers.

The public API is declared here and nowhere else.  Coordinates are (lon, lat) in EPSG:4326;
lengths are geodesic on the WGS84 ellipsoid, in km.

>>> import geo
>>> corridors = geo.corridors()            # doctest: +SKIP
>>> corridors[["name", "length_used_km"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging

from ._errors import GeoError, LayerError, Problem, RoutingError, ScenarioError
from ._provenance import package_version, provenance
from ._route import Route
from .compare import compare
from .export import export
from .figure import figure
from .gallery import build_gallery
from .layers import (
    corridors,
    countries,
    energy,
    layer_dir,
    links,
    load_layer,
    nodes,
    sites,
    validate,
)
from .maps import make_map as map  # noqa: A001 - shadows the builtin only as geo.map
from .measure import geodesic_length_km
from .network import od_matrix, route
from .proximity import near
from .readers import read_points
from .schema import (
    CoordQuality,
    EnergyKind,
    Facility,
    LayerKind,
    Mode,
    NodeKind,
    Sector,
    SiteStatus,
    Status,
)
from .transit import load_scenario

__version__ = package_version()

__all__ = [
    "CoordQuality",
    "EnergyKind",
    "Facility",
    "GeoError",
    "LayerError",
    "LayerKind",
    "Mode",
    "NodeKind",
    "Problem",
    "Route",
    "RoutingError",
    "ScenarioError",
    "Sector",
    "SiteStatus",
    "Status",
    "__version__",
    "build_gallery",
    "compare",
    "corridors",
    "countries",
    "energy",
    "export",
    "figure",
    "geodesic_length_km",
    "layer_dir",
    "links",
    "load_layer",
    "load_scenario",
    "map",
    "near",
    "nodes",
    "od_matrix",
    "provenance",
    "read_points",
    "route",
    "sites",
    "validate",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
