"""Reproducible element ids: branca's random ids replaced by a counter while a map is built."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator

from branca.element import Element

__all__ = ["deterministic_ids"]

_ID_LOCK = threading.RLock()


class _IdState:
    depth = 0


_STATE = _IdState()


@contextlib.contextmanager
def deterministic_ids(*, width: int = 8) -> Iterator[None]:
    """Give branca elements counter-based ids (``00000000``, ``00000001``, ...) inside the block.

    Branca names every element ``<kind>_<id>`` with a random 32-hex-digit id, so two
    identical builds differ.  Inside this context ``Element._generate_id`` is replaced by a
    counter that starts at 0; on exit the original classmethod is restored, so maps built
    elsewhere in the process are unaffected.  A lock serialises concurrent builds (the
    override is a class attribute).  Nested blocks share the outermost counter, so ids stay
    unique.  Build *and render* a map inside one block.
    """
    counter = itertools.count()

    def _next_id(cls: type) -> str:  # classmethod signature: cls is unused
        return f"{next(counter):0{width}x}"

    with _ID_LOCK:
        if _STATE.depth:  # nested: keep the outer block's counter, ids stay unique
            _STATE.depth += 1
            try:
                yield
            finally:
                _STATE.depth -= 1
            return
        _STATE.depth = 1
        had_own = "_generate_id" in Element.__dict__
        original = Element.__dict__.get("_generate_id")
        Element._generate_id = classmethod(_next_id)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            if had_own:
                Element._generate_id = original  # type: ignore[method-assign,assignment]
            else:  # pragma: no cover - branca always defines it
                del Element._generate_id
            _STATE.depth = 0
