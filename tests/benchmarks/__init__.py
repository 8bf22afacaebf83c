"""On-demand benchmarks (not collected by pytest): ``.venv/bin/python -m tests.benchmarks``."""
