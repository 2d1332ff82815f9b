"""Training presets as data: what ``--preset smoke`` changes, in one place (nanoGPT-style configs).

A preset supplies defaults; an option given on the command line still wins. The dataclasses
(``DatasetConfig``, ``FineTuneConfig``, ``ExportConfig``) hold every other default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from summarizer.model_files import DEFAULT_MODEL_FILE

DEFAULT_CORPUS_GLOB = "data/corpus/part_*.csv"
DEFAULT_BASE_FILE = DEFAULT_MODEL_FILE  # the bundled SmolLM2 GGUF is also what we fine-tune


@dataclass(frozen=True)
class Preset:
    name: str  # the run/model name when --name is not given
    splits_subdir: str  # data/splits/<subdir>
    row_limit: int | None  # keep only the first N valid corpus rows
    finetune: dict[str, Any] = field(default_factory=dict)  # FineTuneConfig fields
    merged_export: bool = True  # --merged honoured (smoke exports the adapter only: the fast path)
    registers: bool = True  # the pipeline registers its export unless told otherwise


# Smoke runs: enough to exercise every stage end to end in a few minutes on 2 CPU cores.
SMOKE_ROWS = 10
SMOKE_MAX_STEPS = 3

PRESETS: dict[str, Preset] = {
    "default": Preset(name="smollm2-notes", splits_subdir="", row_limit=None),
    "smoke": Preset(
        name="smoke", splits_subdir="smoke", row_limit=SMOKE_ROWS, merged_export=False, registers=False,
        finetune={"max_steps": SMOKE_MAX_STEPS, "max_seq_len": 1024, "grad_accumulation": 1, "batch_size": 1,
                  "save_steps": 2, "eval_steps": SMOKE_MAX_STEPS, "max_train_rows": SMOKE_ROWS,
                  "max_val_rows": 2, "resume": False},
    ),
}
