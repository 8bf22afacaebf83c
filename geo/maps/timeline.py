"""The membership timeline figure: one row per country, one bar per role period and arrangement.

Each country's row is split into lanes, one per arrangement (colour); a bar spans a role
period (``valid_from`` to ``valid_to``, or to the end of ``last_year`` while current), with
the role shown by hatching.  A bar whose start no source dates begins at the ``attested`` date
and has a dashed edge.  Deterministic output: Agg backend, fixed SVG hash salt, no dates or
software versions in the metadata.  :func:`draw_timeline` takes frames; :func:`membership_timeline`
loads the bundled layers.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo import layers
from geo._errors import ArrangementError
from geo._io import atomic_write
from geo.membership import arrangements as load

__all__ = ["ARRANGEMENT_COLOURS", "ROLE_HATCHES", "draw_timeline", "membership_timeline"]

log = logging.getLogger(__name__)

_FORMATS = {".png": "png", ".svg": "svg"}
#: Colour of each arrangement lane (colour-blind-safe palette, cycled for unknown ids).
ARRANGEMENT_COLOURS = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
                       "#bbbbbb", "#ee7733", "#332288", "#009988", "#cc3311", "#33bbee"]
#: Hatching of each role (solid for members).
ROLE_HATCHES: dict[str, str] = {
    "founding_member": "", "member": "", "associate_member": "..", "observer": "//",
    "dialogue_partner": "\\\\", "partner": "xx", "signatory": "--", "suspended": "++",
}


#: Members are drawn lighter than founding members.
MEMBER_ALPHA = 0.55


def _role_swatch(role: str) -> str:
    if role in ("founding_member", "member"):
        return "#555555"
    return "#bdbdbd" if role == "suspended" else "white"


def _ordinal_year(ts: pd.Timestamp) -> float:
    start = dt.date(ts.year, 1, 1)
    days = (dt.date(ts.year + 1, 1, 1) - start).days
    return ts.year + (ts.date() - start).days / days


def draw_timeline(memberships: pd.DataFrame, arrangement_ids: Sequence[str],
                  country_names: dict[str, str], path: str | os.PathLike[str], *,
                  first_year: int = 1991, last_year: int,
                  title: str | None = None, dpi: int = 150) -> Path:
    """Draw the timeline of ``memberships`` rows (as :func:`geo.arrangements` returns them).

    Rows are the countries of ``memberships`` sorted by name; lanes follow
    ``arrangement_ids``.  Writes PNG or SVG (by suffix) atomically and returns the path.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(f"{target}: figure format must be one of {sorted(_FORMATS)}")
    rows = memberships[memberships["arrangement"].isin(arrangement_ids)]
    countries = sorted(set(rows["country"]), key=lambda c: (country_names.get(c, c), c))
    colour = {a: ARRANGEMENT_COLOURS[i % len(ARRANGEMENT_COLOURS)]
              for i, a in enumerate(arrangement_ids)}
    lanes = max(len(arrangement_ids), 1)
    lane_h = 0.84 / lanes
    end_of_range = float(last_year + 1)
    with matplotlib.rc_context({"svg.hashsalt": "corridor-atlas", "svg.fonttype": "path",
                                "font.family": "DejaVu Sans", "hatch.linewidth": 0.6}):
        height = max(3.0, 0.065 * lanes * len(countries) + 1.6)
        fig = Figure(figsize=(10.0, height), dpi=dpi)
        ax = fig.add_axes((0.16, 0.9 / height + 0.02, 0.62, 1 - 1.5 / height))
        for y, iso in enumerate(countries):
            mine = rows[rows["country"] == iso].sort_values(["arrangement", "valid_from"])
            for r in mine.itertuples(index=False):
                lane = list(arrangement_ids).index(r.arrangement)
                x0 = max(_ordinal_year(r.valid_from), float(first_year))
                x1 = end_of_range if pd.isna(r.valid_to) else _ordinal_year(r.valid_to)
                if x1 <= first_year:
                    continue
                bottom = y - 0.42 + lane * lane_h
                grey = r.role == "suspended"
                ax.barh(bottom, x1 - x0, left=x0, height=lane_h * 0.92, align="edge",
                        color="#bdbdbd" if grey else colour[r.arrangement],
                        alpha=MEMBER_ALPHA if r.role == "member" else 1.0,
                        hatch=ROLE_HATCHES.get(r.role, ""), edgecolor="#333333",
                        linewidth=0.4, linestyle="--" if r.start is None else "-")
        ax.set_yticks(range(len(countries)),
                      [f"{country_names.get(c, c)} ({c})" for c in countries], fontsize=7)
        ax.set_ylim(len(countries) - 0.5, -0.5)
        ax.set_xlim(first_year, end_of_range)
        ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(5))
        ax.xaxis.set_minor_locator(matplotlib.ticker.MultipleLocator(1))
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", which="major", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        handles = [Patch(facecolor=colour[a], edgecolor="#333333", label=a)
                   for a in arrangement_ids]
        used = [r for r in ROLE_HATCHES if r in set(rows["role"])]
        handles += [Patch(facecolor=_role_swatch(r), edgecolor="#333333", hatch=ROLE_HATCHES[r],
                          alpha=MEMBER_ALPHA if r == "member" else 1.0,
                          label=r.replace("_", " ")) for r in used]
        handles.append(Patch(facecolor="white", edgecolor="#333333", linestyle="--",
                             label="start not dated (from attested)"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                  title="Lane colour: arrangement; hatch: role", title_fontsize=7,
                  frameon=False)
        if title:
            ax.set_title(title, fontsize=10)
        ax.annotate("Sources: layers/arrangements.json (every period cites its sources). "
                    "Periods run to 31 December of the last year while current.",
                    xy=(0.0, -0.5 / height), xycoords="axes fraction", ha="left", va="top",
                    fontsize=6, color="#444444")
        buf = io.BytesIO()
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, metadata=metadata, bbox_inches="tight", pad_inches=0.12)
    out = atomic_write(target, buf.getvalue())
    log.info("wrote timeline %s (%d countries, %d arrangements)", out, len(countries),
             len(arrangement_ids))
    return out


