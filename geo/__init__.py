"""Corridor atlas: China's westward overland trade corridors as cited, measured layers.

The public API is declared here and nowhere else.  Coordinates are (lon, lat) in EPSG:4326;
lengths are geodesic on the WGS84 ellipsoid, in km.

>>> import geo
>>> corridors = geo.corridors()            # doctest: +SKIP
>>> corridors[["name", "length_used_km"]]  # doctest: +SKIP
"""

from __future__ import annotations

import logging

from ._errors import ArrangementError, GeoError, LayerError, Problem, RoutingError, ScenarioError
from ._provenance import package_version, provenance
from ._route import Route
from .compare import compare
from .export import export
from .figure import figure
from .gallery import build_gallery
from .layers import (
    corridors,
    countries,
    layer_dir,
    links,
    load_layer,
    nodes,
    sites,
    validate,
)
from .maps import make_map as map  # noqa: A001 - shadows the builtin only as geo.map
from .measure import geodesic_length_km
from .membership import arrangements, corridor_arrangements, members, memberships
from .network import od_matrix, route
from .proximity import near
from .readers import read_points
from .schema import (
    ArrangementKind,
    CoordQuality,
    Facility,
    LayerKind,
    Mode,
    NodeKind,
    Role,
    Sector,
    SiteStatus,
    Status,
)
from .transit import load_scenario

__version__ = package_version()

__all__ = [
    "ArrangementError",
    "ArrangementKind",
    "CoordQuality",
    "Facility",
    "GeoError",
    "LayerError",
    "LayerKind",
    "Mode",
    "NodeKind",
    "Problem",
    "Role",
    "Route",
    "RoutingError",
    "ScenarioError",
    "Sector",
    "SiteStatus",
    "Status",
    "__version__",
    "arrangements",
    "build_gallery",
    "compare",
    "corridor_arrangements",
    "corridors",
    "countries",
    "export",
    "figure",
    "geodesic_length_km",
    "layer_dir",
    "links",
    "load_layer",
    "load_scenario",
    "map",
    "members",
    "memberships",
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
