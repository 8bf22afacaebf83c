"""Finding places: what can be routed, and cities that are not in the network.

:func:`places` lists the nodes of the network that at least one link or sea leg reaches,
with their aliases (other spellings and former names, stored in ``nodes.geojson``).

The gazetteer (``layers/gazetteer.csv``) holds cities of the region with GeoNames
coordinates, one ``source_url`` per row; it is not part of the network.  It lets
:meth:`geo.Network.resolve` say, for a city a user types that is not a node, that it is not
in the network and which node is nearest (in the same country when there is one).

Coordinates are (lon, lat) in degrees; distances are geodesic on WGS84, in km.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo._errors import RoutingError
from geo.layers import layer_dir
from geo.schema import NodeKind

if TYPE_CHECKING:
    import pandas as pd

    from geo.routing.graph import Network

__all__ = ["GazetteerCity", "gazetteer", "places"]

GAZETTEER_FILE = "gazetteer.csv"


@dataclass(frozen=True)
class GazetteerCity:
    """A city of the gazetteer: name, ISO3 country, (lon, lat), GeoNames source URL."""

    name: str
    country: str
    lon: float
    lat: float
    population: int
    source_url: str


@functools.lru_cache(maxsize=2)
def _gazetteer(path: str) -> tuple[GazetteerCity, ...]:
    out = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(GazetteerCity(row["name"], row["country"], float(row["lon"]),
                                     float(row["lat"]), int(row["population"]),
                                     row["source_url"]))
    return tuple(out)


def gazetteer() -> tuple[GazetteerCity, ...]:
    """The bundled gazetteer (empty when the file is absent)."""
    path = layer_dir() / GAZETTEER_FILE
    return _gazetteer(str(path)) if path.exists() else ()




def places(*, country: str | None = None, kind: str | None = None,
           network: Network | None = None) -> pd.DataFrame:
    """The places that can be routed: connected nodes, optionally of one country or kind.

    Parameters
    ----------
    country : str, optional
        ISO3 code (e.g. ``"UZB"``).
    kind : str, optional
        Node kind (``hub``, ``junction``, ``station``, ``border_crossing``, ``sea_port``,
        ``gauge_change``, ``town``, ``mountain_pass``, ``dry_port``).
    network : Network, optional
        Default: the network of the bundled layers.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``kind``, ``country``, ``aliases`` (list), ``lon``,
        ``lat``, ``modes`` (list of the modes of the links that reach the node), sorted by
        country and name.

    Raises
    ------
    RoutingError
        For a country code or kind that no place has (the error lists the valid ones).
    """
    from geo.routing.graph import default_network  # graph imports this module

    net = network if network is not None else default_network()
    g = net.graph
    rows: list[dict[str, Any]] = []
    for nid, data in g.nodes(data=True):
        if g.degree(nid) == 0:
            continue
        modes = sorted({d["mode"] for *_, d in g.edges(nid, data=True)})
        aliases = data.get("aliases")
        rows.append({"id": nid, "name": data.get("name") or nid, "kind": data.get("kind"),
                     "country": data.get("country"),
                     "aliases": list(aliases) if isinstance(aliases, (list, tuple)) else [],
                     "lon": data["lon"], "lat": data["lat"], "modes": modes})
    frame = pd.DataFrame(rows, columns=["id", "name", "kind", "country", "aliases", "lon",
                                        "lat", "modes"])
    if country is not None:
        code = country.strip().upper()
        known = sorted(set(frame["country"].dropna()))
        if code not in known:
            raise RoutingError(f"no place in country {country!r}; countries with places: "
                               f"{', '.join(known)}")
        frame = frame[frame["country"] == code]
    if kind is not None:
        if kind not in NodeKind.choices():
            raise RoutingError(f"unknown kind {kind!r}; must be one of {NodeKind.choices()}")
        frame = frame[frame["kind"] == kind]
    return frame.sort_values(["country", "name"]).reset_index(drop=True)
