"""Benchmarks: run each as ``python -m bench.<name>``; numbers are recorded in docs."""
