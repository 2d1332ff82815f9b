"""models/manifest.json: entries, defaults, relative paths, and the worker's reading of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.model_files import sha256_of
from summarizer.model_registry import default_entry, get_entry, load_manifest
from summarizer.prompts import PROMPT_VERSION
from training.registry import register_model, set_default


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    (root / "smollm2-notes").mkdir(parents=True)
    (root / "base.gguf").write_bytes(b"GGUF base")
    (root / "smollm2-notes" / "lora.gguf").write_bytes(b"GGUF adapter")
    (root / "smollm2-notes" / "merged-Q4_K_M.gguf").write_bytes(b"GGUF merged")
    return root


def test_empty_registry(models_dir: Path) -> None:
    assert load_manifest(models_dir) == {"version": 1, "default": None, "entries": []}
    assert default_entry(models_dir) is None and get_entry("x", models_dir) is None


def test_register_records_relative_paths_and_hashes(models_dir: Path) -> None:
    entry = register_model(
        "smollm2-notes",
        models_dir / "base.gguf",
        models_dir / "smollm2-notes" / "lora.gguf",
        training_data_sha256="ab" * 32,
        metrics={"val_loss": 1.5},
        models_dir=models_dir,
    )
    raw = json.loads((models_dir / "manifest.json").read_text())
    stored = raw["entries"][0]
    assert stored["base"] == {
        "file": "base.gguf",
        "sha256": sha256_of(models_dir / "base.gguf"),
        "size_bytes": 9,
    }
    assert stored["adapter"]["file"] == "smollm2-notes/lora.gguf"
    assert stored["merged_file"] is None and stored["prompt_version"] == PROMPT_VERSION
    assert stored["training_data_sha256"] == "ab" * 32 and stored["metrics"] == {"val_loss": 1.5}
    assert stored["created_at"]
    assert raw["default"] is None  # registering never silently changes what workers serve
    assert get_entry("smollm2-notes", models_dir) == entry
    assert entry.path(entry.adapter, models_dir).read_bytes() == b"GGUF adapter"


def test_replace_and_default(models_dir: Path) -> None:
    register_model("a", "base.gguf", models_dir=models_dir)
    register_model("b", "base.gguf", "smollm2-notes/lora.gguf", make_default=True, models_dir=models_dir)
    register_model("a", "base.gguf", merged_file="smollm2-notes/merged-Q4_K_M.gguf", models_dir=models_dir)
    manifest = load_manifest(models_dir)
    assert [e["name"] for e in manifest["entries"]] == ["b", "a"]
    assert default_entry(models_dir).name == "b"
    assert get_entry("a", models_dir).merged_file == "smollm2-notes/merged-Q4_K_M.gguf"
    assert get_entry("a", models_dir).adapter is None
    set_default("a", models_dir)
    assert default_entry(models_dir).name == "a"
    with pytest.raises(KeyError):
        set_default("nope", models_dir)


def test_files_outside_models_dir_are_refused(models_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.gguf"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError, match="outside the models directory"):
        register_model("x", outside, models_dir=models_dir)
    with pytest.raises(FileNotFoundError):
        register_model("x", "missing.gguf", models_dir=models_dir)


@pytest.fixture
def registry_settings(models_dir: Path, settings, monkeypatch) -> Path:
    """Worker settings that leave the model choice to the registry in ``models_dir``."""
    monkeypatch.delenv("THERAPY_NOTES_MODEL_PATH", raising=False)
    monkeypatch.delenv("PHI3_MODEL_PATH", raising=False)
    settings.MODELS_DIR = models_dir
    settings.THERAPY_NOTES_MODEL_PATH = str(models_dir / "base.gguf")
    settings.THERAPY_NOTES_LORA_PATH = None
    settings.THERAPY_NOTES_MODEL_ENTRY = ""
    return models_dir


def test_worker_model_selection_reads_the_registry(registry_settings: Path) -> None:
    models_dir = registry_settings
    from workers.model_selection import resolve_model_selection

    def resolve_model_paths() -> tuple[str, str | None]:
        selection = resolve_model_selection()
        return selection.model_path, selection.lora_path

    register_model("tuned", "base.gguf", "smollm2-notes/lora.gguf", make_default=True, models_dir=models_dir)
    assert resolve_model_paths() == (
        str(models_dir / "base.gguf"),
        str(models_dir / "smollm2-notes/lora.gguf"),
    )
    register_model(
        "merged",
        "base.gguf",
        merged_file="smollm2-notes/merged-Q4_K_M.gguf",
        make_default=True,
        models_dir=models_dir,
    )
    assert resolve_model_paths() == (str(models_dir / "smollm2-notes/merged-Q4_K_M.gguf"), None)
    assert resolve_model_selection().registry_entry == "merged"


def test_missing_merged_file_falls_back_to_the_committed_adapter(registry_settings: Path) -> None:
    models_dir = registry_settings
    # A fresh clone has the adapter (committed) but not the merged GGUF (too big to commit).
    from workers.model_selection import resolve_model_selection

    merged = models_dir / "smollm2-notes" / "merged-Q4_K_M.gguf"
    register_model("tuned", "base.gguf", "smollm2-notes/lora.gguf", merged_file=str(merged.relative_to(models_dir)),
                   make_default=True, models_dir=models_dir)
    merged.unlink()
    selection = resolve_model_selection()
    assert selection.model_path == str(models_dir / "base.gguf")
    assert selection.lora_path == str(models_dir / "smollm2-notes/lora.gguf")
    assert selection.registry_entry == "tuned"
