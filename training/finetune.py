"""LoRA fine-tuning of the note model with TRL's SFTTrainer.

Each example is TRL's conversational prompt-completion format built from the shared prompt builder;
TRL renders it with the tokenizer's chat template and masks the prompt, so the loss covers only the
assistant turn (the note and its end-of-turn token). Checkpoints are written every ``save_steps``
and a rerun resumes from the latest one.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.model_files import sha256_of
from summarizer.prompts import PROMPT_VERSION
from training.base_model import (
    BaseModelRef,
    materialize_hf_config,
    materialize_hf_model,
    resolve_target_modules,
)
from training.dataset import DatasetConfig, Example, data_sha256, load_split_csv
from training.metrics_log import JsonlMetricsCallback, perplexity
from training.preprocess import PreparedExample, PreprocessConfig, Preprocessor, PreprocessReport
from training.resources import MIB, TrainingOOMError, check_disk_space, cuda_available, is_oom, oom_advice

logger = logging.getLogger(__name__)

ADAPTER_DIRNAME = "adapter"
CHECKPOINT_DIRNAME = "checkpoints"
METRICS_FILENAME = "metrics.jsonl"
TRAINING_INFO = "training_info.json"


@dataclass(frozen=True)
class FineTuneConfig:
    base_model: Path  # a .gguf file or an HF directory
    train_csv: Path
    output_dir: Path
    val_csv: Path | None = None
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] | None = None  # None: chosen from the architecture
    epochs: float = 3.0
    learning_rate: float = 2e-4
    batch_size: int = 1
    grad_accumulation: int = 4
    max_seq_len: int = 2048
    save_steps: int = 25
    eval_steps: int = 25
    logging_steps: int = 1
    save_total_limit: int = 2
    warmup_ratio: float = 0.03
    gradient_checkpointing: bool = False
    seed: int = 42
    threads: int | None = None  # None: all cores
    max_steps: int = -1  # > 0 overrides epochs (smoke runs)
    max_train_rows: int | None = None
    max_val_rows: int | None = None
    resume: bool = True
    use_4bit: bool = True  # honoured only when CUDA is present (bitsandbytes)
    flash_attention: bool = True  # honoured only when CUDA is present and flash-attn is installed


@dataclass(frozen=True)
class TrainResult:
    steps: int
    train_loss: float | None
    val_loss: float | None
    seconds: float
    adapter_dir: Path
    metrics_path: Path
    train_rows: int
    val_rows: int
    rows_skipped: int
    truncated_rows: int
    data_sha256: str
    resumed_from: str | None = None
    device: str = "cpu"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def val_perplexity(self) -> float | None:
        return perplexity(self.val_loss)


def _read_examples(path: Path, limit: int | None) -> tuple[list[Example], int]:
    loaded = load_split_csv(path, DatasetConfig(drop_exact_duplicates=False, limit=limit))
    return loaded.examples, loaded.report.rows_skipped


def estimate_checkpoint_bytes(trainable_params: int) -> int:
    # adapter weights + two Adam moments (fp32) + tokenizer/config/rng files saved alongside
    return trainable_params * 4 * 3 + 16 * MIB


class FineTuner:
    def __init__(self, config: FineTuneConfig) -> None:
        self.config = config
        self.base = BaseModelRef.from_path(config.base_model)
        self.device = "cuda" if cuda_available() else "cpu"

    # --- data -----------------------------------------------------------------------------------
    def prepare_data(
        self, tokenizer: Any
    ) -> tuple[list[PreparedExample], list[PreparedExample], dict[str, Any]]:
        cfg = self.config
        preprocessor = Preprocessor(tokenizer, PreprocessConfig(max_seq_len=cfg.max_seq_len))
        train_rows, train_bad = _read_examples(cfg.train_csv, cfg.max_train_rows)
        val_rows, val_bad = _read_examples(cfg.val_csv, cfg.max_val_rows) if cfg.val_csv else ([], 0)
        train, train_report = preprocessor.prepare_many(
            [(e.transcript, e.summary) for e in train_rows], "train data"
        )
        val, val_report = preprocessor.prepare_many([(e.transcript, e.summary) for e in val_rows], "val data")
        if not train:
            raise ValueError(
                f"no usable training examples in {cfg.train_csv} "
                f"({train_bad} malformed rows, {train_report.skip_reasons()})"
            )
        stats = {
            "rows_skipped": train_bad + val_bad + train_report.rows_skipped + val_report.rows_skipped,
            "truncated": train_report.truncated + val_report.truncated,
            "skip_reasons": _merge_reasons(train_report, val_report),
            "data_sha256": data_sha256(train_rows + val_rows),
            "max_tokens": max(e.total_tokens for e in train + val),
        }
        return train, val, stats

    # --- model ----------------------------------------------------------------------------------
    def _load_model(self) -> Any:
        import torch

        cfg = self.config
        if self.device == "cpu":
            model = self.base.load_model(dtype=torch.float32)
            if self.base.is_gguf:
                # peft records this as the adapter's base and reads its config.json on save; point it at
                # a local config dir rather than a bogus hub id (no network lookups, no warnings).
                model.name_or_path = model.config.name_or_path = str(materialize_hf_config(self.base))
            return model
        kwargs: dict[str, Any] = {}
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        if cfg.use_4bit:
            from transformers import BitsAndBytesConfig  # needs bitsandbytes; CUDA only

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_compute_dtype=dtype,
                bnb_4bit_use_double_quant=True,
            )
        if cfg.flash_attention:
            try:
                import flash_attn  # noqa: F401

                kwargs["attn_implementation"] = "flash_attention_2"
            except ImportError:
                kwargs["attn_implementation"] = "sdpa"
        base = self.base
        if base.is_gguf:  # quantized loading needs real HF weights on disk
            base = BaseModelRef(materialize_hf_model(base, Path(cfg.output_dir) / "hf-base"))
        model = base.load_model(dtype=dtype, device_map={"": 0}, **kwargs)
        if cfg.use_4bit:
            from peft import prepare_model_for_kbit_training

            model = prepare_model_for_kbit_training(model, cfg.gradient_checkpointing)
        return model

    def lora_config(self, model: Any) -> Any:
        from peft import LoraConfig

        cfg = self.config
        return LoraConfig(
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            bias="none",
            task_type="CAUSAL_LM",
            target_modules=resolve_target_modules(model, cfg.target_modules),
        )

    def _sft_config(self, has_eval: bool) -> Any:
        from trl import SFTConfig

        cfg = self.config
        on_gpu = self.device == "cuda"
        import torch

        bf16 = on_gpu and torch.cuda.is_bf16_supported()
        return SFTConfig(
            output_dir=str(Path(cfg.output_dir) / CHECKPOINT_DIRNAME),
            num_train_epochs=cfg.epochs,
            max_steps=cfg.max_steps,
            learning_rate=cfg.learning_rate,
            per_device_train_batch_size=cfg.batch_size,
            per_device_eval_batch_size=cfg.batch_size,
            gradient_accumulation_steps=cfg.grad_accumulation,
            warmup_steps=cfg.warmup_ratio,
            lr_scheduler_type="cosine",
            logging_steps=cfg.logging_steps,
            save_strategy="steps",
            save_steps=cfg.save_steps,
            save_total_limit=cfg.save_total_limit,
            eval_strategy="steps" if has_eval else "no",
            eval_steps=cfg.eval_steps if has_eval else None,
            # transformers 5 renamed gradient checkpointing to activation checkpointing
            activation_checkpointing=cfg.gradient_checkpointing,
            activation_checkpointing_kwargs={"use_reentrant": False} if cfg.gradient_checkpointing else None,
            max_length=cfg.max_seq_len,
            packing=False,
            completion_only_loss=True,
            assistant_only_loss=False,
            bf16=bf16,
            fp16=on_gpu and not bf16,
            use_cpu=not on_gpu,
            seed=cfg.seed,
            data_seed=cfg.seed,
            report_to="none",
            disable_tqdm=False,
            dataloader_num_workers=0,
            dataloader_pin_memory=on_gpu,
            save_only_model=False,  # optimizer/scheduler state is what makes resuming exact
        )

    def build_trainer(
        self, model: Any, tokenizer: Any, train: list[PreparedExample], val: list[PreparedExample]
    ) -> Any:
        from datasets import Dataset
        from trl import SFTTrainer

        train_ds = Dataset.from_list([e.as_record() for e in train])
        val_ds = Dataset.from_list([e.as_record() for e in val]) if val else None
        callback = JsonlMetricsCallback(Path(self.config.output_dir) / METRICS_FILENAME)
        return SFTTrainer(
            model=model,
            args=self._sft_config(val_ds is not None),
            train_dataset=train_ds,
            eval_dataset=val_ds,
            processing_class=tokenizer,
            peft_config=self.lora_config(model),
            callbacks=[callback],
        )

    # --- run ------------------------------------------------------------------------------------
    def train(self) -> TrainResult:
        import torch
        from transformers.trainer_utils import get_last_checkpoint

        cfg = self.config
        started = time.perf_counter()
        out = Path(cfg.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        if self.device == "cpu":
            torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
        tokenizer = self.base.load_tokenizer()
        train, val, stats = self.prepare_data(tokenizer)
        logger.info(
            "training on %d examples (%d val), %d skipped, %d truncated, longest %d tokens",
            len(train),
            len(val),
            stats["rows_skipped"],
            stats["truncated"],
            stats["max_tokens"],
        )
        model = self._load_model()
        trainer = self.build_trainer(model, tokenizer, train, val)
        trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
        # Fail before any checkpoint is written rather than leave a half-saved one behind.
        check_disk_space(out, estimate_checkpoint_bytes(trainable) * (cfg.save_total_limit + 2), "training")
        checkpoint = (
            get_last_checkpoint(str(out / CHECKPOINT_DIRNAME))
            if cfg.resume and (out / CHECKPOINT_DIRNAME).is_dir()
            else None
        )
        if checkpoint:
            logger.info("resuming from %s", checkpoint)
        try:
            output = trainer.train(resume_from_checkpoint=checkpoint)
            val_loss = _final_val_loss(trainer) if val else None
        except Exception as exc:
            if is_oom(exc):
                raise TrainingOOMError(
                    oom_advice(
                        cfg.batch_size,
                        cfg.max_seq_len,
                        cfg.gradient_checkpointing,
                        "GPU" if self.device == "cuda" else "host",
                    )
                ) from exc
            raise
        adapter_dir = out / ADAPTER_DIRNAME
        check_disk_space(out, estimate_checkpoint_bytes(trainable), "saving the adapter")
        trainer.model.save_pretrained(str(adapter_dir))
        tokenizer.save_pretrained(str(adapter_dir))
        result = TrainResult(
            steps=trainer.state.global_step,
            train_loss=_final_train_loss(trainer, output),
            val_loss=val_loss,
            seconds=time.perf_counter() - started,
            adapter_dir=adapter_dir,
            metrics_path=out / METRICS_FILENAME,
            train_rows=len(train),
            val_rows=len(val),
            rows_skipped=stats["rows_skipped"],
            truncated_rows=stats["truncated"],
            data_sha256=stats["data_sha256"],
            resumed_from=checkpoint,
            device=self.device,
            extra={"trainable_params": trainable, "skip_reasons": stats["skip_reasons"]},
        )
        self._write_info(adapter_dir, result)
        return result

    def _write_info(self, adapter_dir: Path, result: TrainResult) -> None:
        info = {
            "base_model": str(self.base.path),
            "base_sha256": sha256_of(self.base.path) if self.base.is_gguf else None,
            "prompt_version": PROMPT_VERSION,
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self.config).items()},
            "result": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(result).items()},
            "val_perplexity": result.val_perplexity,
        }
        (adapter_dir / TRAINING_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")


def _final_train_loss(trainer: Any, output: Any) -> float | None:
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    if losses:
        return float(losses[-1])
    value = getattr(output, "training_loss", None)
    return float(value) if value is not None and not math.isnan(value) else None


def _final_val_loss(trainer: Any) -> float:
    # Reuse the evaluation the trainer just ran at the final step instead of running it twice.
    step = trainer.state.global_step
    done = [e["eval_loss"] for e in trainer.state.log_history if "eval_loss" in e and e.get("step") == step]
    return float(done[-1]) if done else float(trainer.evaluate()["eval_loss"])


def _merge_reasons(*reports: PreprocessReport) -> dict[str, int]:
    merged: dict[str, int] = {}
    for report in reports:
        for reason, count in report.skip_reasons().items():
            merged[reason] = merged.get(reason, 0) + count
    return merged


def read_training_info(adapter_dir: Path) -> dict[str, Any]:
    path = Path(adapter_dir) / TRAINING_INFO
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
