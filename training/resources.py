"""Hardware checks: CUDA presence, free disk space, and out-of-memory errors with actionable advice."""

from __future__ import annotations

import shutil
from pathlib import Path

MIB = 1024 * 1024


class InsufficientDiskSpaceError(OSError):
    """Not enough free space for the artifacts about to be written (raised before writing any)."""


class TrainingOOMError(RuntimeError):
    """Training ran out of (GPU or host) memory."""


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def free_bytes(path: Path) -> int:
    """Free space on the filesystem that holds ``path`` (or its nearest existing parent)."""
    probe = Path(path).resolve()
    while not probe.exists():
        probe = probe.parent
    return shutil.disk_usage(probe).free


def check_disk_space(path: Path, required_bytes: int, what: str) -> None:
    available = free_bytes(path)
    if available < required_bytes:
        raise InsufficientDiskSpaceError(
            f"{what} needs about {required_bytes / MIB:,.0f} MiB free at {path}, "
            f"only {available / MIB:,.0f} MiB available; free space or choose another output directory"
        )


def is_oom(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    try:
        import torch

        if isinstance(exc, torch.OutOfMemoryError):
            return True
    except (ImportError, AttributeError):
        pass
    message = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in message or "can't allocate memory" in message or "failed to allocate" in message
    )


def oom_advice(batch_size: int, max_seq_len: int, gradient_checkpointing: bool, device: str) -> str:
    hints = [
        f"lower --batch-size (now {batch_size}; raise --grad-accum to keep the effective batch)",
        f"lower --max-seq-len (now {max_seq_len})",
    ]
    if not gradient_checkpointing:
        hints.append("enable --gradient-checkpointing")
    return f"Out of {device} memory during training: " + "; ".join(hints) + "."
