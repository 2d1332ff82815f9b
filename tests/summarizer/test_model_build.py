"""The setup step that builds the merged GGUF (summarizer/model_build.py), fetch_model calling it, and the
workers' choice between the merged file and base + runtime adapter (model_registry.select_model)."""

from __future__ import annotations

import json
import logging
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from summarizer.model_build import ensure_merged_model
from summarizer.model_files import ModelIntegrityError
from summarizer.model_registry import build_record_path, get_entry, read_build_record, select_model
from tests.conftest import MODEL_PATH, REPO

ENTRY = "smollm2-notes"


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A models directory like a fresh clone's after the base is fetched: manifest, base, adapter, no merge."""
    source = REPO / "models"
    shutil.copy(source / "manifest.json", tmp_path / "manifest.json")
    (tmp_path / MODEL_PATH.name).symlink_to(MODEL_PATH)
    shutil.copytree(source / "adapters", tmp_path / "adapters")
    return tmp_path


def _entry(models_dir: Path):
    entry = get_entry(ENTRY, models_dir)
    assert entry is not None and entry.merged_from is not None
    return entry


def test_the_committed_registry_builds_the_file_it_records(models_dir: Path) -> None:
    entry = _entry(models_dir)
    base_path = str(models_dir / MODEL_PATH.name)
    # Before the build: base + runtime adapter.
    before = select_model(models_dir, base_path)
    assert before.lora_path is not None and before.merged_adapter is None
    built = ensure_merged_model(models_dir, entry)
    assert built is not None and built.source.startswith("built")
    assert built.path == models_dir / entry.merged_file
    assert built.sha256 == entry.merged_sha256 and built.matches_registry
    record = read_build_record(built.path)
    assert record["adapter_sha256"] == entry.adapter.sha256 and record["base_sha256"] == entry.base.sha256
    after = select_model(models_dir, base_path)
    assert after.model_path == str(built.path) and after.lora_path is None
    assert after.merged_adapter == entry.adapter and after.registry_entry == ENTRY
    again = ensure_merged_model(models_dir, entry)
    assert again is not None and again.source == "already present"
    # An explicitly chosen model path is served as asked, merged file or not.
    assert select_model(models_dir, base_path, explicit_model=True).model_path == base_path


def test_a_merge_from_another_adapter_is_not_served(models_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    entry = _entry(models_dir)
    built = ensure_merged_model(models_dir, entry)
    assert built is not None
    record_path = build_record_path(built.path)
    record = json.loads(record_path.read_text())
    record["adapter_sha256"] = "0" * 64  # as if the adapter was retrained after this merge
    record_path.write_text(json.dumps(record))
    with caplog.at_level(logging.WARNING):
        selection = select_model(models_dir, str(models_dir / MODEL_PATH.name))
    assert selection.lora_path == str(models_dir / entry.adapter.file) and selection.merged_adapter is None
    assert "serving them unmerged" in caplog.text
    rebuilt = ensure_merged_model(models_dir, entry)
    assert rebuilt is not None and rebuilt.source.startswith("built")


def test_a_tampered_adapter_is_refused_and_nothing_is_built(models_dir: Path) -> None:
    entry = _entry(models_dir)
    adapter = models_dir / entry.adapter.file
    adapter.write_bytes(adapter.read_bytes()[:-16] + b"\0" * 16)
    with pytest.raises(ModelIntegrityError, match="not the file the registry names"):
        ensure_merged_model(models_dir, entry)
    assert not (models_dir / entry.merged_file).exists()


def test_fetch_model_builds_the_merge_and_no_merge_skips_it(models_dir: Path) -> None:
    out = StringIO()
    call_command("fetch_model", models_dir=str(models_dir), no_merge=True, stdout=out)
    assert not (models_dir / _entry(models_dir).merged_file).exists()
    call_command("fetch_model", models_dir=str(models_dir), stdout=out)
    merged = models_dir / _entry(models_dir).merged_file
    assert merged.is_file() and "as recorded" in out.getvalue()


def test_fetch_model_reports_a_missing_adapter_as_a_command_error(models_dir: Path) -> None:
    (models_dir / _entry(models_dir).adapter.file).unlink()
    with pytest.raises(CommandError, match="is missing"):
        call_command("fetch_model", models_dir=str(models_dir), stdout=StringIO())
