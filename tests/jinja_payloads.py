"""Jinja2 template-injection payloads and an atlas that carries them in every text field.

Each payload is wrapped in unique letters so that its *evaluated* form (``jqA49qj`` for
``jqA{{7*7}}qj``) can be searched for in a page without matching anything else.  The payloads
hold none of ``& < > " ' ` $ \\``, so their literal text survives HTML and JSON escaping
unchanged and must appear in the page as written.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from builders import (
    AKTOGAY,
    ALASHANKOU,
    DOSTYK,
    collection,
    make_corridor,
    make_energy,
    make_link,
    make_node,
    make_site,
    write,
)

#: Payload -> what it would become if it were rendered as a Jinja2 template.
EVALUATES_TO = {
    "jqA{{7*7}}qj": "jqA49qj",
    "jqB{{ 6*7 }}0qj": "jqB420qj",
    "jqC{% for x in range(3) %}L{% endfor %}qj": "jqCLLLqj",
    "jqD{# gone #}qj": "jqDqj",
    "jqG{{ cycler.__init__.__globals__.os.getcwd() }}qj": f"jqG{Path.cwd()}qj",
    "jqF{{ lipsum.__globals__.os.getuid() }}qj": f"jqF{os.getuid()}qj",
    "jqE{{ lipsum.__globals__ }}qj": "jinja2.utils",   # the module's globals dict, printed
    "jqU{{ self }}qj": "TemplateReference",
}
#: Unbalanced forms: rendered as a template they raise TemplateSyntaxError.
UNBALANCED = ("jqH{{ x", "jqI}} y {{", "jqJ{% if", "jqK{% endif %}", "jqM{%- endfor %}",
              "jqN{{ 1 + }}", "jqO{# never closed")
PAYLOADS = (*EVALUATES_TO, *UNBALANCED)


def evaluated(html: str) -> list[str]:
    """The evaluated forms of :data:`EVALUATES_TO` found in ``html`` (should be none)."""
    return [out for out in EVALUATES_TO.values() if out in html]


def missing_literals(html: str, payloads: tuple[str, ...] = PAYLOADS) -> list[str]:
    """Payloads whose literal text does not appear in ``html``."""
    return [p for p in payloads if p not in html]


def payload(k: int) -> str:
    return PAYLOADS[k % len(PAYLOADS)]


def source(k: int) -> dict[str, str]:
    return {"title": payload(k), "url": "https://example.org/source"}


def jinja_layers(directory: Path) -> Path:
    """A valid atlas whose every free-text field holds one of :data:`PAYLOADS`."""
    directory.mkdir(parents=True, exist_ok=True)
    write(directory / "nodes.geojson", collection(
        make_node("alashankou", ALASHANKOU, country="CHN", kind="border_crossing",
                  name=payload(0), sources=[source(1)], coord_note=payload(2)),
        make_node("dostyk", DOSTYK, country="KAZ", kind="border_crossing", name=payload(3),
                  sources=[source(4)]),
        make_node("aktogay", AKTOGAY, country="KAZ", kind="junction", name=payload(5)),
    ))
    write(directory / "links.geojson", collection(
        make_link("alashankou_dostyk", "alashankou", "dostyk", [ALASHANKOU, DOSTYK],
                  gauge_mm=1435, circuity=1.1, name=payload(6), circuity_basis=payload(7),
                  sources=[source(8)]),
        make_link("dostyk_aktogay", "dostyk", "aktogay", [DOSTYK, AKTOGAY],
                  documented_length_km=304.0, name=payload(9),
                  length_source=source(10)),
        make_link("alashankou_aktogay", "alashankou", "aktogay", [ALASHANKOU, AKTOGAY],
                  mode="road", name=payload(11), circuity_basis=payload(12)),
    ))
    write(directory / "corridors.geojson", collection(
        make_corridor("border_run", ["alashankou", "dostyk", "aktogay"], name=payload(13),
                      description=payload(0), sources=[source(1)]),
    ))
    write(directory / "sites.geojson", collection(*[
        make_site(f"s{k}", (82.3 - k * 0.1, 45.3), country="KAZ", sector="dry_port",
                  name=payload(k), company=payload(k + 1), note=payload(k + 2),
                  corridor="border_run", sources=[source(k + 3)])
        for k in range(len(PAYLOADS))
    ]))
    pipe = make_energy("pipe", [AKTOGAY, DOSTYK, ALASHANKOU], kind="oil_pipeline",
                       name=payload(14), operator=payload(15), owners=[payload(16)],
                       contractor=payload(17), financier=["other"], financier_note=payload(18),
                       note=payload(19),
                       coord_note=payload(20), capacity_note=payload(0),
                       opened_note=payload(1), documented_length_km=330.0,
                       length_source=source(2), sources=[source(3)])
    for k, vertex in enumerate(pipe["properties"]["vertices"]):
        vertex["name"] = payload(4 + k)
    write(directory / "energy.geojson", collection(
        pipe, make_energy("line", [DOSTYK, AKTOGAY], kind="power_line", name=payload(7),
                          status="stalled", sources=[source(8)])))
    countries = Path(__file__).resolve().parents[1] / "layers" / "countries.geojson"
    link = directory / "countries.geojson"
    if not link.exists():
        link.symlink_to(countries)
    return directory


def jinja_sites_csv(path: Path, n: int) -> Path:
    """A sites CSV of ``n`` rows (lon, lat in Kazakhstan) with payloads in every text cell."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "company", "note", "sector", "lon", "lat"])
        for k in range(n):
            w.writerow([payload(k), payload(k + 1), payload(k + 2), "dry_port",
                        f"{70 + (k % 300) * 0.03:.5f}", f"{43 + (k // 300) * 0.01:.5f}"])
    return path
