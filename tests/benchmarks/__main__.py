"""Run every benchmark: ``.venv/bin/python -m tests.benchmarks [--quick] [--only near|map|routing]``."""

from tests.benchmarks.run import main

raise SystemExit(main())
