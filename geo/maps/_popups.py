"""Tooltip and popup HTML for corridors, links, nodes and sites, built from escaped text only.

Every value from data passes through :func:`geo.maps._html.escape_html` (HTML-safe and safe
inside folium's JavaScript template literals); the markup around it is constant.  Source
links become ``<a href>`` only for ``http``/``https`` URLs, anything else stays text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from geo._format import fmt_days, fmt_km, fmt_usd, is_blank, is_missing
from geo._io import load_json
from geo.maps._html import escape_html

__all__ = [
    "SITE_KNOWN",
    "corridor_popup",
    "energy_capacity_text",
    "energy_popup",
    "link_popup",
    "link_title",
    "node_popup",
    "public_note",
    "site_financier_text",
    "site_popup",
    "site_value_text",
    "site_year_text",
    "source_links",
    "sources_text",
    "text_list",
    "tooltip_html",
]

_MAX_LINK_ROWS = 40


def text_list(value: Any, *, sep: str = ", ") -> str | None:
    """A list (or JSON list text) joined with ``sep``; a scalar as text; None when missing."""
    if is_blank(value):
        return None
    if isinstance(value, str) and value.startswith("["):
        try:
            value = load_json(value)
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if not is_blank(v)]
        return sep.join(items) if items else None
    if hasattr(value, "tolist"):
        return text_list(value.tolist(), sep=sep)
    return str(value)


def _sources(value: Any) -> list[Mapping[str, Any]]:
    if is_blank(value):
        return []
    if isinstance(value, str):
        try:
            value = load_json(value)
        except ValueError:
            return [{"title": value, "url": ""}]
    if isinstance(value, Mapping):
        value = [value]
    if hasattr(value, "tolist"):
        value = value.tolist()
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def source_links(value: Any) -> str | None:
    """Escaped HTML for a list of ``{"title", "url"}`` sources (links for http(s) URLs)."""
    items = []
    for src in _sources(value):
        title = escape_html(src.get("title") or src.get("url") or "source")
        url = str(src.get("url") or "")
        if url.lower().startswith(("https://", "http://")):
            items.append(f'<a href="{escape_html(url)}" target="_blank" '
                         f'rel="noopener noreferrer">{title}</a>')
        else:
            items.append(title + (f" ({escape_html(url)})" if url else ""))
    return "<br>".join(items) if items else None


def sources_text(value: Any) -> str | None:
    """Plain text for a list of ``{"title", "url"}`` sources: ``title (url)``, ``; `` between.

    For popups whose content is set as text (the big site layer), where no link is made.
    """
    items = []
    for src in _sources(value):
        title = str(src.get("title") or src.get("url") or "source")
        url = str(src.get("url") or "")
        items.append(f"{title} ({url})" if url and url != title else title)
    return "; ".join(items) if items else None


def _row(label: str, value: str | None, *, raw: bool = False) -> str:
    if value is None:
        return ""
    shown = value if raw else escape_html(value)
    return f"<tr><th>{escape_html(label)}</th><td>{shown}</td></tr>"


def _card(title: Any, rows: Iterable[str], *, subtitle: str | None = None) -> str:
    head = f'<div class="geo-popup-title">{escape_html(title)}</div>'
    if subtitle:
        head += f'<div class="geo-popup-sub">{escape_html(subtitle)}</div>'
    return f'<div class="geo-popup">{head}<table>{"".join(rows)}</table></div>'


def tooltip_html(name: Any, detail: str | None = None) -> str:
    """A one-line tooltip: the escaped name, then an escaped detail in grey."""
    out = f"<b>{escape_html(name)}</b>"
    if detail:
        out += f' <span class="geo-tip-detail">{escape_html(detail)}</span>'
    return out


def _get(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if is_blank(value) else value


def corridor_popup(row: Mapping[str, Any], *, links: Sequence[Mapping[str, Any]] = (),
                   transit_days: Any = None) -> str:
    """Popup HTML for a corridor row of :func:`geo.corridors` (plus its links, if given)."""
    documented = fmt_km(_get(row, "documented_length_km"))
    share = _get(row, "documented_share")
    used = fmt_km(_get(row, "length_used_km"))
    if used and share is not None:
        used += f" ({float(share) * 100:.0f}% from documented sections)"
    doc_source = source_links(_get(row, "length_source"))
    gauges = text_list(_get(row, "gauges_mm"), sep=" / ")
    rows = [
        _row("Length used", used),
        _row("Documented length", documented),
        _row("Length source", doc_source, raw=True),
        _row("Geodesic length", fmt_km(_get(row, "geodesic_length_km"))),
        _row("Transit", fmt_days(transit_days)),
        _row("Countries", text_list(_get(row, "countries"), sep=" \u2192 ")),
        _row("Modes", text_list(_get(row, "modes"))),
        _row("Status", _words(_get(row, "status"))),
        _row("Gauges", gauges and f"{gauges} mm"),
        _row("Sources", source_links(_get(row, "sources")), raw=True),
    ]
    if links:
        items = []
        for link in links[:_MAX_LINK_ROWS]:
            bits = [str(link.get("mode") or ""), str(link.get("status") or "")]
            used_km = fmt_km(link.get("length_used_km"))
            if used_km:
                method = link.get("length_method")
                bits.append(used_km + (f" {method}" if method else ""))
            items.append(f"{escape_html(link.get('name') or link.get('id'))} "
                         f"<span class=\"geo-tip-detail\">"
                         f"{escape_html(', '.join(b for b in bits if b))}</span>")
        more = len(links) - _MAX_LINK_ROWS
        if more > 0:
            items.append(f"and {more} more")
        rows.append(_row("Sections", "<br>".join(items), raw=True))
    return _card(_get(row, "name") or _get(row, "id") or "corridor", rows,
                 subtitle=text_list(_get(row, "description")))


def link_title(row: Mapping[str, Any], *, node_names: Mapping[str, Any] | None = None) -> str:
    """A link's name, or "from – to" (node names from ``node_names``, else node ids)."""
    name = text_list(_get(row, "name"))
    if name:
        return name
    ends = [_get(row, k) for k in ("from_id", "to_id")]
    names = node_names or {}
    shown = [str(_get(names, str(e)) or e) for e in ends if e is not None]
    return " \u2013 ".join(shown) or str(_get(row, "id") or "link")


