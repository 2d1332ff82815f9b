"""Which GGUF and which LoRA adapter this worker loads: the Django settings fed to the registry's
one selection rule (``summarizer/model_registry.py``, shared with training's evaluator).

Order: explicit env settings win; otherwise the model registry (models/manifest.json)
decides: its default entry's adapter is applied when that entry was trained on the
base file we are loading.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from summarizer.model_registry import ModelSelection, model_path_from_env, select_model


def resolve_model_selection() -> ModelSelection:
    return select_model(
        Path(settings.MODELS_DIR),
        settings.THERAPY_NOTES_MODEL_PATH,
        explicit_model=model_path_from_env(Path(settings.MODELS_DIR))[1],
        lora_path=settings.THERAPY_NOTES_LORA_PATH,
        entry_name=settings.THERAPY_NOTES_MODEL_ENTRY,
    )
