"""Leaflet assets for the maps: pinned CDN URLs online, inlined local copies offline.

The maps use only Leaflet 1.9.3, jQuery 3.7.1 (folium builds popups with ``$(`...`)``) and,
for clustered sites, Leaflet.markercluster 1.4.1.  Each is installed from PyPI as an
``xstatic-*`` package (``xstatic-leaflet``'s ``leaflet.js`` is byte-identical to the CDN
file), so an offline map is one HTML file with every script and style sheet inlined:

- ``</script`` inside inlined JavaScript is written ``<\\/script`` so it cannot close the
  element (and ``</style`` likewise in CSS); the trailing ``sourceMappingURL`` comment is
  dropped so nothing refers to a file that is not there;
- CSS ``url(images/...)`` references become ``data:`` URIs;
- Leaflet's default marker icon gets data-URI images (``L.Icon.Default.imagePath = ''``),
  because its path detection reads a ``<link href$="leaflet.css">`` that no longer exists.

Folium's default Bootstrap, Font Awesome, glyphicons and awesome-markers assets are not used
at all: :class:`AtlasMap` and :class:`AtlasMarkerCluster` carry their own asset lists
(``add_js_link``/``add_css_link`` would change folium's class lists for every map in the
process, so they are never called).
"""

from __future__ import annotations

import base64
import functools
import importlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Figure
from folium.plugins import MarkerCluster

from geo._errors import GeoError
from geo.maps._literal import literal_rendering

__all__ = [
    "ASSETS",
    "Asset",
    "AtlasFigure",
    "AtlasMap",
    "AtlasMarkerCluster",
    "inline_assets",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    """One pinned script or style sheet: where browsers fetch it online, where it is locally.

    ``package`` is the importable ``xstatic.pkg.*`` module, ``filename`` a file in its
    ``BASE_DIR``, ``version`` the version that module must report.
    """

    name: str
    kind: str  # "js" | "css"
    url: str
    package: str
    filename: str
    version: str

    def path(self) -> Path:
        module = importlib.import_module(self.package)
        found = str(getattr(module, "VERSION", ""))
        if found != self.version:
            raise GeoError(
                f"{self.package} reports version {found!r}, expected {self.version!r}; "
                f"install the pinned copy: pip install 'xstatic-{self.package.rsplit('.', 1)[-1]}"
                f"=={self.version}.*'")
        return Path(module.BASE_DIR) / self.filename


_LEAFLET = "xstatic.pkg.leaflet"
_JQUERY = "xstatic.pkg.jquery"
_CLUSTER = "xstatic.pkg.leaflet_markercluster"
_CLUSTER_CDN = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.4.1/"

#: Every asset a map may reference, by folium header name.
ASSETS: dict[str, Asset] = {a.name: a for a in (
    Asset("leaflet", "js", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
          _LEAFLET, "leaflet.js", "1.9.3"),
    Asset("jquery", "js", "https://code.jquery.com/jquery-3.7.1.min.js",
          _JQUERY, "jquery.min.js", "3.7.1"),
    Asset("leaflet_css", "css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
          _LEAFLET, "leaflet.css", "1.9.3"),
    Asset("markerclusterjs", "js", _CLUSTER_CDN + "leaflet.markercluster.js",
          _CLUSTER, "leaflet.markercluster.js", "1.4.1"),
    Asset("markerclustercss", "css", _CLUSTER_CDN + "MarkerCluster.css",
          _CLUSTER, "MarkerCluster.css", "1.4.1"),
    Asset("markerclusterdefaultcss", "css", _CLUSTER_CDN + "MarkerCluster.Default.css",
          _CLUSTER, "MarkerCluster.Default.css", "1.4.1"),
)}


def _pairs(*names: str) -> list[tuple[str, str]]:
    return [(n, ASSETS[n].url) for n in names]


#: Zoom range of a map without tiles (Leaflet's usual tile range).
MAX_ZOOM = 18


class AtlasMap(folium.Map):
    """A ``folium.Map`` that needs only Leaflet and jQuery (no Bootstrap or Font Awesome).

    Its figure is an :class:`AtlasFigure`, which inlines the assets when ``offline`` is
    true, so ``m.save(path)`` and Jupyter display both give a self-contained page.
    """

    default_js = _pairs("leaflet", "jquery")
    default_css = _pairs("leaflet_css")

    def __init__(self, *, offline: bool = False, title: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not kwargs.get("tiles", "OpenStreetMap"):
            # Leaflet takes the zoom range from its tile layers; a map without tiles has
            # none, and Leaflet.markercluster then throws "Map has no maxZoom specified"
            # and nothing is drawn (the offline maps).  Give the map its own range.
            self.options.setdefault("min_zoom", 0)
            self.options.setdefault("max_zoom", MAX_ZOOM)
        figure = AtlasFigure(offline=offline, title=title)
        figure.add_child(self)


class AtlasMarkerCluster(MarkerCluster):
    """``MarkerCluster`` with Leaflet.markercluster 1.4.1, whose files can be inlined."""

    default_js = _pairs("markerclusterjs")
    default_css = _pairs("markerclustercss", "markerclusterdefaultcss")


class AtlasFigure(Figure):
    """The page around a map; inlines every asset on render when ``offline`` is true.

    ``title`` must already be HTML-escaped (branca prints it raw).
    """

    def __init__(self, *, offline: bool, title: str | None = None) -> None:
        super().__init__(title=title)
        self.offline = offline

    def render(self, **kwargs: Any) -> str:
        with literal_rendering():  # rendered text (holding data) is never a template
            html = super().render(**kwargs)
        return inline_assets(html) if self.offline else html


# ---------------------------------------------------------------------------------------------
# Inlining

_SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S+\s*$")
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9_.-]+\.png)\1\)")
_REMOTE = re.compile(r"<script\b[^>]*\bsrc=[^>]*></script>|<link\b[^>]*\bhref=[^>]*>",
                     re.IGNORECASE)