def _whole(value: Any) -> str | None:
    """An integer-valued figure (year, gauge) as text without a trailing ``.0``."""
    if is_blank(value):
        return None
    try:
        return str(int(value)) if float(value) == int(value) else str(value)
    except (TypeError, ValueError):
        return str(value)


def link_popup(row: Mapping[str, Any], *, node_names: Mapping[str, Any] | None = None) -> str:
    """Popup HTML for a link row of :func:`geo.links`: mode, gauge, status, opened, lengths.

    The length used says how it was found: documented (with its source, a link only for
    ``http``/``https`` URLs) or the geodesic length times a circuity factor (with its basis).
    """
    method = text_list(_get(row, "length_method"))
    used = fmt_km(_get(row, "length_used_km"))
    circuity = _get(row, "circuity_used")
    circuity = _get(row, "circuity") if circuity is None else circuity
    documented = method == "documented"
    if used and method:
        how = method if documented or circuity is None else \
            f"circuity {float(circuity):.2f} \u00d7 geodesic"
        used += f" ({how})"
    gauge = _whole(_get(row, "gauge_mm"))
    rows = [
        _row("Mode", text_list(_get(row, "mode"))),
        _row("Gauge", gauge and f"{gauge} mm"),
        _row("Status", _words(_get(row, "status"))),
        _row("Opened", _whole(_get(row, "opened"))),
        _row("Geodesic length", fmt_km(_get(row, "geodesic_length_km"))),
        _row("Length used", used),
        _row("Length source", source_links(_get(row, "length_source")) if documented else None,
             raw=True),
        _row("Circuity basis", None if documented else text_list(_get(row, "circuity_basis"))),
        _row("Countries", text_list(_get(row, "countries"), sep=" \u2192 ")),
        _row("Sources", source_links(_get(row, "sources")), raw=True),
    ]
    title = link_title(row, node_names=node_names)
    ends = link_title({k: row.get(k) for k in ("from_id", "to_id", "id")},
                      node_names=node_names)
    return _card(title, rows, subtitle=ends if ends != title else None)


