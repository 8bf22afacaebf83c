"""Render folium/branca pages without ever parsing rendered text as a Jinja2 template.

branca 0.8 renders an element in two passes: ``MacroElement.render`` renders the element's
``header``/``html``/``script`` macros and wraps each *result* in ``Element(result)``, whose
constructor compiles that text as a new Jinja2 template, rendered again when the page is
assembled (folium's ``Popup``, ``Tooltip``, ``Class`` and ``GeoJson`` tooltip code do the
same).  Any text from data in that result (a site name in a tooltip, a GeoJSON property, a
JSON payload) therefore becomes template *source*: ``{{ 7*7 }}`` prints 49,
``{{ cycler.__init__.__globals__.os.popen(...) }}`` runs a shell command, and an unbalanced
``{{`` raises ``TemplateSyntaxError``.

:func:`literal_rendering` removes the second pass at its root: while it is active, every
``Element`` created with a template string during rendering is a :class:`RenderedText`,
which outputs its text as it is and never compiles it.  Element construction outside
rendering (folium's own constant templates) is untouched.  :class:`geo.maps._assets.AtlasFigure`
renders every page of this package inside it, so ``m.save()``, ``get_root().render()`` and
Jupyter display are all covered.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from branca.element import Element

__all__ = ["RenderedText", "literal_rendering"]

#: Modules whose render code creates ``Element(<rendered text>)`` (checked in branca 0.8.2
#: and folium 0.20: branca.element MacroElement/Figure, folium.map Class/Popup/Tooltip,
#: folium.features GeoJsonTooltip/Vega/VegaLite/...).  Any other loaded folium or branca
#: module that binds the name ``Element`` is patched too.
_MODULES = ("branca.element", "folium.map", "folium.features", "folium.elements")

_lock = threading.RLock()
_depth = 0


class RenderedText(Element):
    """Text that is already rendered: :meth:`render` returns it unchanged (never a template).

    Called like ``Element(template)``; without text it behaves like a plain ``Element``
    (a container rendering its children).
    """

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        super().__init__(template=None, template_name=template_name)
        self._literal = None if template is None else str(template)

    def render(self, **kwargs: Any) -> str:
        if self._literal is None:
            return super().render(**kwargs)
        return self._literal


def _targets() -> list[Any]:
    names = set(_MODULES)
    names.update(n for n in list(sys.modules)
                 if n.startswith(("folium.", "branca.")) or n in ("folium", "branca"))
    out = []
    for name in sorted(names):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "Element", None) is Element:
            out.append(module)
    return out


@contextmanager
def literal_rendering() -> Iterator[None]:
    """While active, text wrapped in ``Element(...)`` during rendering is never a template.

    Re-entrant and serialised by a lock (the patch is process-wide while it lasts).
    """
    global _depth
    with _lock:
        patched: list[Any] = []
        if _depth == 0:
            patched = _targets()
            for module in patched:
                module.Element = RenderedText
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            for module in patched:
                module.Element = Element

