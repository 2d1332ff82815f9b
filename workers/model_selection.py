"""Which GGUF and which LoRA adapter this worker loads: the Django settings fed to the registry's
one selection rule (``summarizer/model_registry.py``, shared with training's evaluator).

Order: explicit env settings win; otherwise the model registry (models/manifest.json)
decides: its default entry's adapter is applied when that entry was trained on the
base file we are loading.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from summarizer.model_registry import MODEL_PATH_VARIABLES, ModelSelection, select_model


def resolve_model_selection() -> ModelSelection:
    return select_model(
        Path(settings.MODELS_DIR),
        settings.THERAPY_NOTES_MODEL_PATH,
        explicit_model=any(name in os.environ for name in MODEL_PATH_VARIABLES),
        lora_path=settings.THERAPY_NOTES_LORA_PATH,
        entry_name=settings.THERAPY_NOTES_MODEL_ENTRY,
    )