def node_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for a node row of :func:`geo.nodes`."""
    rows = [
        _row("Local name", text_list(_get(row, "name_local"))),
        _row("Also", text_list(_get(row, "aliases"))),
        _row("Kind", _words(_get(row, "kind"))),
        _row("Country", text_list(_get(row, "country"))),
        _row("Facilities", _words(_get(row, "facilities"))),
        _row("Position", text_list(_get(row, "coord_quality"))),
        _row("Sources", source_links(_get(row, "sources")), raw=True),
    ]
    return _card(_get(row, "name") or _get(row, "id") or "node", rows)


_AMOUNT = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s?(bn|billion|M|m|million)?\b")
_CURATION = re.compile(r"^\s*Reference [A-Z] row \d+\.\s*")


def _amounts_usd(text: str) -> list[float]:
    """US-dollar amounts written in ``text`` (``$4.18bn``, ``~$150M``, ``$300M``)."""
    scale = {"bn": 1e9, "billion": 1e9, "M": 1e6, "m": 1e6, "million": 1e6}
    return [float(num.replace(",", "")) * scale.get(unit or "", 1.0)
            for num, unit in _AMOUNT.findall(text)]


def site_value_text(value_usd: Any, value_note: Any) -> str | None:
    """A site's value as shown in popups, each figure once.

    When the note (the documented wording) already states the value, the note alone:
    ``~$150M``, not ``US$ 150 m (~$150M)``; otherwise ``US$ 1.20 bn (note)``.
    """
    value = fmt_usd(value_usd)
    note = text_list(value_note)
    if not note:
        return value
    if value is None:
        return note
    usd = float(value_usd)
    if any(abs(a - usd) <= 0.01 * abs(usd) for a in _amounts_usd(note)):
        return note
    return f"{value} ({note})"


def public_note(value: Any) -> str | None:
    """A feature's note as readers see it: without internal curation markers
    (``Reference C row 12.``); None when nothing is left."""
    note = text_list(value)
    if not note:
        return None
    return _CURATION.sub("", note).strip() or None


def site_financier_text(financier: Any, financier_note: Any) -> str | None:
    """A site's financiers as shown in popups: ``china_exim, cdb (as documented note)``."""
    text = text_list(financier)
    note = text_list(financier_note)
    if note:
        text = f"{text} ({note})" if text else note
    return text


def site_year_text(year: Any, year_note: Any) -> str | None:
    """A site's year as shown in popups (a float year without its ``.0``, then the note);
    the note alone when it already states the year (``1997``, not ``1997 (1997)``)."""
    if is_blank(year):
        year = None
    text = None if year is None else str(int(year)) if isinstance(year, float) \
        and year.is_integer() else str(year)
    note = text_list(year_note)
    if note:
        text = note if not text or text in note else f"{text} ({note})"
    return text


#: Site columns with a row of their own in the popups (other columns are ``extra_fields``).
SITE_KNOWN = ("name", "sector", "country", "countries", "company", "value_usd", "value_note",
               "year", "year_note", "status", "financier", "financier_note", "corridor",
               "coord_quality", "sources", "note")


def _words(value: Any) -> str | None:
    """A vocabulary value as words: ``oil_gas_upstream`` -> ``oil gas upstream``."""
    text = text_list(value)
    return text.replace("_", " ") if text else None


