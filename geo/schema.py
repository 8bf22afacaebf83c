"""The layer schema: closed vocabularies, field specifications and column names.

Everything the loader, the validator and the writers need to know about the five curated
layers (``nodes``, ``links``, ``corridors``, ``sites``, ``energy``) is declared here, once.  Strings in
the data are checked against the enums below; errors list the allowed values.

Coordinates are (lon, lat) in EPSG:4326 (RFC 7946) everywhere in this package.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = [
    "BILATERAL_FINANCIERS",
    "DATE_PATTERN",
    "ENERGY_CAPACITY_FIELD",
    "FINANCIER_CHANNEL",
    "ID_PATTERN",
    "ISO3_PATTERN",
    "LAYER_FIELDS",
    "LAYER_GEOMETRY",
    "ArrangementKind",
    "CoordQuality",
    "EnergyKind",
    "Facility",
    "FieldSpec",
    "Financier",
    "FinancingChannel",
    "LayerKind",
    "Mode",
    "NodeKind",
    "Role",
    "Sector",
    "SiteStatus",
    "Status",
    "field_names",
]


class _StrEnum(enum.StrEnum):
    """A string enum whose ``parse`` gives a clear "must be one of" error."""

    @classmethod
    def choices(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def parse(cls, value: str) -> _StrEnum:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a valid {cls.__name__}; must be one of {cls.choices()}"
            ) from None


class LayerKind(_StrEnum):
    NODES = "nodes"
    LINKS = "links"
    CORRIDORS = "corridors"
    SITES = "sites"
    ENERGY = "energy"


class Mode(_StrEnum):
    """Transport mode of a link or route leg."""

    RAIL = "rail"
    ROAD = "road"
    FERRY = "ferry"
    SEA = "sea"


class Status(_StrEnum):
    """Status of a piece of transport infrastructure."""

    OPERATIONAL = "operational"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"


class NodeKind(_StrEnum):
    STATION = "station"
    JUNCTION = "junction"
    HUB = "hub"
    BORDER_CROSSING = "border_crossing"
    SEA_PORT = "sea_port"
    DRY_PORT = "dry_port"
    GAUGE_CHANGE = "gauge_change"
    TOWN = "town"
    MOUNTAIN_PASS = "mountain_pass"


class Facility(_StrEnum):
    GAUGE_CHANGE = "gauge_change"
    TRANSSHIPMENT = "transshipment"
    BOGIE_EXCHANGE = "bogie_exchange"
    FERRY_TERMINAL = "ferry_terminal"
    CONTAINER_TERMINAL = "container_terminal"
    CUSTOMS = "customs"


class CoordQuality(_StrEnum):
    """Whether a coordinate was read in a source or is approximate."""

    SOURCED = "sourced"
    APPROXIMATE = "approximate"


class Sector(_StrEnum):
    OIL_GAS_UPSTREAM = "oil_gas_upstream"
    OIL_PIPELINE = "oil_pipeline"
    GAS_PIPELINE = "gas_pipeline"
    POWER_PLANT = "power_plant"
    POWER_LINE = "power_line"
    HYDRO = "hydro"
    RENEWABLE = "renewable"
    PORT = "port"
    DRY_PORT = "dry_port"
    LOGISTICS_ZONE = "logistics_zone"
    RAIL = "rail"
    ROAD = "road"
    TUNNEL = "tunnel"
    REFINING = "refining"
    PETROCHEMICAL = "petrochemical"
    MINING = "mining"
    TELECOM = "telecom"
    AIRPORT = "airport"


class Financier(_StrEnum):
    """Who finances a site, as a source names it (a site's ``financier`` is a list of these)."""

    CHINA_EXIM = "china_exim"
    CDB = "cdb"
    CHINESE_GOVERNMENT = "chinese_government"
    CHINESE_COMMERCIAL_BANK = "chinese_commercial_bank"
    CHINESE_COMPANY_OWN_FUNDS = "chinese_company_own_funds"
    CHINESE_LOAN_UNSPECIFIED = "chinese_loan_unspecified"
    SILK_ROAD_FUND = "silk_road_fund"
    AIIB = "aiib"
    ADB = "adb"
    WORLD_BANK = "world_bank"
    EBRD = "ebrd"
    EIB = "eib"
    ISDB = "isdb"
    EDB = "edb"
    HOST_GOVERNMENT = "host_government"
    OTHER = "other"


class FinancingChannel(_StrEnum):
    """The channel a financier belongs to, for ``geo.financing``.

    ``bilateral``: Chinese state banks, the Chinese government, Chinese commercial banks and
    companies. ``multilateral``: the AIIB and the Silk Road Fund (the Belt and Road vehicles the
    research groups with the multilateral banks, although the Silk Road Fund is a Chinese state
    fund) and the ADB, World Bank, EBRD, EIB, IsDB and EDB. ``host``: the host government.
    ``other``: anything else (e.g. Japanese or Gulf lenders).
    """

    BILATERAL = "bilateral"
    MULTILATERAL = "multilateral"
    HOST = "host"
    OTHER = "other"


#: Channel of each financier (every Financier appears exactly once).
FINANCIER_CHANNEL: dict[Financier, FinancingChannel] = {
    **{f: FinancingChannel.BILATERAL for f in (
        Financier.CHINA_EXIM, Financier.CDB, Financier.CHINESE_GOVERNMENT,
        Financier.CHINESE_COMMERCIAL_BANK, Financier.CHINESE_COMPANY_OWN_FUNDS,
        Financier.CHINESE_LOAN_UNSPECIFIED)},
    **{f: FinancingChannel.MULTILATERAL for f in (
        Financier.SILK_ROAD_FUND, Financier.AIIB, Financier.ADB, Financier.WORLD_BANK,
        Financier.EBRD, Financier.EIB, Financier.ISDB, Financier.EDB)},
    Financier.HOST_GOVERNMENT: FinancingChannel.HOST,
    Financier.OTHER: FinancingChannel.OTHER,
}
BILATERAL_FINANCIERS = frozenset(f for f, c in FINANCIER_CHANNEL.items()
                                 if c is FinancingChannel.BILATERAL)


class EnergyKind(_StrEnum):
    """What an energy line carries."""

    GAS_PIPELINE = "gas_pipeline"
    OIL_PIPELINE = "oil_pipeline"
    POWER_LINE = "power_line"


#: The capacity field each kind of energy line uses, with its unit in the name.
ENERGY_CAPACITY_FIELD: dict[str, str] = {
    "gas_pipeline": "capacity_bcm_per_year",
    "oil_pipeline": "capacity_mt_per_year",
    "power_line": "voltage_kv",
}


class SiteStatus(_StrEnum):
    OPERATIONAL = "operational"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    STALLED = "stalled"
    CANCELLED = "cancelled"


class ArrangementKind(_StrEnum):
    """What kind of regional arrangement (``layers/arrangements.json``)."""

    ORGANISATION = "organisation"
    FORUM = "forum"
    ECONOMIC_UNION = "economic_union"
    CUSTOMS_UNION = "customs_union"
    MILITARY_ALLIANCE = "military_alliance"
    PROGRAMME = "programme"
    DEVELOPMENT_BANK = "development_bank"
    TRANSPORT_ASSOCIATION = "transport_association"
    INITIATIVE = "initiative"


class Role(_StrEnum):
    """A country's role in an arrangement during one period."""

    FOUNDING_MEMBER = "founding_member"
    MEMBER = "member"
    ASSOCIATE_MEMBER = "associate_member"
    OBSERVER = "observer"
    DIALOGUE_PARTNER = "dialogue_partner"
    PARTNER = "partner"
    SIGNATORY = "signatory"
    SUSPENDED = "suspended"


#: Dates of the arrangements layer: the precision a source gives (YYYY, YYYY-MM or YYYY-MM-DD).
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: Identifiers: lower-case ASCII letters, digits and underscores, starting with a letter.
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: ISO 3166-1 alpha-3 shape; the code itself is checked against the bundled country list.
ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class FieldSpec:
    """One property of a layer's features.

    ``value_type`` is one of ``str``, ``int``, ``float``, ``str_list``, ``source``,
    ``source_list``, ``alternatives``, ``enum``, ``enum_list``, ``id``, ``id_list``,
    ``iso3``, ``iso3_list``, ``vertex_list``, ``km_by_iso3``.
    """

    name: str
    value_type: str
    required: bool = True
    nullable: bool = False
    enum: type[_StrEnum] | None = None
    doc: str = ""


def _common_tail() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("sources", "source_list", doc="at least one {title, url} the feature rests on"),
        FieldSpec("note", "str", required=False, nullable=True, doc="free text"),
    )


