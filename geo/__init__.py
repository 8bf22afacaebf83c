"""Corridor atlas: China's westward overland trade corridors as cited, measured layers.

The public API is declared here and nowhere else.  Coordinates are (lon, lat) in EPSG:4326;
lengths are geodesic on the WGS84 ellipsoid, in km.

Names are loaded on first use (PEP 562), so ``import geo`` and ``geo --help`` do not pay for
geopandas, folium or networkx until a function needs them.  The sub-packages show the layers
of the code: the data layer is flat in ``geo/`` (schema, validation, loading, measures,
readers, writers), ``geo.routing`` holds the network, scenarios and transit times,
``geo.maps`` the interactive maps, gallery and figures, ``geo.cli`` the command line.

>>> import geo
>>> corridors = geo.corridors()            # doctest: +SKIP
>>> corridors[["name", "length_used_km"]]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

#: Public name -> module that defines it.  One line per name; ``__all__`` is built from it.
_EXPORTS: dict[str, str] = {
    # errors and provenance
    "ArrangementError": "geo._errors",
    "GeoError": "geo._errors",
    "LayerError": "geo._errors",
    "Problem": "geo._errors",
    "RoutingError": "geo._errors",
    "ScenarioError": "geo._errors",
    "package_version": "geo._provenance",
    "provenance": "geo._provenance",
    # schema vocabularies
    "ArrangementKind": "geo.schema",
    "CoordQuality": "geo.schema",
    "EnergyKind": "geo.schema",
    "Facility": "geo.schema",
    "Financier": "geo.schema",
    "FinancingChannel": "geo.schema",
    "LayerKind": "geo.schema",
    "Mode": "geo.schema",
    "NodeKind": "geo.schema",
    "Role": "geo.schema",
    "Sector": "geo.schema",
    "SiteStatus": "geo.schema",
    "Status": "geo.schema",
    # data layer
    "corridors": "geo.layers",
    "countries": "geo.layers",
    "CorridorSelection": "geo.layers",
    "energy": "geo.layers",
    "layer_dir": "geo.layers",
    "links": "geo.layers",
    "load_layer": "geo.layers",
    "nodes": "geo.layers",
    "sites": "geo.layers",
    "validate": "geo.layers",
    "distance_km": "geo.measure",
    "geodesic_length_km": "geo.measure",
    "read_points": "geo.readers",
    "export": "geo.writers",
    # model: routing, transit times, proximity
    "Network": "geo.routing.graph",
    "Place": "geo.routing.graph",
    "Optimize": "geo.routing.graph",
    "Scenario": "geo.routing.scenarios",
    "ScenarioLike": "geo.routing.scenarios",
    "load_scenario": "geo.routing.scenarios",
    "TransitEstimate": "geo.routing.estimate",
    "Route": "geo.routing.route",
    "route": "geo.routing.paths",
    "od_matrix": "geo.routing.paths",
    "places": "geo.routing.places",
    "Comparison": "geo.routing.alternatives",
    "compare": "geo.routing.alternatives",
    "arrangements": "geo.membership",
    "corridor_arrangements": "geo.membership",
    "members": "geo.membership",
    "memberships": "geo.membership",
    "CorridorIndex": "geo.proximity",
    "near": "geo.proximity",
    "financing": "geo.site_finance",
    # outputs: maps, gallery, figures
    "make_map": "geo.maps.interactive",
    "route_frame": "geo.maps.routes",
    "comparison_routes": "geo.maps.routes",
    "GalleryPage": "geo.maps.gallery",
    "build_gallery": "geo.maps.gallery",
    "figure": "geo.maps.figure",
}

__all__ = [
    "ArrangementError",
    "ArrangementKind",
    "Comparison",
    "CoordQuality",
    "CorridorIndex",
    "CorridorSelection",
    "EnergyKind",
    "Facility",
    "Financier",
    "FinancingChannel",
    "GalleryPage",
    "GeoError",
    "LayerError",
    "LayerKind",
    "Mode",
    "Network",
    "NodeKind",
    "Optimize",
    "Place",
    "Problem",
    "Role",
    "Route",
    "RoutingError",
    "Scenario",
    "ScenarioError",
    "ScenarioLike",
    "Sector",
    "SiteStatus",
    "Status",
    "TransitEstimate",
    "__version__",
    "arrangements",
    "build_gallery",
    "compare",
    "comparison_routes",
    "corridor_arrangements",
    "corridors",
    "countries",
    "distance_km",
    "energy",
    "export",
    "figure",
    "financing",
    "geodesic_length_km",
    "layer_dir",
    "links",
    "load_layer",
    "load_scenario",
    "make_map",
    "members",
    "memberships",
    "near",
    "nodes",
    "od_matrix",
    "package_version",
    "places",
    "provenance",
    "read_points",
    "route",
    "route_frame",
    "sites",
    "validate",
]

if TYPE_CHECKING:  # what editors and type checkers see; at run time names load lazily
    from geo._errors import ArrangementError, GeoError, LayerError, Problem, RoutingError, ScenarioError
    from geo._provenance import package_version, provenance
    from geo.layers import (
        CorridorSelection,
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
    from geo.maps.figure import figure
    from geo.maps.gallery import GalleryPage, build_gallery
    from geo.maps.interactive import make_map
    from geo.maps.routes import comparison_routes, route_frame
    from geo.measure import distance_km, geodesic_length_km
    from geo.membership import arrangements, corridor_arrangements, members, memberships
    from geo.proximity import CorridorIndex, near
    from geo.readers import read_points
    from geo.routing.alternatives import Comparison, compare
    from geo.routing.estimate import TransitEstimate
    from geo.routing.graph import Network, Optimize, Place
    from geo.routing.paths import od_matrix, route
    from geo.routing.places import places
    from geo.routing.route import Route
    from geo.routing.scenarios import Scenario, ScenarioLike, load_scenario
    from geo.schema import (
        ArrangementKind,
        CoordQuality,
        EnergyKind,
        Facility,
        Financier,
        FinancingChannel,
        LayerKind,
        Mode,
        NodeKind,
        Role,
        Sector,
        SiteStatus,
        Status,
    )
    from geo.site_finance import financing
    from geo.writers import export

    __version__: str


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name == "__version__":
        from geo._provenance import package_version

        value: Any = package_version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    globals()[name] = value  # cache: later look-ups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


logging.getLogger(__name__).addHandler(logging.NullHandler())
