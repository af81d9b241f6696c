"""Benchmarks (run as scripts: .venv/bin/python bench/NAME.py); a package so that
bench/telegram.py is `bench.telegram` to tools, not the `telegram` library."""
