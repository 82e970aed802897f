"""Benchmarks of the plugin against a bare plugin and Plivo's SDK; ``python -m bench``.

Dev tooling only (excluded from the package by ``.difyignore``). Plivo's SDK is imported here,
and only here, from ``requirements-bench.txt``.
"""
