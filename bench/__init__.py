"""Benchmarks of claimtracker against the floor (SQL-built JSON) and a typical DRF peer."""
