"""FineTuner on tiny random models: Phi-3 path, resume, metrics log, skipped rows, disk and OOM errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.prompts import build_session_note_messages, build_training_messages
from tests.training.synthetic import write_corpus
from training.base_model import LLAMA_STYLE_TARGETS, PHI3_TARGETS, BaseModelRef, resolve_target_modules
from training.finetune import FineTuneConfig, FineTuner
from training.metrics_log import read_metrics
from training.resources import InsufficientDiskSpaceError, TrainingOOMError


def _config(base: Path, tmp_path: Path, **overrides: Any) -> FineTuneConfig:
    train_csv = write_corpus(tmp_path / "train.csv", 6, seed=11, lines=3)
    val_csv = write_corpus(tmp_path / "val.csv", 2, seed=12, lines=3)
    values: dict[str, Any] = {
        "base_model": base,
        "train_csv": train_csv,
        "val_csv": val_csv,
        "output_dir": tmp_path / "run",
        "max_steps": 2,
        "save_steps": 1,
        "eval_steps": 2,
        "grad_accumulation": 1,
        "max_seq_len": 512,
        "threads": 2,
        "learning_rate": 1e-3,
    }
    values.update(overrides)
    return FineTuneConfig(**values)


def test_phi3_target_modules_and_template(tiny_phi3_dir: Path) -> None:
    from peft import LoraConfig, get_peft_model

    base = BaseModelRef.from_path(tiny_phi3_dir)
    model = base.load_model()
    assert model.config.model_type == "phi3"
    targets = resolve_target_modules(model)
    assert targets == list(PHI3_TARGETS)
    with pytest.raises(ValueError, match="q_proj"):
        resolve_target_modules(model, LLAMA_STYLE_TARGETS)  # Phi-3 fuses q/k/v: llama names do not exist
    peft_model = get_peft_model(
        model, LoraConfig(r=8, lora_alpha=16, target_modules=targets, task_type="CAUSAL_LM")
    )
    wrapped = {name.rsplit(".", 2)[-2] for name, _ in peft_model.named_modules() if name.endswith(".lora_A")}
    assert wrapped == set(PHI3_TARGETS)

    tokenizer = base.load_tokenizer()
    messages = build_training_messages("Patient: I slept badly.", "**Plan:** Sleep diary.")
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt = tokenizer.apply_chat_template(
        build_session_note_messages("Patient: I slept badly."), tokenize=False, add_generation_prompt=True
    )
    assert prompt.startswith("<|system|>\n") and prompt.endswith("<|end|>\n<|assistant|>\n")
    assert full.startswith(prompt) and full[len(prompt) :] == "**Plan:** Sleep diary.<|end|>\n<|end|>"


def test_phi3_trains_and_masks_assistant_only(tiny_phi3_dir: Path, tmp_path: Path) -> None:
    config = _config(tiny_phi3_dir, tmp_path)
    tuner = FineTuner(config)
    tokenizer = tuner.base.load_tokenizer()
    prepared, _, _ = tuner.prepare_data(tokenizer)
    trainer = tuner.build_trainer(tuner._load_model(), tokenizer, prepared[:2], [])
    for row, example in zip(trainer.train_dataset, prepared, strict=False):
        first = next(i for i, label in enumerate(row["labels"]) if label != -100)
        assert row["labels"][first:] == row["input_ids"][first:]
        assert (
            tokenizer.decode(row["input_ids"][first:])
            == example.completion[0]["content"] + "<|end|>\n<|end|>"
        )
        assert tokenizer.decode(row["input_ids"][:first]).endswith("<|end|>\n<|assistant|>\n")

    result = FineTuner(config).train()
    assert result.steps == 2 and result.train_loss is not None and result.val_loss is not None
    adapter = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    assert set(adapter["target_modules"]) == set(PHI3_TARGETS)


def test_llama_run_logs_metrics_checkpoints_and_resumes(tiny_llama_dir: Path, tmp_path: Path) -> None:
    first = FineTuner(_config(tiny_llama_dir, tmp_path)).train()
    assert first.steps == 2 and first.resumed_from is None and first.device == "cpu"
    run = tmp_path / "run"
    assert sorted(p.name for p in (run / "checkpoints").glob("checkpoint-*")) == [
        "checkpoint-1",
        "checkpoint-2",
    ]
    records = read_metrics(first.metrics_path)
    assert [r["step"] for r in records if "loss" in r] == [1, 2]
    assert all(r["perplexity"] > 1 for r in records if "loss" in r)
    assert any("eval_perplexity" in r for r in records)
    info = json.loads((first.adapter_dir / "training_info.json").read_text())
    assert info["prompt_version"] and info["result"]["data_sha256"] == first.data_sha256
    adapter = json.loads((first.adapter_dir / "adapter_config.json").read_text())
    assert (
        adapter["r"] == 8
        and adapter["lora_alpha"] == 16
        and set(adapter["target_modules"]) == set(LLAMA_STYLE_TARGETS)
    )

    second = FineTuner(_config(tiny_llama_dir, tmp_path, max_steps=4)).train()
    assert second.resumed_from is not None and second.resumed_from.endswith("checkpoint-2")
    assert second.steps == 4
    assert [r["step"] for r in read_metrics(second.metrics_path) if "loss" in r] == [1, 2, 3, 4]


def test_invalid_rows_are_skipped_and_counted(tiny_llama_dir: Path, tmp_path: Path) -> None:
    config = _config(tiny_llama_dir, tmp_path, max_steps=1, max_seq_len=384)
    with config.train_csv.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Patient: enough words here to pass the minimum length check.", ""])  # empty note
        writer.writerow(["Patient: enough words here to pass the minimum length check.", "long note " * 300])
        writer.writerow(
            ["Patient: enough words here to pass the minimum length check.", "**Risk:** {{RED:open"]
        )
    result = FineTuner(config).train()
    assert result.train_rows == 6 and result.val_rows == 2
    assert result.rows_skipped == 3
    assert result.extra["skip_reasons"] == {"note too long": 1, "malformed RED marker in note": 1}


def test_disk_space_is_checked_before_any_checkpoint(
    tiny_llama_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("training.resources.free_bytes", lambda path: 1024 * 1024)
    with pytest.raises(InsufficientDiskSpaceError, match="MiB free"):
        FineTuner(_config(tiny_llama_dir, tmp_path)).train()
    run = tmp_path / "run"
    assert not list(run.glob("checkpoints/checkpoint-*")) and not (run / "adapter").exists()


def test_out_of_memory_names_the_settings_to_lower(
    tiny_llama_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from trl import SFTTrainer

    def boom(self: Any, *args: Any, **kwargs: Any) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(SFTTrainer, "train", boom)
    with pytest.raises(TrainingOOMError) as info:
        FineTuner(_config(tiny_llama_dir, tmp_path, batch_size=4)).train()
    message = str(info.value)
    assert "--batch-size (now 4" in message and "--max-seq-len (now 512)" in message
    assert "--gradient-checkpointing" in message


def test_cpu_host_oom_is_recognised() -> None:
    from training.resources import is_oom

    assert is_oom(RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 123 bytes"))
    assert is_oom(MemoryError())
    assert not is_oom(RuntimeError("shape mismatch"))
