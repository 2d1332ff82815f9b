"""Which GGUF and which LoRA adapter this worker loads.

Order: explicit env settings win; otherwise the model registry (models/manifest.json)
decides: its default entry's adapter is applied when that entry was trained on the
base file we are loading.
"""

from __future__ import annotations

import json
import logging
import os
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


def resolve_model_paths() -> tuple[str, str | None]:
    model_path = settings.THERAPY_NOTES_MODEL_PATH
    explicit_model = "THERAPY_NOTES_MODEL_PATH" in os.environ or "PHI3_MODEL_PATH" in os.environ
    if settings.THERAPY_NOTES_LORA_PATH is not None:
        return model_path, settings.THERAPY_NOTES_LORA_PATH or None
    entry = registry_entry(settings.THERAPY_NOTES_MODEL_ENTRY or None)
    if entry is None:
        return model_path, None
    models_dir = Path(settings.MODELS_DIR)
    if entry.get("merged_file") and not explicit_model:
        return str(models_dir / entry["merged_file"]), None
    base_file = (entry.get("base") or {}).get("file")
    adapter = (entry.get("adapter") or {}).get("file")
    if adapter and base_file == Path(model_path).name:
        return model_path, str(models_dir / adapter)
    if adapter:
        logger.warning("registry adapter %s was trained on %s, not %s; loading without it",
                       adapter, base_file, Path(model_path).name)
    return model_path, None