def site_popup(row: Mapping[str, Any], *, extra_fields: Sequence[str] = (),
               corridor_names: Mapping[str, Any] | None = None) -> str:
    """Popup HTML for a site row of :func:`geo.sites` or of a user's own sites file.

    ``extra_fields`` are further columns (of a user's file) shown as plain text;
    ``corridor_names`` maps corridor ids to the names shown.
    """
    corridor = text_list(_get(row, "corridor"))
    if corridor and corridor_names:
        corridor = str(corridor_names.get(corridor, corridor))
    rows = [
        _row("Sector", _words(_get(row, "sector"))),
        _row("Country", text_list(_get(row, "countries")) or text_list(_get(row, "country"))),
        _row("Company", text_list(_get(row, "company"))),
        _row("Value", site_value_text(row.get("value_usd"), row.get("value_note"))),
        _row("Year", site_year_text(row.get("year"), row.get("year_note"))),
        _row("Status", _words(_get(row, "status"))),
        _row("Financier", site_financier_text(row.get("financier"), row.get("financier_note"))),
        _row("Corridor", corridor),
        _row("Position", text_list(_get(row, "coord_quality"))),
        _row("Note", public_note(_get(row, "note"))),
        _row("Sources", source_links(_get(row, "sources")), raw=True),
    ]
    rows += [_row(str(f), text_list(_get(row, f))) for f in extra_fields if f not in SITE_KNOWN]
    return _card(_get(row, "name") or _get(row, "id") or "site", rows)


#: Capacity columns of the energy layer and how their values are shown.
_CAPACITY_UNITS = (("capacity_bcm_per_year", "{:,.3g} bcm/yr"),
                   ("capacity_mt_per_year", "{:,.3g} Mt/yr"),
                   ("voltage_kv", "{:,.0f} kV"))


def energy_capacity_text(row: Mapping[str, Any]) -> str | None:
    """An energy line's capacity with its unit (``30 bcm/yr``, ``20 Mt/yr``, ``500 kV``)."""
    for column, pattern in _CAPACITY_UNITS:
        value = _get(row, column)
        if value is not None:
            try:
                return pattern.format(float(value))
            except (TypeError, ValueError):
                return str(value)
    return None


def _km_by_country(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not value:
        return text_list(value)
    return ", ".join(f"{k} {float(v):,.0f} km" for k, v in value.items()
                     if not is_missing(v))


def energy_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for a row of :func:`geo.energy`: kind, capacity, lengths, status,
    countries with km in each, who owns, builds and finances it, and sources."""
    documented = fmt_km(_get(row, "documented_length_km"))
    geodesic = fmt_km(_get(row, "geodesic_length_km"))
    share = _get(row, "geodesic_share_of_documented")
    if geodesic and share is not None:
        geodesic += f" ({float(share) * 100:.0f}% of documented, through the documented points)"
    countries = text_list(_get(row, "countries"), sep=" \u2192 ")
    by_country = _km_by_country(_get(row, "geodesic_km_by_country"))
    if countries and by_country:
        countries += f" (geodesic: {by_country})"
    flagged = text_list(_get(row, "countries_undocumented"))
    missed = text_list(_get(row, "countries_missed"))
    opened = _whole(_get(row, "opened"))
    opened_note = text_list(_get(row, "opened_note"))
    if opened_note:
        opened = f"{opened} ({opened_note})" if opened else opened_note
    capacity = energy_capacity_text(row)
    capacity_note = text_list(_get(row, "capacity_note"))
    if capacity_note:
        capacity = f"{capacity} ({capacity_note})" if capacity else capacity_note
    rows = [
        _row("Kind", text_list(_get(row, "kind")) and str(row["kind"]).replace("_", " ")),
        _row("Capacity", capacity),
        _row("Documented length", documented),
        _row("Length source", source_links(_get(row, "length_source")), raw=True),
        _row("Geodesic length", geodesic),
        _row("Status", text_list(_get(row, "status"))),
        _row("Opened", opened),
        _row("Countries", countries),
        _row("Crossing no source names", flagged),
        _row("Named but not crossed", missed),
        _row("Operator", text_list(_get(row, "operator"))),
        _row("Owners", text_list(_get(row, "owners"))),
        _row("Contractor", text_list(_get(row, "contractor"))),
        _row("Financier", site_financier_text(row.get("financier"), row.get("financier_note"))),
        _row("Position", text_list(_get(row, "coord_quality"))),
        _row("Shape", text_list(_get(row, "coord_note"))),
        _row("Note", text_list(_get(row, "note"))),
        _row("Sources", source_links(_get(row, "sources")), raw=True),
    ]
    return _card(_get(row, "name") or _get(row, "id") or "energy line", rows)
