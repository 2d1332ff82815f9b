"""Reading the model registry, ``models/manifest.json``: the one reader, used by workers (which GGUF
and adapter to load) and by training (which writes it, ``training/registry.py``). No Django.

Schema: ``{"version", "default", "entries": [{"name", "base": {"file", "sha256"},
"adapter": {"file", "sha256"} | null, "merged_file", ...}]}``. File paths are relative to the
models directory so the directory can move between machines.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.model_files import DEFAULT_MODEL_FILE
from summarizer.prompts import PROMPT_VERSION

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


MODELS_DIR_VARIABLE = "THERAPY_NOTES_MODELS_DIR"


def default_models_dir() -> Path:
    """The models directory: the Django setting MODELS_DIR reads the same variable and default."""
    return Path(os.environ.get(MODELS_DIR_VARIABLE, Path(__file__).resolve().parents[1] / "models"))


@dataclass(frozen=True)
class FileRef:
    file: str  # relative to the models directory
    sha256: str
    size_bytes: int = 0


@dataclass(frozen=True)
class MergeRecipe:
    type: str  # the adapted tensors' GGUF type, e.g. "Q8_0" (summarizer/model_merge.py MERGE_TYPES)
    method: str = "numpy"  # summarizer/model_merge.py merge_lora


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    base: FileRef
    adapter: FileRef | None = None
    merged_file: str | None = None  # a standalone GGUF to serve instead of base+adapter
    merged_sha256: str | None = None
    # How setup builds ``merged_file`` from base + adapter (summarizer/model_build.py); None when the file
    # came from elsewhere (a training export) and cannot be rebuilt here.
    merged_from: MergeRecipe | None = None
    quantized: dict[str, FileRef] = field(default_factory=dict)
    training_data_sha256: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    prompt_version: str = PROMPT_VERSION
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistryEntry:
        def ref(value: dict[str, Any] | None) -> FileRef | None:
            return FileRef(**value) if value else None

        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(
            **{
                **known,
                "base": ref(data["base"]),
                "adapter": ref(data.get("adapter")),
                "quantized": {k: FileRef(**v) for k, v in (data.get("quantized") or {}).items()},
                "merged_from": MergeRecipe(**data["merged_from"]) if data.get("merged_from") else None,
            }
        )

    def path(self, ref: FileRef | str, models_dir: Path | None = None) -> Path:
        relative = ref.file if isinstance(ref, FileRef) else ref
        return (models_dir or default_models_dir()) / relative


def manifest_path(models_dir: Path | None = None) -> Path:
    return (models_dir or default_models_dir()) / MANIFEST_NAME


def load_manifest(models_dir: Path | None = None) -> dict[str, Any]:
    path = manifest_path(models_dir)
    if not path.is_file():
        return {"version": MANIFEST_VERSION, "default": None, "entries": []}
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("entries", [])
    data.setdefault("default", None)
    return data


def list_entries(models_dir: Path | None = None) -> list[RegistryEntry]:
    return [RegistryEntry.from_dict(e) for e in load_manifest(models_dir)["entries"]]


def get_entry(name: str, models_dir: Path | None = None) -> RegistryEntry | None:
    return next((e for e in list_entries(models_dir) if e.name == name), None)


def default_entry(models_dir: Path | None = None) -> RegistryEntry | None:
    wanted = load_manifest(models_dir).get("default")
    return get_entry(wanted, models_dir) if wanted else None


@dataclass(frozen=True)
class ModelSelection:
    model_path: str
    lora_path: str | None
    registry_entry: str  # "" when the model was chosen by path, not by the registry
    # The adapter folded into ``model_path`` when a merged GGUF is served (provenance: which adapter wrote it).
    merged_adapter: FileRef | None = None


def select_model(
    models_dir: Path,
    model_path: str,
    *,
    explicit_model: bool = False,
    lora_path: str | None = None,
    entry_name: str = "",
) -> ModelSelection:
    """Which GGUF and adapter to load. An explicit ``lora_path`` (even "", meaning none) wins; otherwise
    the registry's (default or named) entry decides: its merged GGUF when present and no model path was
    asked for explicitly, else its adapter when the entry was trained on ``model_path``'s file."""
    if lora_path is not None:
        return ModelSelection(model_path, lora_path or None, "")
    entry = get_entry(entry_name, models_dir) if entry_name else default_entry(models_dir)
    if entry is None:
        return ModelSelection(model_path, None, "")
    merged = models_dir / entry.merged_file if entry.merged_file else None
    # Merged GGUFs are too big to commit: fetch_model builds them (summarizer/model_build.py); until then, or
    # when the one on disk was built from another adapter, fall through to base + runtime adapter.
    if merged is not None and merged.is_file() and not explicit_model and merged_file_is_current(entry, merged):
        return ModelSelection(str(merged), None, entry.name, merged_adapter=entry.adapter)
    if entry.adapter and entry.base.file == Path(model_path).name:
        return ModelSelection(model_path, str(models_dir / entry.adapter.file), entry.name)
    if entry.adapter:
        logger.warning("registry adapter %s was trained on %s, not %s; loading without it",
                       entry.adapter.file, entry.base.file, Path(model_path).name)
    return ModelSelection(model_path, None, "")


def build_record_path(merged: Path) -> Path:
    return merged.with_name(merged.name + ".build.json")


def read_build_record(merged: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(build_record_path(merged).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def merged_file_is_current(entry: RegistryEntry, merged: Path) -> bool:
    """Whether ``merged`` was built from this entry's base and adapter, by its build record (written beside
    it by summarizer/model_build.py; reading it costs nothing, hashing 145 MB would cost every worker start).
    Files without a recipe (a training export's merge) are taken as they are."""
    if entry.merged_from is None or entry.adapter is None:
        return True
    record = read_build_record(merged)
    current = (record.get("base_sha256") == entry.base.sha256
               and record.get("adapter_sha256") == entry.adapter.sha256
               and record.get("size_bytes") == merged.stat().st_size)
    if not current:
        logger.warning("%s was not built from %s's base and adapter; serving them unmerged until "
                       "`manage.py fetch_model` rebuilds it", merged.name, entry.name)
    return current


# PHI3_MODEL_PATH is honoured as an alias so a Phi-3 deployment needs one variable.
MODEL_PATH_VARIABLES = ("THERAPY_NOTES_MODEL_PATH", "PHI3_MODEL_PATH")


def model_path_from_env(models_dir: Path) -> tuple[str, bool]:
    """The GGUF to serve and whether it was asked for explicitly: the first variable that is set, else the
    bundled default. The Django setting THERAPY_NOTES_MODEL_PATH and the workers read it here too."""
    for name in MODEL_PATH_VARIABLES:
        if name in os.environ:
            return os.environ[name], True
    return str(models_dir / DEFAULT_MODEL_FILE), False
