"""Sea legs on the sea-lane network shipped by ``searoute`` (Eurostat marnet), wrapped safely.

``searoute`` 1.6 has traps that this module closes (see the project's searoute notes):

* ``restrictions`` *replaces* the default ``['northwest']``; passing ``['suez']`` alone lets a
  route through the Arctic.  Here every call passes the **full** list: the always-closed
  passages (:data:`ALWAYS_RESTRICTED`) plus the ones the caller avoids.
* ``restrictions=None`` keeps the previous call's list (shared state on a cached singleton).
  We never pass ``None``.
* An inland point snaps to the nearest sea-lane node, however far (Almaty snaps near
  Karachi).  :func:`sea_leg` refuses a point farther than ``max_snap_km`` from the network.
* Output longitudes may run past ±180; geometries are normalised to [-180, 180].
* Its duration is length / speed only; port and canal dwell come from the transit scenario.

Coordinates are (lon, lat) in degrees (EPSG:4326).  Lengths are geodesic on WGS84.
"""

from __future__ import annotations

import functools
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from geo._errors import RoutingError
from geo.measure import GEOD, distance_km

__all__ = [
    "ALWAYS_RESTRICTED",
    "PASSAGES",
    "PASSAGE_ALIASES",
    "VARIANTS",
    "SeaLeg",
    "normalise_lon",
    "normalise_passage",
    "sea_leg",
    "snap_distance_km",
]

log = logging.getLogger(__name__)


#: Passages searoute can restrict (``searoute.classes.passages.Passage``).
PASSAGES: tuple[str, ...] = (
    "babalmandab", "bering", "bosporus", "chili", "gibraltar", "malacca", "northwest",
    "ormuz", "panama", "south_africa", "suez", "sunda",
)

#: Other names users type for a passage -> searoute's name.
PASSAGE_ALIASES: dict[str, str] = {
    "bab_el_mandeb": "babalmandab",
    "bab-el-mandeb": "babalmandab",
    "babelmandeb": "babalmandab",
    "red_sea": "babalmandab",
    "cape": "south_africa",
    "cape_of_good_hope": "south_africa",
    "good_hope": "south_africa",
    "bosphorus": "bosporus",
    "hormuz": "ormuz",
    "strait_of_hormuz": "ormuz",
    "suez_canal": "suez",
    "panama_canal": "panama",
    "northwest_passage": "northwest",
}

#: Passages closed on every call: the Northwest Passage (searoute's own default).
ALWAYS_RESTRICTED: frozenset[str] = frozenset({"northwest"})

#: Named sea-route variants: the passages each one closes on top of ALWAYS_RESTRICTED.
#: ``direct`` is the shortest open sea lane (Asia-Europe: via Suez); ``cape`` closes Suez
#: and Panama, which leaves the Cape of Good Hope for Asia-Europe.
VARIANTS: dict[str, frozenset[str]] = {
    "direct": frozenset(),
    "cape": frozenset({"suez", "panama"}),
}

#: Canals among the passages (a canal transit may carry its own dwell).
CANALS: frozenset[str] = frozenset({"suez", "panama"})


def normalise_passage(name: str) -> str | None:
    """Return searoute's passage name for ``name`` (case-insensitive, aliases), else None."""
    key = name.strip().lower().replace(" ", "_")
    if key in PASSAGES:
        return key
    return PASSAGE_ALIASES.get(key)


