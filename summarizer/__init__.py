"""Inference package: prompts, engine, parsing, risk detection.

Nothing in here imports Django: it takes dataclass configs and returns
dataclasses, so workers, management commands, training and benchmarks
all share exactly the same code path.
"""
