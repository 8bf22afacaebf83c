"""The ``geo`` command line: one module per command group, wired together in :mod:`geo.cli.main`.

Command modules import the library inside the functions that run a command, so building the
parser (``geo --help``) loads none of geopandas, shapely, pyproj, folium or matplotlib
(``tests/test_startup.py``).  Elsewhere a function-level import either breaks a cycle (said
where it is), reaches an optional or slow-to-load library only when it is needed (dask,
matplotlib, searoute, pyogrio, tqdm), or lets the model reach the maps through the public
``geo`` package without importing a higher tier.
"""

from geo.cli.main import main

__all__ = ["main"]
