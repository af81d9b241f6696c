"""Claim and booking rules: pure Python, no I/O, no framework."""
