"""Export a trained LoRA adapter for llama.cpp: adapter GGUF (fast path), optionally a merged model
GGUF (f16) and its quantizations; every artifact is verified by loading it in llama-cpp-python and
generating a short note."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.model_files import sha256_of
from training.base_model import BaseModelRef, materialize_hf_config
from training.converters import (
    QUANT_TYPES,
    convert_hf,
    convert_lora,
    ensure_llama_cpp_scripts,
    quantize,
)
from training.resources import MIB, check_disk_space
from training.verify import Verification, verify_gguf

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportConfig:
    adapter_dir: Path  # peft adapter directory written by FineTuner
    base_model: Path  # the base .gguf the adapter was trained on (and is applied to at inference)
    output_dir: Path  # the adapter GGUF goes here (small: fit to commit, e.g. models/adapters/<name>)
    name: str = "smollm2-notes"
    adapter_outtype: str = "f16"
    merged: bool = False
    quantize: tuple[str, ...] = ("Q4_K_M", "Q5_K_M")  # applied to the merged model only
    keep_merged_f16: bool = True
    verify: bool = True
    verify_max_tokens: int = 48
    threads: int = 2
    llama_cpp_version: str | None = None  # None: the installed llama-cpp-python's
    scripts_dir: Path | None = None  # a prepared llama.cpp converter dir (skips the download)
    merged_dir: Path | None = None  # merged/quantized GGUFs (hundreds of MB); None: output_dir


@dataclass(frozen=True)
class Artifact:
    kind: str  # "adapter" | "merged-f16" | "Q4_K_M" ...
    path: Path
    size_bytes: int
    sha256: str

    @classmethod
    def of(cls, kind: str, path: Path) -> Artifact:
        return cls(kind, path, path.stat().st_size, sha256_of(path))


@dataclass(frozen=True)
class ExportResult:
    adapter_dir: Path
    artifacts: list[Artifact]
    verifications: list[Verification] = field(default_factory=list)
    seconds: float = 0.0

    def get(self, kind: str) -> Artifact | None:
        return next((a for a in self.artifacts if a.kind == kind), None)

    @property
    def adapter_gguf(self) -> Artifact | None:
        return self.get("adapter")

    @property
    def merged_gguf(self) -> Artifact | None:
        return self.get("merged-f16")

    @property
    def all_verified(self) -> bool:
        return all(v.ok for v in self.verifications)


def _param_count(base: BaseModelRef) -> int:
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    with init_empty_weights():  # count parameters without allocating them
        model = AutoModelForCausalLM.from_config(base.load_config())
    return sum(p.numel() for p in model.parameters())


def _merge(base: BaseModelRef, adapter_dir: Path, dest: Path) -> Path:
    import torch
    from peft import PeftModel

    model = PeftModel.from_pretrained(base.load_model(dtype=torch.float32), str(adapter_dir))
    merged = model.merge_and_unload()
    # f16 on disk: the converter writes f16 anyway, and it halves the temporary footprint.
    merged.to(torch.float16).save_pretrained(dest)
    base.load_tokenizer().save_pretrained(dest)
    return dest


class ModelExporter:
    def __init__(self, config: ExportConfig) -> None:
        self.config = config
        self.base = BaseModelRef.from_path(config.base_model)
        if not self.base.is_gguf:
            raise ValueError("export needs the base .gguf the adapter is applied to at inference")

    def export(self) -> ExportResult:
        cfg = self.config
        started = time.perf_counter()
        out = Path(cfg.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        unknown = [q for q in cfg.quantize if q not in QUANT_TYPES]
        if unknown:
            raise ValueError(f"unsupported quantization {unknown}; choose from {sorted(QUANT_TYPES)}")
        adapter_bytes = sum(f.stat().st_size for f in Path(cfg.adapter_dir).glob("adapter_model.*"))
        required = adapter_bytes + 32 * MIB
        if cfg.merged:
            params = _param_count(self.base)
            # merged f16 safetensors (temporary) + f16 GGUF + each quantization (<= ~6 bits/weight)
            required += params * 2 * 2 + len(cfg.quantize) * params + 128 * MIB
        check_disk_space(Path(cfg.merged_dir or out), required, "export")

        scripts = cfg.scripts_dir or ensure_llama_cpp_scripts(cfg.llama_cpp_version)
        hf_config = materialize_hf_config(self.base)
        artifacts: list[Artifact] = []
        adapter_path = convert_lora(
            scripts,
            Path(cfg.adapter_dir),
            hf_config,
            out / f"{cfg.name}-lora-{cfg.adapter_outtype}.gguf",
            cfg.adapter_outtype,
        )
        artifacts.append(Artifact.of("adapter", adapter_path))
        if cfg.merged:
            artifacts.extend(self._export_merged(scripts, Path(cfg.merged_dir or out)))
        verifications = self._verify(artifacts) if cfg.verify else []
        return ExportResult(Path(cfg.adapter_dir), artifacts, verifications, time.perf_counter() - started)

    def _export_merged(self, scripts: Path, out: Path) -> list[Artifact]:
        cfg = self.config
        out.mkdir(parents=True, exist_ok=True)
        merged_dir = out / f".{cfg.name}-merged-hf"
        f16 = out / f"{cfg.name}-f16.gguf"
        try:
            _merge(self.base, Path(cfg.adapter_dir), merged_dir)
            convert_hf(scripts, merged_dir, f16, "f16")
        finally:
            shutil.rmtree(merged_dir, ignore_errors=True)
        artifacts = [Artifact.of("merged-f16", f16)]
        for qtype in cfg.quantize:
            started = time.perf_counter()
            path = quantize(f16, out / f"{cfg.name}-{qtype}.gguf", qtype, cfg.threads)
            logger.info("quantized %s in %.1f s", qtype, time.perf_counter() - started)
            artifacts.append(Artifact.of(qtype, path))
        if not cfg.keep_merged_f16:
            f16.unlink()
            artifacts = artifacts[1:]
        return artifacts

    def _verify(self, artifacts: list[Artifact]) -> list[Verification]:
        cfg = self.config
        results = []
        for artifact in artifacts:
            if artifact.kind == "adapter":
                check = verify_gguf(self.base.path, artifact.path, cfg.verify_max_tokens, cfg.threads)
            else:
                check = verify_gguf(artifact.path, None, cfg.verify_max_tokens, cfg.threads)
            logger.info(
                "verified %s: ok=%s in %.1f s: %r",
                artifact.path.name,
                check.ok,
                check.seconds,
                check.output[:80],
            )
            results.append(check)
        return results
