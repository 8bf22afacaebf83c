"""The package's exception tree: one base class, a few subclasses of built-ins."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ArrangementError", "GeoError", "InputError", "LayerError", "Problem", "RoutingError",
           "ScenarioError"]


class GeoError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is allowed."""

    file: str
    index: int | None
    feature_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.index is not None:
            where.append(f"feature {self.index}")
        if self.feature_id:
            where.append(f"id {self.feature_id!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class LayerError(GeoError, ValueError):
    """A layer file or its features do not follow the schema.

    ``problems`` lists every problem found, so a user can fix them all at once.
    """

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="<layer>", index=None, feature_id=None, field=None,
                                message=problems)]
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = str(self.problems[0]) if n else "invalid layer"
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        super().__init__(head + more)

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class InputError(GeoError, ValueError):
    """An argument or input value outside what is allowed (the message says what is allowed)."""


class ScenarioError(GeoError, ValueError):
    """A transit-time scenario file or override is invalid (the message names the key)."""


class RoutingError(GeoError, LookupError):
    """A place cannot be found, or two places are not connected under the given constraints."""


class ArrangementError(GeoError, ValueError):
    """An unknown arrangement, role, table or year was asked for (the message lists the choices)."""
