"""Merge a GGUF LoRA adapter into its GGUF base model with numpy (the ``gguf`` package), no torch.

Why: llama.cpp applies a runtime adapter as two extra small matrix products beside every adapted
weight, on every token; for a 135M model that is ~40% of generation speed (issue 18,
``bench/merged_models.py``). Folding ``scale * B @ A`` into the weights once, at setup, gives the same
model as one plain GGUF. Workers then load it without ``lora_path``.

Only the adapted tensors change. They are dequantized, merged and written as ``out_type``; every other
tensor (embeddings, norms) is copied byte for byte. Two routes:

- numpy types (``Q4_0``, ``Q4_1``, ``Q5_0``, ``Q5_1``, ``Q8_0``, ``F16``, ``F32``): quantized here;
- llama.cpp types (``Q4_K_M``, ``Q5_K_M``, ...; ``gguf`` cannot quantize K-quants): merged to F16 in a
  temporary file, then quantized by llama.cpp's own quantizer (``llama_model_quantize``).

The delta is summed in float64 one rank at a time (elementwise, no BLAS) so the same inputs give the
same bytes on every CPU: the merged file's sha256 can be recorded once and checked everywhere.
"""

from __future__ import annotations

import ctypes
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

# Types the numpy route writes (name -> gguf.GGMLQuantizationType member name).
NUMPY_TYPES = ("F32", "F16", "Q8_0", "Q5_1", "Q5_0", "Q4_1", "Q4_0")
# Types llama.cpp's quantizer writes from an F16 merge (name -> llama_cpp LLAMA_FTYPE_* constant).
# One table for this merge and for training's export of its own merged model (training/converters.py).
LLAMA_QUANT_TYPES = {
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q6_K": "LLAMA_FTYPE_MOSTLY_Q6_K",
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "Q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",
}
MERGE_TYPES = tuple(dict.fromkeys((*NUMPY_TYPES, *LLAMA_QUANT_TYPES)))
# What setup builds for a registry entry with an adapter. Measured (bench/merged_models.py, bench/RESULTS.md):
# Q8_0 follows the runtime-adapter model as closely as F16 (KL 0.005 vs 0.003 nats per token) at 60% of
# its size; Q4_1 rounds the adapter's small delta back to the base grid (KL 0.74: the adapter is lost),
# Q4_K_M is a second 4-bit rounding of the Q4_1 base (KL 0.05).
DEFAULT_MERGE_TYPE = "Q8_0"
# Metadata written into the merged file so the file itself says what it is.
MERGED_ADAPTER_KEY = "therapy_notes.merged_adapter"
MERGED_ADAPTER_SHA256_KEY = "therapy_notes.merged_adapter_sha256"
MERGED_BASE_SHA256_KEY = "therapy_notes.merged_base_sha256"

LORA_A, LORA_B = ".lora_a", ".lora_b"


class MergeError(ValueError):
    """The adapter does not fit the base (missing tensor, wrong shape) or the type is unknown."""


@dataclass(frozen=True)
class MergeResult:
    path: Path
    out_type: str
    tensors_merged: int
    scale: float
    seconds: float


