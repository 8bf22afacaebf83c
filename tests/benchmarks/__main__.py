"""Run every benchmark: ``.venv/bin/python -m tests.benchmarks [--quick] [--only PART]``."""

from tests.benchmarks.run import main

raise SystemExit(main())
