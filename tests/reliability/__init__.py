"""Reliability and security suites: faults, cancellation, load, bad input, fuzzing."""
