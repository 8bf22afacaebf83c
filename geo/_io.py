"""Atomic file writes (a failure never leaves a partial file or clobbers the old one) and a
bounded JSON reader (hostile numbers and nesting give a ValueError, never a crash)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["MAX_JSON_INT_DIGITS", "JSONLimitError", "atomic_write", "atomic_write_with",
           "decode_text", "load_json", "text_encoding"]

log = logging.getLogger(__name__)


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The temporary file is renamed over ``path`` only once it is complete and flushed, so
    readers see either the old file or the new one, never a mix.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data

    def _write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write_with(path, _write)


def atomic_write_with(path: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` to produce the file, then rename it over ``path``.

    For writers that need a file name (GeoPackage via GDAL).  Any exception removes the
    temporary file and leaves an existing ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # writers such as GDAL refuse to open an existing empty file
        writer(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.debug("wrote %s", target)
    return target


#: Longest integer accepted in JSON input: beyond 308 digits a number is not even a float.
MAX_JSON_INT_DIGITS = 308


class JSONLimitError(ValueError):
    """JSON that is syntactically valid but outside what this package reads (the message
    says what is allowed): integers of more than :data:`MAX_JSON_INT_DIGITS` digits,
    ``NaN``/``Infinity`` (not JSON), or nesting deeper than Python's recursion limit."""


def _parse_int(text: str) -> int:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_JSON_INT_DIGITS:
        raise JSONLimitError(f"an integer with {digits} digits; at most {MAX_JSON_INT_DIGITS} "
                             "digits are allowed")
    return int(text)


def _parse_constant(name: str) -> Any:
    raise JSONLimitError(f"{name} is not a JSON number; use a finite number or null")


def load_json(text: str | bytes) -> Any:
    """``json.loads`` for untrusted text: refuses huge integers, NaN/Infinity and deep nesting.

    Raises :class:`json.JSONDecodeError` for bad syntax and :class:`JSONLimitError` (both
    ``ValueError``) for the limits above.
    """
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_parse_constant)
    except RecursionError:
        raise JSONLimitError("JSON nested too deeply (thousands of levels); flatten it") from None


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def text_encoding(raw: bytes) -> str:
    """The encoding of ``raw``: UTF-16 or UTF-8 when a byte-order mark says so, else UTF-8."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    return "utf-8"


def decode_text(raw: bytes) -> str:
    """Decode a text file's bytes the same way in every reader (byte-order mark removed).

    Raises :class:`UnicodeDecodeError` whose ``reason`` names the encoding tried and the
    byte, for the caller to prefix with the file name.
    """
    encoding = text_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = encoding.replace("-sig", "").upper()
        raise UnicodeDecodeError(
            exc.encoding, exc.object, exc.start, exc.end,
            f"not {name} text ({exc.reason} at byte {exc.start}; encoding tried: {name}"
            f"{', from its byte-order mark' if encoding != 'utf-8' else ''}); save the file "
            "as UTF-8") from None
