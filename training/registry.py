"""Writing the model registry, ``models/manifest.json`` (training registers its exports).

The reader and the schema are in ``summarizer/model_registry.py``, shared with the workers.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from summarizer.model_build import ensure_merged_model
from summarizer.model_files import sha256_of
from summarizer.model_registry import (
    MANIFEST_VERSION,
    FileRef,
    MergeRecipe,
    RegistryEntry,
    default_models_dir,
    load_manifest,
    manifest_path,
)
from summarizer.prompts import PROMPT_VERSION


def _relative(path: str | Path, models_dir: Path) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        # Relative paths mean "inside models/", unless they only exist relative to the working directory.
        in_models = models_dir / candidate
        candidate = candidate.absolute() if candidate.exists() and not in_models.exists() else in_models
    # abspath, not resolve(): a symlink inside models/ (e.g. to a shared volume) is a legitimate entry.
    try:
        return Path(os.path.abspath(candidate)).relative_to(os.path.abspath(models_dir)).as_posix()
    except ValueError:
        raise ValueError(f"{path} is outside the models directory {models_dir}; export into it") from None


def _file_ref(path: str | Path, models_dir: Path) -> FileRef:
    relative = _relative(path, models_dir)
    full = models_dir / relative
    if not full.is_file():
        raise FileNotFoundError(f"registry file not found: {full}")
    return FileRef(relative, sha256_of(full), full.stat().st_size)


def _write(manifest: dict[str, Any], models_dir: Path) -> None:
    path = manifest_path(models_dir)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # atomic: a worker never reads a half-written manifest


@contextmanager
def _locked(models_dir: Path) -> Iterator[None]:
    # Training runs and exports can finish concurrently; serialise read-modify-write of the manifest.
    models_dir.mkdir(parents=True, exist_ok=True)
    with (models_dir / ".manifest.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def register_model(
    name: str,
    base_file: str | Path,
    adapter_file: str | Path | None = None,
    merged_file: str | Path | None = None,
    *,
    quantized: Mapping[str, str | Path] | None = None,
    training_data_sha256: str | None = None,
    metrics: dict[str, Any] | None = None,
    prompt_version: str = PROMPT_VERSION,
    make_default: bool = False,
    notes: str = "",
    merge_type: str | None = None,
    models_dir: Path | None = None,
) -> RegistryEntry:
    """Add or replace the entry ``name``; files must lie inside the models directory.

    ``merge_type`` (with an adapter, instead of ``merged_file``): build the adapter-merged GGUF now, as
    fetch_model does on a fresh clone, and record its recipe and sha256 (summarizer/model_build.py)."""
    models_dir = Path(models_dir or default_models_dir())
    base = _file_ref(base_file, models_dir)
    adapter = _file_ref(adapter_file, models_dir) if adapter_file else None
    recipe = MergeRecipe(merge_type) if merge_type and adapter and not merged_file else None
    if recipe is not None:
        draft = RegistryEntry(name=name, base=base, adapter=adapter,
                              merged_file=f"{name}-merged-{recipe.type}.gguf", merged_from=recipe)
        built = ensure_merged_model(models_dir, draft, force=True)
        assert built is not None and draft.merged_file  # the draft has a recipe and an adapter
        merged: FileRef | None = FileRef(draft.merged_file, built.sha256, built.size_bytes)
    else:
        merged = _file_ref(merged_file, models_dir) if merged_file else None
    entry = RegistryEntry(
        name=name,
        base=base,
        adapter=adapter,
        merged_file=merged.file if merged else None,
        merged_sha256=merged.sha256 if merged else None,
        merged_from=recipe,
        quantized={k: _file_ref(v, models_dir) for k, v in (quantized or {}).items()},
        training_data_sha256=training_data_sha256,
        metrics=metrics or {},
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        prompt_version=prompt_version,
        notes=notes,
    )
    with _locked(models_dir):
        manifest = load_manifest(models_dir)
        manifest["version"] = MANIFEST_VERSION
        manifest["entries"] = [e for e in manifest["entries"] if e.get("name") != name] + [entry.to_dict()]
        if make_default:
            manifest["default"] = name
        _write(manifest, models_dir)
    return entry


def set_default(name: str | None, models_dir: Path | None = None) -> None:
    models_dir = Path(models_dir or default_models_dir())
    with _locked(models_dir):
        manifest = load_manifest(models_dir)
        if name is not None and not any(e.get("name") == name for e in manifest["entries"]):
            raise KeyError(f"no registry entry named {name!r}")
        manifest["default"] = name
        _write(manifest, models_dir)
