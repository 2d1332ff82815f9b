"""Load a base model for training/export from a Hugging Face directory or a GGUF file, and map
architectures to LoRA target modules.

A GGUF is dequantized by transformers, so a LoRA trained on it fits exactly the weights llama.cpp
uses at inference. transformers marks such a model as "quantized with gguf" and refuses to save
it; rebuilding it from its config (without ``quantization_config``) gives a plain, serialisable
model with identical weights.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.model_files import sha256_of

logger = logging.getLogger(__name__)

LLAMA_STYLE_TARGETS: tuple[str, ...] = (
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
)
PHI3_TARGETS: tuple[str, ...] = ("qkv_proj", "o_proj", "gate_up_proj", "down_proj")
# Phi-3 fuses q/k/v and gate/up into single Linear layers, so llama-style names match nothing there.
TARGET_MODULES: dict[str, tuple[str, ...]] = {
    "phi3": PHI3_TARGETS,
    **{
        arch: LLAMA_STYLE_TARGETS
        for arch in (
            "llama",
            "mistral",
            "qwen2",
            "qwen3",
            "gemma",
            "gemma2",
            "gemma3_text",
            "granite",
            "olmo2",
        )
    },
}


def cache_root() -> Path:
    """Where derived artifacts (HF config dirs, converter scripts) are cached between runs."""
    return Path(os.environ.get("THERAPY_NOTES_CACHE", Path.home() / ".cache" / "therapy-notes"))


@dataclass(frozen=True)
class BaseModelRef:
    """A base model: an HF directory, or a directory plus a GGUF file name in it."""

    directory: Path
    gguf_file: str | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> BaseModelRef:
        path = Path(path)
        if path.is_file() and path.suffix == ".gguf":
            return cls(path.parent, path.name)
        if path.is_dir() and (path / "config.json").is_file():
            return cls(path)
        raise FileNotFoundError(
            f"base model must be a .gguf file or an HF directory with config.json: {path}"
        )

    @property
    def is_gguf(self) -> bool:
        return self.gguf_file is not None

    @property
    def path(self) -> Path:
        return self.directory / self.gguf_file if self.gguf_file else self.directory

    def _kwargs(self) -> dict[str, Any]:
        return {"gguf_file": self.gguf_file} if self.gguf_file else {}

    def load_config(self) -> Any:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(self.directory, **self._kwargs())
        if self.is_gguf and hasattr(config, "quantization_config"):
            del config.quantization_config  # the weights we build are plain float tensors
        if not getattr(config, "architectures", None):
            # llama.cpp's converters pick their model class from config.json's "architectures".
            from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

            config.architectures = [MODEL_FOR_CAUSAL_LM_MAPPING_NAMES[config.model_type]]
        return config

    def load_tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.directory, **self._kwargs())

    def load_model(self, dtype: Any = None, **kwargs: Any) -> Any:
        """A plain (serialisable) causal LM; ``kwargs`` go to ``from_pretrained`` for HF directories."""
        import torch
        from transformers import AutoModelForCausalLM

        dtype = dtype or torch.float32
        if not self.is_gguf:
            return AutoModelForCausalLM.from_pretrained(self.directory, dtype=dtype, **kwargs)
        if kwargs:
            raise ValueError(
                f"options {sorted(kwargs)} need an HF directory; run materialize_hf_model() first"
            )
        gguf_model = AutoModelForCausalLM.from_pretrained(
            self.directory, gguf_file=self.gguf_file, dtype=dtype
        )
        model = AutoModelForCausalLM.from_config(self.load_config(), dtype=dtype)
        missing, unexpected = model.load_state_dict(gguf_model.state_dict(), strict=False)
        # Tied output embeddings are legitimately absent from some state dicts; anything else is a bug.
        missing = [k for k in missing if k != "lm_head.weight"]
        if missing or unexpected:
            raise RuntimeError(
                f"GGUF state dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}"
            )
        model.tie_weights()
        del gguf_model
        return model.eval()


def target_modules_for(model_type: str) -> tuple[str, ...] | str:
    """LoRA target module names for an architecture; unknown ones get peft's "all-linear"."""
    return TARGET_MODULES.get(model_type, "all-linear")


def resolve_target_modules(model: Any, requested: tuple[str, ...] | str | None = None) -> list[str] | str:
    """Check the target names exist in ``model``; an unknown name is a config error, not a silent no-op."""
    model_type = getattr(model.config, "model_type", "")
    wanted = requested or target_modules_for(model_type)
    if wanted == "all-linear":
        return wanted
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    missing = [name for name in wanted if name not in present]
    if missing:
        raise ValueError(
            f"LoRA target module(s) {missing} not found in {model_type or type(model).__name__}; "
            f"available leaf names include {sorted(present)[:20]}"
        )
    return list(wanted)


def materialize_hf_config(base: BaseModelRef, dest: Path | None = None) -> Path:
    """An HF directory with config.json and tokenizer files (no weights) for ``base``.

    That is all ``convert_lora_to_gguf.py --base`` needs. Cached by the GGUF's sha256.
    """
    if not base.is_gguf:
        return base.directory
    if dest is None:
        digest = sha256_of(base.path)[:16]
        dest = cache_root() / "hf-config" / f"{Path(base.gguf_file or '').stem}-{digest}"
    if (dest / "config.json").is_file() and (dest / "tokenizer_config.json").is_file():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    config = base.load_config()
    config.save_pretrained(dest)
    base.load_tokenizer().save_pretrained(dest)
    (dest / "source.json").write_text(json.dumps({"gguf": str(base.path)}), encoding="utf-8")
    logger.info("wrote HF config dir %s", dest)
    return dest


def materialize_hf_model(base: BaseModelRef, dest: Path) -> Path:
    """A full HF directory (weights + tokenizer) rebuilt from a GGUF, e.g. for 4-bit loading on CUDA."""
    if (dest / "config.json").is_file() and any(dest.glob("*.safetensors")):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    base.load_model().save_pretrained(dest)
    base.load_tokenizer().save_pretrained(dest)
    return dest
