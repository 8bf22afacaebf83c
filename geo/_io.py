"""Atomic file writes (a failure never leaves a partial file or clobbers the old one) and a
bounded JSON reader (hostile numbers and nesting give a ValueError, never a crash)."""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo._errors import GeoError

__all__ = ["MAX_JSON_INT_DIGITS", "TMP_MARK", "JSONLimitError", "OutputError", "atomic_write",
           "atomic_write_with", "clean_stale_temporaries", "decode_text", "load_json",
           "output_target", "refuse_overwriting_inputs", "text_encoding"]

log = logging.getLogger(__name__)


class OutputError(GeoError, OSError):
    """An output path that must not be written (a device, FIFO, directory or an input)."""


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The temporary file is renamed over ``path`` only once it is complete and flushed, so
    readers see either the old file or the new one, never a mix.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data

    def _write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write_with(path, _write)


#: Temporary files of :func:`atomic_write_with` are named
#: ``.<target name>.geo-tmp-<pid>-<random><suffix>`` (plus any ``-journal``/``-wal``/``-shm``
#: a GeoPackage writer adds); stale ones, whose process is gone, are removed on the next write
#: into the same directory.
TMP_MARK = ".geo-tmp-"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


def clean_stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove this package's temporaries in ``directory`` whose writing process is gone.

    Only names made by :func:`atomic_write_with` are touched (``.<name>.geo-tmp-<pid>-...``);
    files of a process that is still running are kept.  Returns the removed paths.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or TMP_MARK not in name:
            continue
        pid_text = name.split(TMP_MARK, 1)[1].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        try:
            if entry.is_file() and not entry.is_symlink():
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    if removed:
        log.info("removed %d stale temporary file(s) of earlier runs in %s", len(removed),
                 directory)
    return removed


def output_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` replaces: refuse anything but a regular file.

    A symlink is written *through*: its target file is replaced and the link kept.
    Device nodes, FIFOs, sockets and directories raise :class:`OutputError`, so
    ``-o /dev/full`` or ``-o a_fifo`` never replaces them.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    if not stat.S_ISREG(mode):
        kind = ("a character device" if stat.S_ISCHR(mode) else "a block device"
                if stat.S_ISBLK(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a socket"
                if stat.S_ISSOCK(mode) else "not a regular file")
        raise OutputError(f"{path}: is {kind}; outputs are written only to regular files")
    return target


def refuse_overwriting_inputs(output: str | os.PathLike[str],
                              inputs: list[str | os.PathLike[str] | None]) -> None:
    """Raise :class:`OutputError` when ``output`` is (or links to) one of ``inputs``."""
    out = Path(output)
    for item in inputs:
        if item is None:
            continue
        src = Path(item)
        try:
            same = out.exists() and src.exists() and out.samefile(src)
        except OSError:
            same = False
        if same or os.path.realpath(out) == os.path.realpath(src):
            raise OutputError(f"{output}: is also an input ({item}); write the output to "
                              "another file")


def atomic_write_with(path: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` to produce the file, then rename it over ``path``.

    For writers that need a file name (GeoPackage via GDAL).  Any exception removes the
    temporary file (and its ``-journal``) and leaves an existing ``path`` untouched.  Only a
    regular file is replaced (see :func:`output_target`; a symlink is written through), and
    stale temporaries of killed earlier runs are removed first
    (:func:`clean_stale_temporaries`).
    """
    target = output_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}{TMP_MARK}{os.getpid()}-",
                                    suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # writers such as GDAL refuse to open an existing empty file
        writer(tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for extra in ("-journal", "-wal", "-shm"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)
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
