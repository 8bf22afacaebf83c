"""Provenance stamped on every output: package version, source layers, assumptions."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from geo.layers import layer_dir

__all__ = ["package_version", "provenance"]

DIST_NAME = "corridor-atlas"


def package_version() -> str:
    """The installed distribution's version (pyproject.toml holds the only copy)."""
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@lru_cache(maxsize=64)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_digest(path: Path) -> str:
    st = path.stat()
    return _sha256(str(path), st.st_mtime_ns, st.st_size)


def provenance(**extra: Any) -> dict[str, Any]:
    """A JSON-serialisable provenance record.

    Contains the generator (package name and version), the bundled layer files with their
    SHA-256 digests, and any ``extra`` items (for example ``scenario="official"``).
    """

    directory = layer_dir()
    layers = [
        {"file": p.name, "sha256": file_digest(p)}
        for p in sorted([*directory.glob("*.geojson"), *directory.glob("*.json")])
    ]
    record: dict[str, Any] = {
        "generator": f"{DIST_NAME} {package_version()}",
        "layers": layers,
        "crs": "EPSG:4326 (lon, lat)",
    }
    record.update(extra)
    return record
