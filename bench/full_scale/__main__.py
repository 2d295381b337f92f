"""Run the full-scale benchmark: ``python -m bench.full_scale [--help]``."""

from bench.full_scale.cli import main

main()
