"""A small atlas with hostile names for the map, gallery and figure tests.

Coordinates are (lon, lat) test positions around the Alashankou-Dostyk crossing and the
Caspian (see tests/builders.py); they are test fixtures, not data.
"""

from __future__ import annotations

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

SCRIPT = "</script><script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
TEMPLATE = "${7*7} `tick` back\\slash"
HOSTILE = (SCRIPT, IMG, TEMPLATE)

AKTAU = (51.15, 43.65)
ALAT = (49.41, 39.95)
COUNTRIES = Path(__file__).resolve().parents[1] / "layers" / "countries.geojson"


def hostile_layers(directory: Path) -> Path:
    """Write a valid atlas whose names, companies and notes are hostile strings."""
    directory.mkdir(parents=True, exist_ok=True)
    write(directory / "nodes.geojson", collection(
        make_node("alashankou", ALASHANKOU, country="CHN", kind="border_crossing"),
        make_node("dostyk", DOSTYK, country="KAZ", kind="border_crossing",
                  facilities=["gauge_change", "transshipment"], name=IMG),
        make_node("aktogay", AKTOGAY, country="KAZ", kind="junction"),
        make_node("aktau", AKTAU, country="KAZ", kind="sea_port",
                  facilities=["ferry_terminal"]),
        make_node("alat", ALAT, country="AZE", kind="sea_port", name=TEMPLATE),
    ))
    write(directory / "links.geojson", collection(
        make_link("alashankou_dostyk", "alashankou", "dostyk", [ALASHANKOU, DOSTYK],
                  gauge_mm=1435, circuity=1.1, name=SCRIPT),
        make_link("dostyk_aktogay", "dostyk", "aktogay", [DOSTYK, AKTOGAY],
                  documented_length_km=304.0),
        make_link("aktogay_aktau", "aktogay", "aktau", [AKTOGAY, AKTAU], mode="road",
                  status="planned", circuity=1.3),
        make_link("aktau_alat", "aktau", "alat", [AKTAU, ALAT], mode="ferry",
                  status="under_construction", circuity=1.05),
        # in no corridor: drawn as "Other network links" on the all-corridors map
        make_link("alashankou_aktogay", "alashankou", "aktogay", [ALASHANKOU, AKTOGAY],
                  mode="road", documented_length_km=330.0, name=IMG,
                  length_source={"title": SCRIPT, "url": "https://example.org/length"}),
        make_link("dostyk_aktau", "dostyk", "aktau", [DOSTYK, AKTAU], status="planned",
                  circuity=1.2, circuity_basis=TEMPLATE, opened=None),
    ))
    write(directory / "corridors.geojson", collection(
        make_corridor("border_run", ["alashankou", "dostyk", "aktogay"], name=SCRIPT),
        make_corridor("caspian", ["alashankou", "dostyk", "aktogay", "aktau", "alat"],
                      name=TEMPLATE, description=IMG),
    ))
    write(directory / "sites.geojson", collection(
        make_site("img_site", (82.3, 45.3), country="KAZ", sector="dry_port", name=IMG,
                  corridor="border_run", company=TEMPLATE),
        make_site("script_site", (51.3, 43.7), country="KAZ", sector="port", name=SCRIPT,
                  corridor="caspian", value_usd=1.5e9, year=2019),
        make_site("tmpl_site", (77.0, 46.5), country="KAZ", sector="power_plant",
                  name=TEMPLATE, status="planned", company=SCRIPT),
    ))
    write(directory / "energy.geojson", collection(
        make_energy("hostile_pipe", [AKTAU, AKTOGAY, ALASHANKOU], kind="gas_pipeline",
                    name=SCRIPT, operator=IMG, owners=[TEMPLATE], status="stalled",
                    documented_length_km=2000.0,
                    length_source={"title": IMG, "url": "https://example.org/pipe"},
                    note=TEMPLATE),
    ))
    link = directory / "countries.geojson"
    if not link.exists():
        link.symlink_to(COUNTRIES)
    return directory


EXPECTED = {"corridors": 2, "network_links": 2, "energy": 1, "nodes": 5, "sites": 3}


def use_hostile_layers(directory: Path) -> Path:
    """Point the package at a hostile atlas in ``directory`` (sets ``GEO_LAYERS_DIR``)."""
    from geo import layers

    hostile_layers(directory)
    os.environ[layers.LAYERS_ENV] = str(directory)
    return directory
