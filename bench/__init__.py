"""Benchmarks: run by hand (`make bench`, `make bench-quick`), never as part of the test suite."""
