"""End to end on the real SmolLM2 GGUF: prepare -> train a few steps -> export the adapter GGUF ->
load it in llama-cpp-python and generate -> register; then the merged + quantized export of the same
adapter. Also each training command's --help."""

from __future__ import annotations

import contextlib
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.training.conftest import BASE_GGUF
from tests.training.synthetic import write_corpus

COMMANDS = ("prepare", "train", "export", "pipeline")


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help(name: str) -> None:
    from training.cli import build_parser

    commands = next(a for a in build_parser()._actions if a.dest == "command")
    command = commands.choices[name]
    text = command.format_help()
    assert "--smoke" in text and command.description.split()[0] in text


@dataclass(frozen=True)
class SmokeRun:
    tmp: Path
    models_dir: Path
    splits: Path
    run: Path
    stdout: str
    seconds: float


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> SmokeRun:
    if not BASE_GGUF.is_file():
        pytest.skip("bundled SmolLM2 GGUF missing: run `python manage.py fetch_model`")
    from training.cli import ProjectPaths, main

    tmp = tmp_path_factory.mktemp("smoke")
    models_dir = tmp / "models"
    models_dir.mkdir()
    (models_dir / BASE_GGUF.name).symlink_to(BASE_GGUF)
    write_corpus(tmp / "corpus" / "part_1.csv", 8, seed=5)
    write_corpus(tmp / "corpus" / "part_2.csv", 8, seed=6)
    splits, run, out = tmp / "splits", tmp / "training_runs" / "smoke", io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = main(["pipeline", "--smoke", "--register", "--input", str(tmp / "corpus" / "part_*.csv"),
                       "--splits-dir", str(splits), "--output", str(run), "--threads", "2"],
                      paths=ProjectPaths(tmp, models_dir))
    assert status == 0, out.getvalue()
    return SmokeRun(tmp, models_dir, splits, run, out.getvalue(), time.perf_counter() - started)


@pytest.mark.slow
def test_smoke_pipeline_end_to_end(smoke_run: SmokeRun) -> None:
    import numpy as np
    from gguf import GGUFReader
    from llama_cpp import Llama

    from summarizer.model_registry import get_entry
    from summarizer.prompts import build_session_note_messages

    assert "trained 3 steps" in smoke_run.stdout and "registered smoke" in smoke_run.stdout
    manifest = json.loads((smoke_run.splits / "split_manifest.json").read_text())
    assert manifest["counts"] == {"train": 8, "val": 1, "test": 1}  # --smoke keeps 10 rows
    run = smoke_run.run
    assert (run / "adapter" / "adapter_model.safetensors").is_file() and (run / "metrics.jsonl").is_file()
    adapter_gguf = smoke_run.models_dir / "adapters" / "smoke" / "smoke-lora-f16.gguf"
    assert adapter_gguf.is_file() and not list(smoke_run.models_dir.rglob("*Q4_K_M*"))  # adapter-only

    # The exported tensors carry the trained update (LoRA B starts at zero, so non-zero means trained).
    reader = GGUFReader(str(adapter_gguf))
    b_tensors = [t for t in reader.tensors if t.name.endswith(".lora_b")]
    assert len(b_tensors) == 30 * 7  # 30 layers x 7 llama-style projections
    assert any(np.abs(np.asarray(t.data, dtype=np.float32)).max() > 0 for t in b_tensors)

    entry = get_entry("smoke", smoke_run.models_dir)
    assert entry is not None and entry.adapter is not None
    assert entry.adapter.file == "adapters/smoke/smoke-lora-f16.gguf"
    assert entry.base.file == BASE_GGUF.name and entry.training_data_sha256 == manifest["data_sha256"]
    assert entry.metrics["steps"] == 3 and entry.metrics["val_loss"] > 0

    llm = Llama(
        model_path=str(BASE_GGUF), lora_path=str(adapter_gguf), n_ctx=1024, n_threads=2, verbose=False
    )
    try:
        reply = llm.create_chat_completion(
            messages=build_session_note_messages("Patient: I slept badly again."),
            max_tokens=24,
            temperature=0.0,
        )
    finally:
        llm.close()
    assert reply["choices"][0]["message"]["content"].strip()


@pytest.mark.slow
def test_merged_and_quantized_export(smoke_run: SmokeRun) -> None:
    from training.export import ExportConfig, ModelExporter

    out = smoke_run.tmp / "merged"
    result = ModelExporter(
        ExportConfig(
            adapter_dir=smoke_run.run / "adapter",
            base_model=BASE_GGUF,
            output_dir=out,
            name="smoke",
            merged=True,
            quantize=("Q4_K_M",),
        )
    ).export()
    assert [a.kind for a in result.artifacts] == ["adapter", "merged-f16", "Q4_K_M"]
    sizes = {a.kind: a.size_bytes for a in result.artifacts}
    assert sizes["Q4_K_M"] < sizes["merged-f16"] / 2
    assert all(len(a.sha256) == 64 for a in result.artifacts)
    assert result.all_verified and len(result.verifications) == 3
    assert not list(out.glob(".*merged-hf"))  # the temporary merged HF dir is cleaned up


def test_export_checks_disk_space_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not BASE_GGUF.is_file():
        pytest.skip("bundled SmolLM2 GGUF missing")
    from training.export import ExportConfig, ModelExporter
    from training.resources import InsufficientDiskSpaceError

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"0" * 1000)
    monkeypatch.setattr("training.resources.free_bytes", lambda path: 1024)
    with pytest.raises(InsufficientDiskSpaceError):
        ModelExporter(
            ExportConfig(adapter_dir=adapter, base_model=BASE_GGUF, output_dir=tmp_path / "out")
        ).export()
    assert not list((tmp_path / "out").glob("*.gguf"))
    with pytest.raises(ValueError, match="unsupported quantization"):
        ModelExporter(
            ExportConfig(
                adapter_dir=adapter,
                base_model=BASE_GGUF,
                output_dir=tmp_path / "out",
                merged=True,
                quantize=("Q3_XYZ",),
            )
        ).export()