def _data_uri(path: Path, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _safe_js(text: str) -> str:
    """JavaScript text that cannot end its ``<script>`` element early."""
    text = _SOURCE_MAP.sub("\n", text)
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def _safe_css(text: str, *, base: Path) -> str:
    text = re.sub(r"\n?/\*# sourceMappingURL=\S+ \*/\s*$", "\n", text)

    def _embed(match: re.Match[str]) -> str:
        return f"url({_data_uri(base / match.group(2))})"

    text = _CSS_URL.sub(_embed, text)
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)


def _icon_fix() -> str:
    images = ASSETS["leaflet"].path().parent / "images"
    options = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    body = ",".join(f'{k}:"{v}"' for k, v in options.items())
    return ("<script>L.Icon.Default.imagePath='';"
            f"L.Icon.Default.mergeOptions({{{body}}});</script>")


@functools.cache
def _inline_tag(name: str) -> str:
    asset = ASSETS[name]
    path = asset.path()
    text = path.read_text(encoding="utf-8")
    if asset.kind == "js":
        tag = f"<script>/* {asset.name}: {asset.url} */\n{_safe_js(text)}</script>"
        return tag + _icon_fix() if name == "leaflet" else tag
    return f"<style>/* {asset.name}: {asset.url} */\n{_safe_css(text, base=path.parent)}</style>"


def inline_assets(html: str) -> str:
    """Replace every known ``<script src>``/``<link href>`` of :data:`ASSETS` by inline copies.

    Raises :class:`~geo._errors.GeoError` when the page refers to any other external script
    or style sheet (e.g. a folium plugin whose assets are not pinned here), since
    such a page would not draw without a network.
    """
    by_tag = {}
    for asset in ASSETS.values():
        if asset.kind == "js":
            by_tag[f'<script src="{asset.url}"></script>'] = asset.name
        else:
            by_tag[f'<link rel="stylesheet" href="{asset.url}"/>'] = asset.name
    unknown = [m.group(0) for m in _REMOTE.finditer(html) if m.group(0) not in by_tag]
    if unknown:
        raise GeoError(
            f"offline map refers to external assets {unknown}; only Leaflet, jQuery and "
            f"Leaflet.markercluster can be inlined ({', '.join(sorted(ASSETS))})")
    return _REMOTE.sub(lambda m: _inline_tag(by_tag[m.group(0)]), html)
