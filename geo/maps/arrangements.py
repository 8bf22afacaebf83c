"""The arrangements page: a choropleth of one regional arrangement at a time, year by year.

One self-contained, offline HTML file: Leaflet is inlined (no tiles, no network), and the data
(memberships with their sources, simplified Natural Earth outlines, the corridors) travels in
one ``<script type="application/json">`` element that the page parses and turns into text
with ``textContent``; no data string ever becomes HTML or template source.  A select box
chooses the arrangement and a slider the year (the situation on 31 December of it); countries
are coloured by their role, corridors are drawn on top, and a click on a country opens its
role, dates, note and sources.  Output is deterministic for a given build year.

:func:`render_arrangements_page` takes frames (it loads nothing); :func:`write_arrangements_page`
loads the bundled layers and writes the file atomically.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from geo._io import atomic_write
from geo._provenance import provenance
from geo.maps._assets import _inline_tag
from geo.maps._html import escape_html, json_for_script
from geo.membership import arrangements as load_arrangements

__all__ = ["FIRST_YEAR", "ROLE_COLOURS", "render_arrangements_page", "write_arrangements_page"]

log = logging.getLogger(__name__)

#: First year of the slider (the Shanghai Five met in 1996).
FIRST_YEAR = 1996
#: Fill colour of each role; countries with no role that year get ``NO_ROLE_COLOUR``.
ROLE_COLOURS: dict[str, str] = {
    "founding_member": "#08519c",
    "member": "#4292c6",
    "associate_member": "#9ecae1",
    "observer": "#fd8d3c",
    "dialogue_partner": "#fdd49e",
    "partner": "#a1d99b",
    "signatory": "#31a354",
    "suspended": "#969696",
}
NO_ROLE_COLOUR = "#f4f1ea"
#: Outline simplification (degrees) and coordinate rounding (decimals) for the page.
SIMPLIFY_DEG = 0.03
DECIMALS = 3


def _rounded(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), DECIMALS) for c in coords[:2]]
    return [_rounded(c) for c in coords]


def _features(gdf: gpd.GeoDataFrame, props: list[str]) -> dict[str, Any]:
    feats = []
    for row in gdf.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        simple = shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True)
        gi = shapely.geometry.mapping(simple)
        feats.append({"type": "Feature",
                      "properties": {p: _plain(getattr(row, p)) for p in props},
                      "geometry": {"type": gi["type"], "coordinates": _rounded(gi["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def page_data(memberships: pd.DataFrame, arrangements: pd.DataFrame,
              outlines: gpd.GeoDataFrame, corridors: gpd.GeoDataFrame | None, *,
              last_year: int, first_year: int = FIRST_YEAR,
              title: str = "Regional arrangements") -> dict[str, Any]:
    """The JSON object the page carries (see the module docstring)."""
    rows = []
    for r in memberships.itertuples(index=False):
        sources: list[dict[str, Any]] = list(r.sources)  # type: ignore[arg-type]
        rows.append({
            "a": r.arrangement, "c": r.country, "role": r.role, "start": _plain(r.start),
            "end": _plain(r.end), "attested": _plain(r.attested),
            "from": _plain(r.valid_from), "to": _plain(r.valid_to),
            "sources": [{"title": str(s["title"]), "url": str(s["url"])} for s in sources],
            "note": _plain(r.note),
        })
    involved = set(memberships["country"])
    if corridors is not None:
        involved |= {c for cs in corridors.get("countries", []) for c in cs}
    core = outlines[outlines["iso3"].isin(involved)]
    if len(core):
        x0, y0, x1, y1 = core.total_bounds
        near = outlines[outlines.intersects(shapely.box(x0 - 5, y0 - 5, x1 + 5, y1 + 5))]
    else:
        near = outlines.iloc[0:0]
    near = near.sort_values("iso3")
    corridor_fc = (_features(corridors.sort_values("id"), ["id", "name"])
                   if corridors is not None else {"type": "FeatureCollection", "features": []})
    return {
        "title": title, "firstYear": first_year, "lastYear": last_year,
        "arrangements": [{"id": r.id, "name": r.name, "kind": r.kind,
                          "founded": _plain(r.founded)} for r in arrangements.itertuples()],
        "memberships": rows,
        "roles": [{"role": k, "colour": v, "label": k.replace("_", " ")}
                  for k, v in ROLE_COLOURS.items()],
        "noRoleColour": NO_ROLE_COLOUR,
        "countries": _features(near, ["iso3", "name"]),
        "corridors": corridor_fc,
    }


_CSS = """
html,body{height:100%;margin:0;font:14px/1.4 sans-serif}
#map{position:absolute;top:0;bottom:0;left:0;right:0;background:#dbe7ef}
.panel{position:absolute;z-index:1000;background:rgba(255,255,255,.94);padding:8px 10px;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
#controls{top:10px;left:50px;max-width:30em}
#controls h1{font-size:15px;margin:0 0 6px}
#controls label{display:block;margin:4px 0}
#year{width:16em;vertical-align:middle}
#controls select{max-width:100%}
.geo-legend{bottom:24px;right:10px;font-size:12px}
.geo-legend .sw{display:inline-block;width:14px;height:10px;margin-right:5px;border:1px solid #777}
.geo-legend .row{white-space:nowrap}
#summary{margin:6px 0 0;font-size:12px;color:#333}
.src{font-size:11px;margin:2px 0 0 1em}
.popup-title{font-weight:bold}
"""

_JS = r"""
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('arrangements-data').textContent);
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  const periods = {};
  for (const m of data.memberships) {
    (periods[m.a + '|' + m.c] = periods[m.a + '|' + m.c] || []).push(m);
  }
  const names = {};
  for (const f of data.countries.features) names[f.properties.iso3] = f.properties.name;
  const colours = {};
  for (const r of data.roles) colours[r.role] = r.colour;
  const state = {arrangement: data.arrangements.length ? data.arrangements[0].id : null,
                 year: data.lastYear};
  const refDate = (year) => String(year) + '-12-31';
  function periodOf(a, iso, year) {
    const date = refDate(year);
    for (const m of periods[a + '|' + iso] || []) {
      if (m.from <= date && (m.to === null || date < m.to)) return m;
    }
    return null;
  }
  function style(feature) {
    const p = periodOf(state.arrangement, feature.properties.iso3, state.year);
    return {fillColor: p ? colours[p.role] : data.noRoleColour, fillOpacity: p ? 0.85 : 0.6,
            color: '#8a8577', weight: 0.6};
  }
  function popup(iso) {
    const box = el('div');
    box.appendChild(el('div', names[iso] || iso, 'popup-title'));
    const arr = data.arrangements.find((x) => x.id === state.arrangement);
    box.appendChild(el('div', arr ? arr.name : state.arrangement));
    const p = periodOf(state.arrangement, iso, state.year);
    if (!p) {
      box.appendChild(el('div', 'No role known on ' + refDate(state.year) + '.'));
      return box;
    }
    box.appendChild(el('div', 'Role: ' + p.role.replace(/_/g, ' ')));
    const since = p.start ? 'since ' + p.start : 'start not dated by a source; attested ' + p.attested;
    box.appendChild(el('div', since + (p.end ? ', until ' + p.end : ', current')));
    if (p.note) box.appendChild(el('div', p.note));
    box.appendChild(el('div', 'Sources:'));
    for (const s of p.sources) {
      const row = el('div', null, 'src');
      if (/^https?:\/\//i.test(s.url)) {
        const a = el('a', s.title);
        a.setAttribute('href', s.url);
        a.setAttribute('target', '_blank');
        a.setAttribute('rel', 'noopener noreferrer');
        row.appendChild(a);
      } else {
        row.textContent = s.title;
      }
      box.appendChild(row);
    }
    return box;
  }
  const map = L.map('map', {attributionControl: false, zoomSnap: 0.25});
  const layersByIso = {};
  const countries = L.geoJSON(data.countries, {
    style: style,
    onEachFeature: function (feature, layer) {
      layersByIso[feature.properties.iso3] = layer;
      layer.bindPopup(function () { return popup(feature.properties.iso3); }, {maxWidth: 360});
    },
  }).addTo(map);
  const corridors = L.geoJSON(data.corridors, {
    style: {color: '#222222', weight: 2.5, opacity: 0.9},
    interactive: true,
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(function () { return el('span', feature.properties.name); }, {sticky: true});
    },
  }).addTo(map);
  const bounds = corridors.getLayers().length ? corridors.getBounds() : countries.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.25)); else map.setView([45, 70], 3);

  const controls = document.getElementById('controls');
  controls.appendChild(el('h1', data.title));
  const label1 = el('label', 'Arrangement ');
  const select = el('select');
  select.id = 'arrangement';
  for (const a of data.arrangements) {
    const opt = el('option', a.name);
    opt.value = a.id;
    select.appendChild(opt);
  }
  label1.appendChild(select);
  controls.appendChild(label1);
  const label2 = el('label', 'Year ');
  const slider = el('input');
  slider.type = 'range'; slider.id = 'year';
  slider.min = String(data.firstYear); slider.max = String(data.lastYear); slider.step = '1';
  slider.value = String(state.year);
  const out = el('output', state.year);
  out.id = 'year-label';
  label2.appendChild(slider); label2.appendChild(out);
  controls.appendChild(label2);
  const summary = el('p', '');
  summary.id = 'summary';
  controls.appendChild(summary);
  L.DomEvent.disableClickPropagation(controls);
  L.DomEvent.disableScrollPropagation(controls);

  const legend = document.getElementById('legend');
  function redraw() {
    countries.setStyle(style);
    out.textContent = String(state.year);
    const counts = {};
    for (const f of data.countries.features) {
      const p = periodOf(state.arrangement, f.properties.iso3, state.year);
      if (p) counts[p.role] = (counts[p.role] || 0) + 1;
    }
    legend.textContent = '';
    legend.appendChild(el('div', 'Role on ' + refDate(state.year), 'popup-title'));
    for (const r of data.roles) {
      const row = el('div', null, 'row');
      const sw = el('span', null, 'sw');
      sw.style.background = r.colour;
      row.appendChild(sw);
      row.appendChild(el('span', r.label + ' (' + (counts[r.role] || 0) + ')'));
      legend.appendChild(row);
    }
    const none = el('div', null, 'row');
    const sw = el('span', null, 'sw');
    sw.style.background = data.noRoleColour;
    none.appendChild(sw);
    none.appendChild(el('span', 'no role known'));
    legend.appendChild(none);
    legend.appendChild(el('div', 'Black lines: corridors'));
    const members = (counts.member || 0) + (counts.founding_member || 0);
    const arr = data.arrangements.find((x) => x.id === state.arrangement);
    summary.textContent = (arr ? arr.name : '') + ', 31 December ' + state.year + ': ' +
      members + ' member' + (members === 1 ? '' : 's') + ' drawn.';
    map.closePopup();
  }
  select.addEventListener('change', function () { state.arrangement = select.value; redraw(); });
  slider.addEventListener('input', function () { state.year = Number(slider.value); redraw(); });
  redraw();
  window.geoAtlas = {
    map: map, layers: {countries: countries, corridors: corridors},
    expected: {corridors: data.corridors.features.length},
    state: state,
    set: function (arrangement, year) {
      if (arrangement !== undefined) { state.arrangement = arrangement; select.value = arrangement; }
      if (year !== undefined) { state.year = year; slider.value = String(year); }
      redraw();
    },
    roleOf: function (iso) {
      const p = periodOf(state.arrangement, iso, state.year);
      return p ? p.role : null;
    },
    fillOf: function (iso) { return layersByIso[iso] ? layersByIso[iso].options.fillColor : null; },
    openPopup: function (iso) { layersByIso[iso].openPopup(); },
  };
})();
"""


def render_arrangements_page(memberships: pd.DataFrame, arrangements: pd.DataFrame,
                             outlines: gpd.GeoDataFrame, corridors: gpd.GeoDataFrame | None,
                             *, last_year: int, first_year: int = FIRST_YEAR,
                             title: str = "Regional arrangements") -> str:
    """The page as HTML text (offline, deterministic).

    Parameters
    ----------
    memberships, arrangements
        As :func:`geo.arrangements` returns them (``table="memberships"`` and
        ``table="arrangements"``).
    outlines
        Country outlines with ``iso3`` and ``name`` (EPSG:4326), e.g. :func:`geo.countries`.
    corridors
        Corridors with ``id``, ``name``, ``countries`` and LineString geometry, or None.
    last_year, first_year
        Range of the year slider; it starts at ``last_year``.
    """
    data = page_data(memberships, arrangements, outlines, corridors, last_year=last_year,
                     first_year=first_year, title=title)
    record = provenance(note="country roles: layers/arrangements.json; outlines: Natural Earth "
                             "1:50m, simplified for this page")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape_html(title)}</title>"
        f"{_inline_tag('leaflet_css')}<style>{_CSS}</style></head><body>"
        "<div id=\"map\"></div><div id=\"controls\" class=\"panel\"></div>"
        "<div id=\"legend\" class=\"panel geo-legend\"></div>"
        f"<script type=\"application/json\" id=\"arrangements-data\">{json_for_script(data)}</script>"
        f"<script type=\"application/json\" id=\"provenance\">{json_for_script(record)}</script>"
        f"{_inline_tag('leaflet')}<script>{_JS}</script></body></html>\n"
    )


def write_arrangements_page(path: str | os.PathLike[str], *, last_year: int | None = None,
                            title: str = "Regional arrangements") -> Path:
    """Write the page for the bundled layers to ``path`` (atomically); return the path."""
    year = last_year if last_year is not None else dt.date.today().year
    html = render_arrangements_page(load_arrangements(), load_arrangements(table="arrangements"),
                                    layers.countries(), layers.corridors(), last_year=year,
                                    title=title)
    out = atomic_write(path, html)
    log.info("wrote %s (%d bytes)", out, len(html.encode("utf-8")))
    return out
