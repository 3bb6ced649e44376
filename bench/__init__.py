"""Benchmarks of tthc-assistant (`make bench`): latency, throughput, memory, training time, accuracy.

Run from the repository root; see bench/README.md. Nothing here is imported by the assistant.
"""
