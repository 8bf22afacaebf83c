"""The ``geo`` command line: one module per command group, wired together in :mod:`geo.cli.main`."""

from geo.cli.main import main

__all__ = ["main"]
