"""prepare -> train -> export -> register, as plain functions the training CLI calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from summarizer.model_merge import DEFAULT_MERGE_TYPE
from summarizer.model_registry import RegistryEntry, default_models_dir
from training.dataset import DatasetConfig, DatasetLoader, LoadReport, SplitManifest
from training.export import ExportConfig, ExportResult, ModelExporter
from training.finetune import FineTuneConfig, FineTuner, TrainResult
from training.registry import register_model

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class PrepareResult:
    manifest: SplitManifest
    report: LoadReport
    seconds: float


def prepare_dataset(
    inputs: Sequence[str | Path], out_dir: Path, config: DatasetConfig | None = None
) -> PrepareResult:
    started = time.perf_counter()
    loader = DatasetLoader(config)
    loaded = loader.load(inputs)
    if not loaded.examples:
        raise ValueError(f"no valid rows in {list(map(str, inputs))} ({loaded.report.skip_reasons()})")
    manifest = loader.split(loaded.examples).save_splits(out_dir, loaded.report)
    return PrepareResult(manifest, loaded.report, time.perf_counter() - started)


def registry_metrics(train: TrainResult | None) -> dict[str, Any]:
    if train is None:
        return {}
    return {
        "train_loss": train.train_loss,
        "val_loss": train.val_loss,
        "val_perplexity": train.val_perplexity,
        "steps": train.steps,
        "train_rows": train.train_rows,
        "val_rows": train.val_rows,
        "train_seconds": round(train.seconds, 1),
    }


def register_export(
    name: str,
    export: ExportResult,
    base_model: Path,
    *,
    train: TrainResult | None = None,
    data_sha256: str | None = None,
    make_default: bool = False,
    models_dir: Path | None = None,
) -> RegistryEntry:
    """Record an export in models/manifest.json. With an adapter, workers serve it merged into the base
    (built now with numpy, DEFAULT_MERGE_TYPE, as fetch_model rebuilds it on a fresh clone); the export's
    own torch-merged quantizations are listed in ``quantized``."""
    quantized = {a.kind: a.path for a in export.artifacts if a.kind not in ("adapter", "merged-f16")}
    adapter = export.adapter_gguf.path if export.adapter_gguf else None
    served = None
    if adapter is None:
        served = quantized.get("Q4_K_M") or next(iter(quantized.values()), None)
        if served is None and export.merged_gguf is not None:
            served = export.merged_gguf.path
    return register_model(
        name,
        base_model,
        adapter,
        served,
        quantized=quantized,
        training_data_sha256=data_sha256 or (train.data_sha256 if train else None),
        metrics=registry_metrics(train),
        make_default=make_default,
        merge_type=DEFAULT_MERGE_TYPE if adapter is not None else None,
        models_dir=models_dir,
    )


@dataclass(frozen=True)
class PipelineResult:
    prepare: PrepareResult
    train: TrainResult
    export: ExportResult
    entry: RegistryEntry | None
    seconds: float


def run_pipeline(
    inputs: Sequence[str | Path],
    splits_dir: Path,
    finetune: FineTuneConfig,
    export: ExportConfig,
    *,
    dataset: DatasetConfig | None = None,
    name: str = "smollm2-notes",
    register: bool = True,
    make_default: bool = False,
    models_dir: Path | None = None,
) -> PipelineResult:
    started = time.perf_counter()
    prepared = prepare_dataset(inputs, splits_dir, dataset)
    logger.info("splits: %s", prepared.manifest.counts)
    trained = FineTuner(
        replace(finetune, train_csv=splits_dir / "train.csv", val_csv=splits_dir / "val.csv")
    ).train()
    exported = ModelExporter(replace(export, adapter_dir=trained.adapter_dir)).export()
    if not exported.all_verified:
        failed = [v.model_path for v in exported.verifications if not v.ok]
        raise RuntimeError(f"exported artifacts failed verification in llama-cpp-python: {failed}")
    entry = None
    if register:
        entry = register_export(
            name,
            exported,
            finetune.base_model,
            train=trained,
            data_sha256=prepared.manifest.data_sha256,
            make_default=make_default,
            models_dir=models_dir or default_models_dir(),
        )
    return PipelineResult(prepared, trained, exported, entry, time.perf_counter() - started)
