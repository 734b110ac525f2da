"""Benchmarks (see bench/README.md). Not part of the application and not imported by it."""
