"""Which GGUF and which LoRA adapter this worker loads.

Order: explicit env settings win; otherwise the model registry (models/manifest.json)
decides: its default entry's adapter is applied when that entry was trained on the
base file we are loading.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def _manifest() -> dict[str, Any]:
    path = Path(settings.MODELS_DIR) / "manifest.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def registry_entry(name: str | None = None) -> dict[str, Any] | None:
    manifest = _manifest()
    entries = {entry["name"]: entry for entry in manifest.get("entries", [])}
    wanted = name or manifest.get("default")
    return entries.get(wanted) if wanted else None


@dataclass(frozen=True)
class ModelSelection:
    model_path: str
    lora_path: str | None
    registry_entry: str  # "" when the model was chosen by path, not by the registry


def resolve_model_selection() -> ModelSelection:
    model_path = settings.THERAPY_NOTES_MODEL_PATH
    explicit_model = "THERAPY_NOTES_MODEL_PATH" in os.environ or "PHI3_MODEL_PATH" in os.environ
    if settings.THERAPY_NOTES_LORA_PATH is not None:
        return ModelSelection(model_path, settings.THERAPY_NOTES_LORA_PATH or None, "")
    entry = registry_entry(settings.THERAPY_NOTES_MODEL_ENTRY or None)
    if entry is None:
        return ModelSelection(model_path, None, "")
    models_dir = Path(settings.MODELS_DIR)
    merged = models_dir / entry["merged_file"] if entry.get("merged_file") else None
    # Merged GGUFs are too big to commit: a fresh clone has only the adapter, so fall through to it.
    if merged is not None and merged.is_file() and not explicit_model:
        return ModelSelection(str(merged), None, entry["name"])
    base_file = (entry.get("base") or {}).get("file")
    adapter = (entry.get("adapter") or {}).get("file")
    if adapter and base_file == Path(model_path).name:
        return ModelSelection(model_path, str(models_dir / adapter), entry["name"])
    if adapter:
        logger.warning("registry adapter %s was trained on %s, not %s; loading without it",
                       adapter, base_file, Path(model_path).name)
    return ModelSelection(model_path, None, "")


def resolve_model_paths() -> tuple[str, str | None]:
    selection = resolve_model_selection()
    return selection.model_path, selection.lora_path
