"""Shared pieces of the command line: exit statuses and plain-text tables."""

from __future__ import annotations

from typing import Any

from geo._format import fmt_number

__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "cell", "text_table"]

EXIT_OK = 0
EXIT_PROBLEMS = 1  # geo validate: the file has problems
EXIT_USAGE = 2  # bad input: unreadable file, unknown name, invalid option
EXIT_INTERNAL = 70  # a bug in geo (sysexits EX_SOFTWARE): never 1, never a traceback


def text_table(rows: list[list[str]], headers: list[str]) -> str:
    """Left-aligned columns under a dashed rule; trailing blanks trimmed."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([line, rule, *body])


def cell(value: Any, spec: str = ",.0f") -> str:
    """A table cell: ``value`` formatted with ``spec`` (see :func:`geo._format.fmt_number`),
    ``-`` when missing."""
    return fmt_number(value, spec=spec) or "-"
