"""Argument definitions and result formatting shared by the management commands (argparse only,
no Django: the commands pass in the project paths)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.export import ExportConfig, ExportResult
from training.finetune import ADAPTER_DIRNAME, FineTuneConfig, TrainResult
from training.pipeline import DEFAULT_BASE_FILE, DEFAULT_CORPUS_GLOB, PrepareResult, smoke_finetune

DEFAULT_NAME = "smollm2-notes"
SMOKE_NAME = "smoke"


@dataclass(frozen=True)
class ProjectPaths:
    base_dir: Path
    models_dir: Path

    @property
    def corpus_glob(self) -> str:
        return str(self.base_dir / DEFAULT_CORPUS_GLOB)

    def splits_dir(self, smoke: bool) -> Path:
        return self.base_dir / "data" / "splits" / ("smoke" if smoke else "")

    @property
    def base_model(self) -> Path:
        return self.models_dir / DEFAULT_BASE_FILE

    def run_dir(self, name: str) -> Path:
        # Checkpoints and the peft adapter: large and reproducible, kept out of git (training_runs/).
        return self.base_dir / "training_runs" / name

    def export_dir(self, name: str) -> Path:
        # The adapter GGUF is ~5 MB and is what a fresh machine needs: models/adapters/ is committable.
        return self.models_dir / "adapters" / name


def add_dataset_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dataset")
    group.add_argument(
        "--input",
        action="append",
        default=None,
        help="Corpus CSV file or glob (repeatable). Default: data/corpus/part_*.csv",
    )
    group.add_argument(
        "--splits-dir",
        default=None,
        help="Where train/val/test.csv go. Default: data/splits (data/splits/smoke with --smoke)",
    )
    group.add_argument("--seed", type=int, default=42)
    group.add_argument("--val-fraction", type=float, default=0.1)
    group.add_argument("--test-fraction", type=float, default=0.1)
    group.add_argument("--limit", type=int, default=None, help="Use only the first N valid rows.")
    group.add_argument(
        "--near-dup-threshold",
        type=float,
        default=0.8,
        help="Jaccard similarity above which transcripts are kept in the same split.",
    )


def add_train_args(parser: argparse.ArgumentParser, with_data_paths: bool = True) -> None:
    group = parser.add_argument_group("training")
    if with_data_paths:
        group.add_argument("--train-csv", default=None, help="Default: <splits>/train.csv")
        group.add_argument("--val-csv", default=None, help="Default: <splits>/val.csv")
    group.add_argument(
        "--base", default=None, help=f"Base model: .gguf file or HF dir. Default: models/{DEFAULT_BASE_FILE}"
    )
    group.add_argument(
        "--name", default=None, help=f"Run/model name. Default: {DEFAULT_NAME} ({SMOKE_NAME} with --smoke)"
    )
    group.add_argument("--output", default=None, help="Run directory. Default: training_runs/<name>")
    group.add_argument("--epochs", type=float, default=3.0)
    group.add_argument("--lr", type=float, default=2e-4)
    group.add_argument("--batch-size", type=int, default=1)
    group.add_argument("--grad-accum", type=int, default=4)
    group.add_argument("--max-seq-len", type=int, default=2048)
    group.add_argument("--save-steps", type=int, default=25)
    group.add_argument("--eval-steps", type=int, default=25)
    group.add_argument(
        "--max-steps", type=int, default=-1, help="Stop after N optimizer steps (overrides epochs)."
    )
    group.add_argument("--lora-r", type=int, default=8)
    group.add_argument("--lora-alpha", type=int, default=16)
    group.add_argument("--lora-dropout", type=float, default=0.05)
    group.add_argument("--gradient-checkpointing", action="store_true", help="Trade compute for memory.")
    group.add_argument("--threads", type=int, default=None, help="CPU threads. Default: all cores.")
    group.add_argument("--no-resume", action="store_true", help="Ignore existing checkpoints.")


def add_export_args(parser: argparse.ArgumentParser, with_adapter_dir: bool = True) -> None:
    group = parser.add_argument_group("export")
    if with_adapter_dir:
        group.add_argument(
            "--adapter-dir", default=None, help="peft adapter dir. Default: training_runs/<name>/adapter"
        )
    group.add_argument(
        "--export-dir", default=None, help="Where the adapter GGUF goes. Default: models/adapters/<name>"
    )
    group.add_argument(
        "--merged-dir",
        default=None,
        help="Where merged/quantized GGUFs go. Default: models/ (git-ignored *.gguf)",
    )
    group.add_argument(
        "--merged", action="store_true", help="Also write a merged f16 GGUF and quantizations."
    )
    group.add_argument("--quantize", default="Q4_K_M,Q5_K_M", help="Comma-separated (with --merged).")
    group.add_argument("--drop-f16", action="store_true", help="Delete the merged f16 GGUF after quantizing.")
    group.add_argument("--no-verify", action="store_true", help="Skip loading artifacts in llama-cpp-python.")
    group.add_argument("--register", action="store_true", help="Add the export to models/manifest.json.")
    group.add_argument("--default", action="store_true", help="Make the registered entry the default one.")


def name_of(options: dict[str, Any]) -> str:
    return options.get("name") or (SMOKE_NAME if options.get("smoke") else DEFAULT_NAME)


def finetune_config(
    options: dict[str, Any], paths: ProjectPaths, train_csv: Path | None = None, val_csv: Path | None = None
) -> FineTuneConfig:
    smoke = bool(options.get("smoke"))
    splits = paths.splits_dir(smoke)
    train_csv = train_csv or Path(options.get("train_csv") or splits / "train.csv")
    val_csv = val_csv or Path(options.get("val_csv") or splits / "val.csv")
    config = FineTuneConfig(
        base_model=Path(options.get("base") or paths.base_model),
        train_csv=train_csv,
        val_csv=val_csv if val_csv.is_file() else None,
        output_dir=Path(options.get("output") or paths.run_dir(name_of(options))),
        lora_r=options["lora_r"],
        lora_alpha=options["lora_alpha"],
        lora_dropout=options["lora_dropout"],
        epochs=options["epochs"],
        learning_rate=options["lr"],
        batch_size=options["batch_size"],
        grad_accumulation=options["grad_accum"],
        max_seq_len=options["max_seq_len"],
        save_steps=options["save_steps"],
        eval_steps=options["eval_steps"],
        max_steps=options["max_steps"],
        gradient_checkpointing=options["gradient_checkpointing"],
        seed=options.get("seed", 42),
        threads=options["threads"],
        resume=not options["no_resume"],
    )
    return smoke_finetune(config) if smoke else config


def export_config(
    options: dict[str, Any], paths: ProjectPaths, adapter_dir: Path | None = None
) -> ExportConfig:
    name = name_of(options)
    smoke = bool(options.get("smoke"))
    adapter = adapter_dir or Path(options.get("adapter_dir") or paths.run_dir(name) / ADAPTER_DIRNAME)
    return ExportConfig(
        adapter_dir=adapter,
        base_model=Path(options.get("base") or paths.base_model),
        output_dir=Path(options.get("export_dir") or paths.export_dir(name)),
        name=name,
        merged=bool(options.get("merged")) and not smoke,  # smoke: adapter-only, the fast path
        quantize=tuple(q.strip() for q in options.get("quantize", "").split(",") if q.strip()),
        merged_dir=Path(options.get("merged_dir") or paths.models_dir),
        keep_merged_f16=not options.get("drop_f16"),
        verify=not options.get("no_verify"),
        threads=options.get("threads") or 2,
    )


def format_prepare(result: PrepareResult) -> str:
    report = result.report
    return (
        f"splits {result.manifest.counts} -> {result.manifest.path.parent} in {result.seconds:.1f} s\n"
        f"rows read {report.rows_read}, kept {report.rows_kept}, skipped {report.rows_skipped} "
        f"{report.skip_reasons() or ''}, exact duplicates dropped {report.duplicates_dropped}\n"
        f"encodings {json.dumps(report.encodings)}\ndata sha256 {result.manifest.data_sha256}"
    )


def format_train(result: TrainResult) -> str:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    return (
        f"trained {result.steps} steps on {result.train_rows} rows ({result.val_rows} val, "
        f"{result.rows_skipped} skipped, {result.truncated_rows} truncated) in {result.seconds:.1f} s on "
        f"{result.device}\ntrain loss {fmt(result.train_loss)}, val loss {fmt(result.val_loss)}, "
        f"val perplexity {fmt(result.val_perplexity)}\nadapter {result.adapter_dir}\n"
        f"metrics {result.metrics_path}"
        + (f"\nresumed from {result.resumed_from}" if result.resumed_from else "")
    )


def format_export(result: ExportResult) -> str:
    lines = [
        f"{a.kind:<11} {a.path} ({a.size_bytes / 1e6:.1f} MB) sha256 {a.sha256}" for a in result.artifacts
    ]
    lines += [
        f"verified {Path(v.model_path).name}{' + ' + Path(v.lora_path).name if v.lora_path else ''}: "
        f"{'ok' if v.ok else 'FAILED ' + str(v.error)} ({v.seconds:.1f} s) {v.output[:100]!r}"
        for v in result.verifications
    ]
    lines.append(f"export took {result.seconds:.1f} s")
    return "\n".join(lines)


def configure_logging(verbosity: int) -> None:
    """Show the training library's log lines on the console (Django's config leaves them unhandled)."""
    import logging

    logger = logging.getLogger("training")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.propagate = False  # Django's root handler would print every line twice
    logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG)
