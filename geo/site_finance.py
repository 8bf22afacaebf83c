"""How the sites are financed: documented values by country, year or financier, split by channel.

Model tier: reads the sites layer (or any table in its schema) and aggregates; no I/O of its own.
The module is not called ``financing`` because ``geo.financing`` is the public function: a
submodule of that name would replace it on the package once imported.

A site's ``value_usd`` is the project's documented value, not a loan amount. Where a source names
the financiers, the whole value is attributed to their channel (:class:`~geo.schema.FinancingChannel`):
``bilateral`` (China Exim, CDB, the Chinese government, Chinese banks and companies),
``multilateral`` (AIIB, Silk Road Fund, ADB, World Bank, EBRD, EIB, IsDB, EDB), ``host`` (the host
government) or ``other``; to ``mixed`` when the financiers span channels, because no source splits
the value between them; and to ``unknown_financier`` when no financier is named. Sites can nest (a
railway line and its tunnel are separate sites), so sums can count a tunnel inside its line.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ._errors import GeoError
from ._format import is_missing
from ._provenance import provenance
from .layers import sites as load_sites
from .schema import FINANCIER_CHANNEL, Financier, FinancingChannel

__all__ = ["BY_CHOICES", "CHANNEL_COLUMNS", "financing", "site_channel"]

log = logging.getLogger(__name__)

#: Allowed values of ``by``.
BY_CHOICES = ("country", "year", "financier")
#: Value columns, one per channel; they add up to ``value_usd`` on every row.
CHANNEL_COLUMNS = (*(f"{c.value}_usd" for c in FinancingChannel),
                   "mixed_usd", "unknown_financier_usd")
#: Group label for sites whose ``year`` or ``financier`` is unknown.
UNKNOWN = "unknown"


def _financiers(value: Any) -> list[str] | None:
    """The financier list of one row, or None when unknown (null, NaN or empty)."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        value = [value]
    items = [str(v) for v in value]
    return items or None


def site_channel(financiers: Iterable[str] | None) -> str:
    """The channel a site's value is attributed to: a FinancingChannel value, ``mixed`` or ``unknown``."""
    if financiers is None:
        return UNKNOWN
    channels = {FINANCIER_CHANNEL[Financier.parse(f)].value for f in financiers}  # type: ignore[index]
    if not channels:
        return UNKNOWN
    return channels.pop() if len(channels) == 1 else "mixed"


def _value(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _rows(sites: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per (site, group key) with the site's value and channel."""
    missing = [c for c in ("id", "country", "year", "value_usd", "financier") if c not in sites.columns]
    if missing:
        raise GeoError(f"sites table lacks column(s) {missing}; it needs the sites layer's "
                       "id, country, year, value_usd and financier")
    records: list[dict[str, Any]] = []
    for rec in sites[["id", "country", "year", "value_usd", "financier"]].itertuples(index=False):
        fins = _financiers(rec.financier)
        value = _value(rec.value_usd)
        channel = site_channel(fins)
        if by == "financier":
            keys: list[Any] = list(dict.fromkeys(fins)) if fins else [UNKNOWN]
        elif by == "year":
            year = _value(rec.year)
            keys = [int(year) if year is not None else UNKNOWN]
        else:
            keys = [rec.country if isinstance(rec.country, str) and rec.country else UNKNOWN]
        for key in keys:
            records.append({"key": key, "id": rec.id, "value": value, "channel": channel,
                            "financier_known": fins is not None})
    return pd.DataFrame.from_records(
        records, columns=["key", "id", "value", "channel", "financier_known"])


def financing(*, by: str = "country", sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Documented site values per ``by`` group, split into financing channels.

    Parameters
    ----------
    by:
        ``"country"`` (the site's ``country``), ``"year"`` (its ``year``; ``unknown`` where
        none is documented) or ``"financier"`` (one row per named financier, ``unknown`` for
        sites with none; a site with several financiers appears in each of their rows, so that
        table's rows overlap and must not be summed).
    sites:
        A table in the sites layer's schema (default: the bundled ``geo.sites()``).

    Returns
    -------
    DataFrame indexed by the group, with ``n_sites``, ``n_value_known``, ``n_value_unknown``,
    ``n_financier_unknown``, ``value_usd`` (sum of documented values) and one column per
    channel (``bilateral_usd``, ``multilateral_usd``, ``host_usd``, ``other_usd``, ``mixed_usd``,
    ``unknown_financier_usd``) adding up to ``value_usd``. ``attrs["provenance"]`` records the
    layers and the attribution rule.

    >>> import geo
    >>> geo.financing(by="financier").loc["china_exim", "n_sites"]  # doctest: +SKIP
    """
    if by not in BY_CHOICES:
        raise GeoError(f"unknown by={by!r}; must be one of {list(BY_CHOICES)}")
    if sites is None:
        sites = load_sites()
    try:
        rows = _rows(sites, by)
    except ValueError as exc:  # Financier.parse on a value outside the vocabulary
        raise GeoError(f"sites table has an unknown financier: {exc}") from None
    columns = ["n_sites", "n_value_known", "n_value_unknown", "n_financier_unknown", "value_usd",
               *CHANNEL_COLUMNS]
    out: list[dict[str, Any]] = []
    for key, grp in rows.groupby("key", sort=False):
        known = grp["value"].notna()
        rec: dict[str, Any] = {
            by: key,
            "n_sites": int(grp["id"].nunique()),
            "n_value_known": int(known.sum()),
            "n_value_unknown": int((~known).sum()),
            "n_financier_unknown": int((~grp["financier_known"]).sum()),
            "value_usd": float(grp.loc[known, "value"].sum()),
        }
        for col in CHANNEL_COLUMNS:
            channel = col.removesuffix("_usd")
            channel = UNKNOWN if channel == "unknown_financier" else channel
            rec[col] = float(grp.loc[known & (grp["channel"] == channel), "value"].sum())
        out.append(rec)
    table = pd.DataFrame.from_records(out, columns=[by, *columns])
    table = table.sort_values(by, key=lambda s: s.map(lambda v: (v == UNKNOWN, str(v)))).set_index(by)
    table.attrs["provenance"] = provenance(
        financing={"by": by, "rule": "a site's whole value_usd goes to its financiers' channel; "
                                     "'mixed' when they span channels; value_usd is the project "
                                     "value, not a loan amount"})
    log.debug("financing by %s: %d groups from %d sites", by, len(table), len(sites))
    return table
