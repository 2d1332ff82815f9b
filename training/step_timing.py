"""Measure one LoRA forward+backward step at a given sequence length, for training-time planning.

python -m training.step_timing --base models/SmolLM2-135M-Instruct.Q4_1.gguf --seq-len 640
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from training.base_model import BaseModelRef, resolve_target_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepTiming:
    seq_len: int
    threads: int
    gradient_checkpointing: bool
    seconds: list[float]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)


def measure_step_seconds(
    base_model: Path,
    seq_len: int = 640,
    steps: int = 3,
    threads: int = 2,
    gradient_checkpointing: bool = False,
) -> StepTiming:
    """Time forward + backward + optimizer step (batch 1, LoRA r=8) after one warm-up step."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = BaseModelRef.from_path(base_model).load_model(dtype=torch.float32)
    lora = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05, target_modules=resolve_target_modules(model))
    model = get_peft_model(model, lora)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(0, model.config.vocab_size, (1, seq_len))
    timings = []
    for step in range(steps + 1):
        started = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if step:  # the first step pays one-off allocation costs
            timings.append(time.perf_counter() - started)
    return StepTiming(seq_len, threads, gradient_checkpointing, timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base",
        default=str(Path(__file__).resolve().parents[1] / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"),
    )
    parser.add_argument("--seq-len", type=int, default=640)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    args = parser.parse_args()
    timing = measure_step_seconds(
        Path(args.base), args.seq_len, args.steps, args.threads, args.gradient_checkpointing
    )
    print(json.dumps({**asdict(timing), "mean": timing.mean, "min": timing.minimum}))


if __name__ == "__main__":
    main()