def normalise_lon(lon_deg: float) -> float:
    """Longitude folded into [-180, 180) degrees."""
    return (lon_deg + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class SeaLeg:
    """One sea leg between two ports.

    Attributes
    ----------
    coords : tuple of (lon, lat)
        The route, from the origin port to the destination port, longitudes in [-180, 180].
    distance_km : float
        Geodesic length of the route on WGS84, in km.
    passages : tuple of str
        Straits and canals traversed (searoute names, sorted).
    restrictions : tuple of str
        The full restriction list that was passed to searoute (sorted).
    origin_snap_km, destination_snap_km : float
        Distance from each port to the sea-lane node it was joined to, in km.
    """

    coords: tuple[tuple[float, float], ...]
    distance_km: float
    passages: tuple[str, ...]
    restrictions: tuple[str, ...]
    origin_snap_km: float
    destination_snap_km: float

    @property
    def distance_nm(self) -> float:
        """Length in international nautical miles (1 nm = 1.852 km)."""
        return self.distance_km / 1.852

    @property
    def canals(self) -> tuple[str, ...]:
        """Canals traversed (a subset of ``passages``)."""
        return tuple(p for p in self.passages if p in CANALS)


def _marnet() -> Any:
    from searoute.searoute import setup_M

    return setup_M()


def snap_distance_km(point: tuple[float, float]) -> float:
    """Geodesic distance in km from ``point`` (lon, lat) to the nearest sea-lane node."""
    lon, lat = point
    node = _marnet().kdtree.query((lon, lat))
    return distance_km(lon, lat, float(node[0]), float(node[1]))


def full_restrictions(*, avoid: frozenset[str] | set[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """The complete, sorted restriction list for a call that avoids ``avoid`` passages."""
    unknown = [p for p in avoid if p not in PASSAGES]
    if unknown:
        raise RoutingError(
            f"unknown sea passage(s) {sorted(unknown)}; allowed: {list(PASSAGES)} "
            f"(aliases: {sorted(PASSAGE_ALIASES)})"
        )
    return tuple(sorted(ALWAYS_RESTRICTED | set(avoid)))


def sea_leg(
    origin: tuple[float, float],
    destination: tuple[float, float],
    *,
    avoid: frozenset[str] | set[str] | tuple[str, ...] = (),
    max_snap_km: float = 150.0,
) -> SeaLeg:
    """Shortest sea route between two ports, (lon, lat), avoiding some passages.

    Parameters
    ----------
    origin, destination : (lon, lat)
        Port coordinates in degrees.  Each must lie within ``max_snap_km`` of the sea-lane
        network: inland places are refused rather than snapped to a distant coast.
    avoid : iterable of str
        searoute passage names to close on top of :data:`ALWAYS_RESTRICTED`.
    max_snap_km : float
        Largest accepted distance, in km, from a port to its sea-lane node.

    Returns
    -------
    SeaLeg

    Raises
    ------
    RoutingError
        If a point is too far from the sea, or the restrictions leave no sea route.

    Examples
    --------
    >>> leg = sea_leg((28.66, 44.16), (41.66006, 42.15406))  # Constanta -> Poti
    >>> 900 < leg.distance_km < 1300
    True
    """
    restrictions = full_restrictions(avoid=frozenset(avoid))
    o = (float(origin[0]), float(origin[1]))
    d = (float(destination[0]), float(destination[1]))
    for label, pt in (("origin", o), ("destination", d)):
        if not -90.0 <= pt[1] <= 90.0:
            raise RoutingError(f"sea-leg {label} {pt} is not (lon, lat): latitude out of range")
        snap_km = snap_distance_km(pt)
        if snap_km > max_snap_km:
            raise RoutingError(
                f"sea-leg {label} {pt} is {snap_km:.0f} km from the nearest sea lane "
                f"(limit {max_snap_km:.0f} km): sea legs start and end at ports only; "
                "route inland places overland to a port first"
            )
    return _sea_leg_cached(o, d, restrictions)


@functools.lru_cache(maxsize=512)
def _sea_leg_cached(
    origin: tuple[float, float], destination: tuple[float, float], restrictions: tuple[str, ...]
) -> SeaLeg:
    import searoute

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        feature = searoute.searoute(
            list(origin), list(destination), units="km", append_orig_dest=True,
            restrictions=list(restrictions), return_passages=True,
        )
    if isinstance(feature, list):  # only with ports_in_areas, which we never pass
        raise RoutingError("searoute returned several routes; expected one")
    raw = [tuple(c) for c in feature["geometry"]["coordinates"]]
    if len(raw) < 2 or any("no path" in str(w.message).lower() for w in caught):
        raise RoutingError(
            f"no sea route from {origin} to {destination} with passages {list(restrictions)} "
            "closed; open one of them"
        )
    # Geodesic length on the unwrapped line (pyproj handles |lon| > 180), then normalise.
    lons = [c[0] for c in raw]
    lats = [c[1] for c in raw]
    distance_km = float(GEOD.line_length(lons, lats)) / 1000.0
    coords = tuple((normalise_lon(x), float(y)) for x, y in raw)
    passages = tuple(sorted(feature["properties"].get("traversed_passages") or ()))
    leg = SeaLeg(
        coords=coords, distance_km=distance_km, passages=passages, restrictions=restrictions,
        origin_snap_km=snap_distance_km(origin), destination_snap_km=snap_distance_km(destination),
    )
    log.debug("sea leg %s -> %s: %.0f km via %s (closed %s)", origin, destination,
              distance_km, list(passages), list(restrictions))
    return leg
