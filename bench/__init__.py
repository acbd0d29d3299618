"""Benchmarks: synthetic portfolios at national scale, the SQL metrics against a pandas baseline (see run.py)."""
