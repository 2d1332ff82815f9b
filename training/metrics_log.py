"""Trainer callback that appends loss and perplexity to ``metrics.jsonl`` (one JSON object per log)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback


def perplexity(loss: float | None) -> float | None:
    if loss is None or math.isnan(loss):
        return None
    return math.exp(min(loss, 50.0))  # cap: exp overflows long before a loss this bad means anything


class JsonlMetricsCallback(TrainerCallback):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not logs or not state.is_world_process_zero:
            return
        record: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "step": state.global_step,
            "epoch": state.epoch,
        }
        for key in ("loss", "eval_loss", "learning_rate", "grad_norm", "train_loss", "train_runtime"):
            if key in logs:
                record[key] = logs[key]
        if "loss" in logs:
            record["perplexity"] = perplexity(logs["loss"])
        if "eval_loss" in logs:
            record["eval_perplexity"] = perplexity(logs["eval_loss"])
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
