"""Escaping for every string from data that reaches HTML or JavaScript.

Folium 0.20 inserts Tooltip, default Popup and GeoJsonTooltip/GeoJsonPopup text raw, often
inside a JavaScript template literal.  These helpers make such text inert.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["escape_html", "escape_js_template", "json_for_script"]


def escape_html(value: Any) -> str:
    """HTML-escape ``value`` and neutralise template-literal syntax.

    Escapes ``& < > " '`` (so ``</script>`` and ``<img onerror=...>`` become text), plus
    backticks, ``$`` and backslashes as character references, so the result is safe both
    as HTML and inside a JavaScript template literal such as folium's
    ``bindTooltip(`...`)`` or ``$(`...`)``.
    """
    text = "" if value is None else str(value)
    text = html.escape(text, quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def escape_js_template(value: Any) -> str:
    """Escape ``value`` for the inside of a JavaScript template literal (not HTML-escaped).

    Backslashes, backticks and ``${`` are escaped, and ``</`` becomes ``<\\/`` so the text
    cannot close the surrounding ``<script>`` element.
    """
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return text.replace("</", "<\\/")


def json_for_script(value: Any) -> str:
    """JSON text that is safe to embed in a ``<script>`` element.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as ``\\u`` escapes.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