def membership_timeline(path: str | os.PathLike[str], *,
                        arrangements: Sequence[str] | None = None,
                        countries: Sequence[str] | str = "corridors",
                        first_year: int = 1991, last_year: int | None = None,
                        dpi: int = 150) -> Path:
    """Write the membership timeline of the bundled arrangements layer.

    Parameters
    ----------
    path
        ``.png`` or ``.svg``.
    arrangements
        Arrangement ids (lanes, in this order); default all.
    countries
        ``"corridors"`` (default: countries the corridors and sites touch), ``"all"``, or a
        list of ISO3 codes.
    first_year, last_year
        Range of the time axis (default last year: this year).
    """
    mem = load()
    known = list(load(table="arrangements")["id"])
    ids = list(arrangements) if arrangements is not None else known
    unknown = [a for a in ids if a not in known]
    if unknown or not ids:
        raise ArrangementError(f"unknown arrangement(s) {unknown}; must be among {known}")
    if isinstance(countries, str):
        if countries == "all":
            wanted = set(mem["country"])
        elif countries == "corridors":
            wanted = {c for cs in layers.corridors()["countries"] for c in cs}
            site_gdf = layers.sites()
            wanted |= set(site_gdf["country"])
            wanted |= {c for cs in site_gdf["countries"] if isinstance(cs, list) for c in cs}
        else:
            raise ArrangementError(f"countries must be 'corridors', 'all' or a list of ISO3 "
                                   f"codes, not {countries!r}")
    else:
        wanted = {str(c).upper() for c in countries}
    names = dict(zip(layers.countries()["iso3"], layers.countries()["name"], strict=True))
    year = last_year if last_year is not None else dt.date.today().year
    return draw_timeline(mem[mem["country"].isin(wanted)], ids, names, path,
                         first_year=first_year, last_year=year, dpi=dpi,
                         title="Roles of countries in regional arrangements")
