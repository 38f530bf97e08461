"""Developer tooling beside the tests: evaluations, benchmarks, resilience runs, reports.

Run as `python -m tests.tools <command>` (the Makefile does); nothing in `bot/` imports it.
"""