def adapter_scale(adapter_path: Path) -> tuple[float, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The adapter's ``(alpha / rank, {base tensor name: (A, B)})``, as llama.cpp applies it at run time
    (``scale = alpha / rank`` where rank is lora_b's inner size; alpha 0 means scale 1)."""
    from gguf import GGUFReader

    reader = GGUFReader(adapter_path)
    if str(reader.fields["general.type"].contents()) != "adapter":
        raise MergeError(f"{adapter_path.name} is not a GGUF LoRA adapter (general.type != adapter)")
    field = reader.fields.get("adapter.lora.alpha")
    alpha = float(field.contents()) if field is not None else 0.0
    halves: dict[str, dict[str, np.ndarray]] = {}
    for tensor in reader.tensors:
        for suffix in (LORA_A, LORA_B):
            if tensor.name.endswith(suffix):
                halves.setdefault(tensor.name[: -len(suffix)], {})[suffix] = _as_float(tensor)
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, half in halves.items():
        if set(half) != {LORA_A, LORA_B}:
            raise MergeError(f"adapter tensor {name} has only {sorted(half)}")
        pairs[name] = (half[LORA_A], half[LORA_B])
    if not pairs:
        raise MergeError(f"{adapter_path.name} holds no lora_a/lora_b tensors")
    rank = next(iter(pairs.values()))[1].shape[-1]
    return (alpha / rank if alpha else 1.0), pairs


def _as_float(tensor: object) -> np.ndarray:
    from gguf import dequantize

    data = tensor.data  # type: ignore[attr-defined]
    return np.asarray(dequantize(data, tensor.tensor_type), dtype=np.float32)  # type: ignore[attr-defined]


def merged_weight(weight: np.ndarray, lora_a: np.ndarray, lora_b: np.ndarray, scale: float) -> np.ndarray:
    """``weight + scale * B @ A`` in float32, the delta summed in float64 one rank at a time.

    numpy shapes: weight (out, in), A (rank, in), B (out, rank). An elementwise sum has one order on
    every machine; a BLAS product does not (kernels differ by CPU), and the file's sha256 would too."""
    if lora_a.shape[1] != weight.shape[1] or lora_b.shape[0] != weight.shape[0] or lora_a.shape[0] != lora_b.shape[1]:
        raise MergeError(f"adapter shapes A{lora_a.shape} B{lora_b.shape} do not fit weight {weight.shape}")
    delta = np.zeros(weight.shape, dtype=np.float64)
    a64, b64 = lora_a.astype(np.float64), lora_b.astype(np.float64)
    for k in range(a64.shape[0]):
        delta += np.multiply.outer(b64[:, k], a64[k])
    return (weight.astype(np.float64) + scale * delta).astype(np.float32)


def merge_lora(
    base_path: Path,
    adapter_path: Path,
    dest: Path,
    out_type: str = "Q8_0",
    *,
    provenance: dict[str, str] | None = None,
    threads: int = 2,
) -> MergeResult:
    """Write ``dest``: the base GGUF with the adapter merged, adapted tensors as ``out_type``.

    Written to a ``.partial`` file and renamed, so a half-written merge never has the real name."""
    if out_type not in MERGE_TYPES:
        raise MergeError(f"unknown merge type {out_type!r}; choose from {', '.join(MERGE_TYPES)}")
    started = time.perf_counter()
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    if out_type in NUMPY_TYPES:
        merged, scale = _write_numpy_merge(base_path, adapter_path, partial, out_type, provenance or {})
    else:
        with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
            f16 = Path(tmp) / "merged-f16.gguf"
            merged, scale = _write_numpy_merge(base_path, adapter_path, f16, "F16", provenance or {})
            # Untouched tensors of a quantized base arrive quantized; the embeddings (tied to the output, the
            # adapter never touches them) keep the base's type rather than a second rounding to Q6_K.
            llama_quantize(f16, partial, out_type, threads, allow_requantize=True,
                           embedding_type=_tensor_type(base_path, "token_embd.weight"))
    partial.replace(dest)
    seconds = time.perf_counter() - started
    logger.info("merged %d adapter tensors into %s (%s) in %.1f s", merged, dest.name, out_type, seconds)
    return MergeResult(dest, out_type, merged, scale, seconds)


def _write_numpy_merge(
    base_path: Path, adapter_path: Path, dest: Path, out_type: str, provenance: dict[str, str]
) -> tuple[int, float]:
    from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, quantize

    scale, pairs = adapter_scale(adapter_path)
    reader = GGUFReader(base_path)
    arch = str(reader.fields["general.architecture"].contents())
    writer = GGUFWriter(dest, arch)
    for field in reader.fields.values():
        # GGUF.* are the reader's virtual fields; the writer writes the architecture itself.
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        kind = field.types[0]
        sub_type = field.types[-1] if kind == GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), kind, sub_type=sub_type)
    for key, value in {MERGED_ADAPTER_KEY: adapter_path.name, **provenance}.items():
        writer.add_string(key, value)
    qtype = GGMLQuantizationType[out_type]
    unused = set(pairs)
    for tensor in reader.tensors:
        if tensor.name not in pairs:
            writer.add_tensor(tensor.name, tensor.data, raw_dtype=tensor.tensor_type)
            continue
        lora_a, lora_b = pairs[tensor.name]
        unused.discard(tensor.name)
        weight = merged_weight(_as_float(tensor), lora_a, lora_b, scale)
        writer.add_tensor(tensor.name, quantize(weight, qtype), raw_dtype=qtype)
    if unused:
        raise MergeError(f"adapter tensors with no base tensor: {sorted(unused)[:3]}... ({len(unused)})")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return len(pairs), scale


def _tensor_type(path: Path, name: str) -> str | None:
    from gguf import GGUFReader

    return next((t.tensor_type.name for t in GGUFReader(path).tensors if t.name == name), None)


def llama_quantize(
    source: Path, dest: Path, qtype: str, threads: int = 2, *, allow_requantize: bool = False,
    embedding_type: str | None = None,
) -> Path:
    """Quantize a GGUF with llama.cpp's own quantizer (``llama_model_quantize``); the serving install
    has it (llama-cpp-python), so this needs no training install either. ``embedding_type`` (a ggml type
    name, "Q8_0") is what the token embeddings and the output layer (tied to them) are written as."""
    import llama_cpp

    if qtype not in LLAMA_QUANT_TYPES:
        raise MergeError(f"unsupported quantization {qtype!r}; choose from {sorted(LLAMA_QUANT_TYPES)}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, LLAMA_QUANT_TYPES[qtype])
    params.nthread = threads
    params.allow_requantize = allow_requantize
    if embedding_type is not None:
        params.token_embedding_type = params.output_tensor_type = getattr(llama_cpp, f"GGML_TYPE_{embedding_type}")
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), ctypes.byref(params))
    if status != 0 or not dest.is_file():
        raise MergeError(f"llama_model_quantize({qtype}) returned {status} for {source.name}")
    return dest