def _coord_fields() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("coord_quality", "enum", enum=CoordQuality,
                  doc="sourced: read in a source; approximate: recalled or derived"),
        FieldSpec("coord_note", "str", doc="where the coordinate comes from and how good it is"),
    )


LAYER_FIELDS: dict[LayerKind, tuple[FieldSpec, ...]] = {
    LayerKind.NODES: (
        FieldSpec("id", "id"),
        FieldSpec("name", "str", doc="English name"),
        FieldSpec("name_local", "str", required=False, nullable=True,
                  doc="local-language name(s)"),
        FieldSpec("aliases", "str_list", required=False, nullable=True,
                  doc="other spellings, used for name look-up"),
        FieldSpec("kind", "enum", enum=NodeKind),
        FieldSpec("country", "iso3"),
        FieldSpec("facilities", "enum_list", enum=Facility, required=False, nullable=True),
        *_coord_fields(),
        *_common_tail(),
    ),
    LayerKind.LINKS: (
        FieldSpec("id", "id"),
        FieldSpec("from_id", "id", doc="node id at the first vertex"),
        FieldSpec("to_id", "id", doc="node id at the last vertex"),
        FieldSpec("name", "str", required=False, nullable=True, doc="line or road name"),
        FieldSpec("mode", "enum", enum=Mode),
        FieldSpec("gauge_mm", "int", required=False, nullable=True,
                  doc="track gauge in mm; required for rail, null otherwise"),
        FieldSpec("status", "enum", enum=Status),
        FieldSpec("opened", "int", required=False, nullable=True, doc="year opened"),
        FieldSpec("documented_length_km", "float", required=False, nullable=True,
                  doc="section length read in a source"),
        FieldSpec("length_source", "source", required=False, nullable=True,
                  doc="{title, url} of documented_length_km"),
        FieldSpec("length_alternatives", "alternatives", required=False, nullable=True,
                  doc="other documented values [{value_km, source}]"),
        FieldSpec("circuity", "float", required=False, nullable=True,
                  doc="real length / geodesic length assumed where no length is documented"),
        FieldSpec("circuity_basis", "str", required=False, nullable=True,
                  doc="why that circuity factor"),
        *_coord_fields(),
        *_common_tail(),
    ),
    LayerKind.CORRIDORS: (
        FieldSpec("id", "id"),
        FieldSpec("name", "str"),
        FieldSpec("aliases", "str_list", required=False, nullable=True),
        FieldSpec("group", "id", doc="corridors that are variants of one route share a group"),
        FieldSpec("description", "str"),
        FieldSpec("nodes", "id_list", doc="ordered node ids; consecutive nodes share a link"),
        FieldSpec("documented_length_km", "float", required=False, nullable=True,
                  doc="end-to-end length read in a source"),
        FieldSpec("length_source", "source", required=False, nullable=True),
        FieldSpec("length_alternatives", "alternatives", required=False, nullable=True),
        *_common_tail(),
    ),
    LayerKind.SITES: (
        FieldSpec("id", "id"),
        FieldSpec("name", "str"),
        FieldSpec("sector", "enum", enum=Sector),
        FieldSpec("country", "iso3", doc="country of the point"),
        FieldSpec("countries", "iso3_list", required=False, nullable=True,
                  doc="all countries a multi-country project spans"),
        FieldSpec("company", "str", doc="Chinese company and/or financier"),
        FieldSpec("value_usd", "float", required=False, nullable=True,
                  doc="documented value in US dollars"),
        FieldSpec("value_note", "str", required=False, nullable=True,
                  doc="the value as documented (currency, what it covers)"),
        FieldSpec("year", "int", required=False, nullable=True, doc="year of agreement or start"),
        FieldSpec("year_note", "str", required=False, nullable=True),
        FieldSpec("status", "enum", enum=SiteStatus),
        FieldSpec("financier", "enum_list", required=False, nullable=True, enum=Financier,
                  doc="who finances it, as sources name it; null = unknown"),
        FieldSpec("financier_note", "str", required=False, nullable=True,
                  doc="the financing as documented (lenders, amounts, shares)"),
        FieldSpec("corridor", "id", required=False, nullable=True,
                  doc="id of the corridor the site serves"),
        FieldSpec("link", "id", required=False, nullable=True,
                  doc="id of the link the site serves"),
        *_coord_fields(),
        *_common_tail(),
    ),
    LayerKind.ENERGY: (
        FieldSpec("id", "id"),
        FieldSpec("name", "str"),
        FieldSpec("kind", "enum", enum=EnergyKind,
                  doc="gas_pipeline, oil_pipeline or power_line"),
        FieldSpec("system", "id", required=False, nullable=True,
                  doc="lines or sections of one system share it (e.g. the four CAGP lines)"),
        FieldSpec("status", "enum", enum=SiteStatus),
        FieldSpec("opened", "int", required=False, nullable=True,
                  doc="year the line (section) went into operation; null if unknown"),
        FieldSpec("opened_note", "str", required=False, nullable=True),
        FieldSpec("capacity_bcm_per_year", "float", required=False, nullable=True,
                  doc="gas pipelines: design capacity, billion m3 per year"),
        FieldSpec("capacity_mt_per_year", "float", required=False, nullable=True,
                  doc="oil pipelines: capacity, million tonnes per year"),
        FieldSpec("voltage_kv", "float", required=False, nullable=True,
                  doc="power lines: nominal voltage, kV"),
        FieldSpec("capacity_note", "str", required=False, nullable=True,
                  doc="the capacity as documented (initial, design, planned)"),
        FieldSpec("documented_length_km", "float", required=False, nullable=True,
                  doc="length read in a source; null if no source gives one"),
        FieldSpec("length_source", "source", required=False, nullable=True),
        FieldSpec("length_alternatives", "alternatives", required=False, nullable=True),
        FieldSpec("documented_km_by_country", "km_by_iso3", required=False, nullable=True,
                  doc="{ISO3: km or null} as a source gives it (null: country named, km not "
                      "given); checked against the geometry"),
        FieldSpec("documented_km_source", "source", required=False, nullable=True),
        FieldSpec("operator", "str", required=False, nullable=True),
        FieldSpec("owners", "str_list", required=False, nullable=True),
        FieldSpec("contractor", "str", required=False, nullable=True,
                  doc="builder (EPC) where a source names it"),
        FieldSpec("financier", "enum_list", required=False, nullable=True, enum=Financier,
                  doc="who finances the line, as sources name it (as for sites); null if none"),
        FieldSpec("financier_note", "str", required=False, nullable=True,
                  doc="the financing as documented (lenders' names, loan amounts)"),
        FieldSpec("vertices", "vertex_list",
                  doc="one {name, coord_quality, coord_source, route_source} per position, "
                      "in geometry order"),
        *_coord_fields(),
        *_common_tail(),
    ),
}

#: Geometry type each layer's features must have (None: geometry must be null).
LAYER_GEOMETRY: dict[LayerKind, str | None] = {
    LayerKind.NODES: "Point",
    LayerKind.LINKS: "LineString",
    LayerKind.CORRIDORS: None,
    LayerKind.SITES: "Point",
    LayerKind.ENERGY: "LineString|MultiLineString",
}


def field_names(kind: LayerKind) -> list[str]:
    """Names of the properties a feature of ``kind`` may carry, in schema order."""
    return [f.name for f in LAYER_FIELDS[kind]]
