"""The model registry: ``models/manifest.json``.

Workers read it (``workers/model_selection.py``) to decide which GGUF and adapter to load, so the
schema is shared: ``{"version", "default", "entries": [{"name", "base": {"file", "sha256"},
"adapter": {"file", "sha256"} | null, "merged_file", ...}]}``. File paths are relative to the
models directory so the directory can move between machines.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.model_files import sha256_of
from summarizer.prompts import PROMPT_VERSION

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def default_models_dir() -> Path:
    # Same variable and default as the Django setting MODELS_DIR, without importing Django.
    return Path(os.environ.get("THERAPY_NOTES_MODELS_DIR", Path(__file__).resolve().parents[1] / "models"))


@dataclass(frozen=True)
class FileRef:
    file: str  # relative to the models directory
    sha256: str
    size_bytes: int = 0


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    base: FileRef
    adapter: FileRef | None = None
    merged_file: str | None = None  # a standalone GGUF to serve instead of base+adapter
    merged_sha256: str | None = None
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
            }
        )

    def path(self, ref: FileRef | str, models_dir: Path | None = None) -> Path:
        relative = ref.file if isinstance(ref, FileRef) else ref
        return (models_dir or default_models_dir()) / relative


def _manifest_path(models_dir: Path | None) -> Path:
    return (models_dir or default_models_dir()) / MANIFEST_NAME


def load_manifest(models_dir: Path | None = None) -> dict[str, Any]:
    path = _manifest_path(models_dir)
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


def _relative(path: str | Path, models_dir: Path) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        # Relative paths mean "inside models/", unless they only exist relative to the working directory.
        in_models = models_dir / candidate
        candidate = candidate.absolute() if candidate.exists() and not in_models.exists() else in_models
    # abspath, not resolve(): a symlink inside models/ (e.g. to a shared volume) is a legitimate entry.
    try:
        return Path(os.path.abspath(candidate)).relative_to(os.path.abspath(models_dir)).as_posix()
    except ValueError:
        raise ValueError(f"{path} is outside the models directory {models_dir}; export into it") from None


def _file_ref(path: str | Path, models_dir: Path) -> FileRef:
    relative = _relative(path, models_dir)
    full = models_dir / relative
    if not full.is_file():
        raise FileNotFoundError(f"registry file not found: {full}")
    return FileRef(relative, sha256_of(full), full.stat().st_size)


@contextmanager
def _locked(models_dir: Path) -> Iterator[None]:
    # Training runs and exports can finish concurrently; serialise read-modify-write of the manifest.
    models_dir.mkdir(parents=True, exist_ok=True)
    with (models_dir / ".manifest.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def register_model(
    name: str,
    base_file: str | Path,
    adapter_file: str | Path | None = None,
    merged_file: str | Path | None = None,
    *,
    quantized: dict[str, str | Path] | None = None,
    training_data_sha256: str | None = None,
    metrics: dict[str, Any] | None = None,
    prompt_version: str = PROMPT_VERSION,
    make_default: bool = False,
    notes: str = "",
    models_dir: Path | None = None,
) -> RegistryEntry:
    """Add or replace the entry ``name``; files must lie inside the models directory."""
    models_dir = Path(models_dir or default_models_dir())
    merged = _file_ref(merged_file, models_dir) if merged_file else None
    entry = RegistryEntry(
        name=name,
        base=_file_ref(base_file, models_dir),
        adapter=_file_ref(adapter_file, models_dir) if adapter_file else None,
        merged_file=merged.file if merged else None,
        merged_sha256=merged.sha256 if merged else None,
        quantized={k: _file_ref(v, models_dir) for k, v in (quantized or {}).items()},
        training_data_sha256=training_data_sha256,
        metrics=metrics or {},
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        prompt_version=prompt_version,
        notes=notes,
    )
    with _locked(models_dir):
        manifest = load_manifest(models_dir)
        manifest["version"] = MANIFEST_VERSION
        manifest["entries"] = [e for e in manifest["entries"] if e.get("name") != name] + [entry.to_dict()]
        if make_default:
            manifest["default"] = name
        path = _manifest_path(models_dir)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)  # atomic: a worker never reads a half-written manifest
    return entry


def set_default(name: str | None, models_dir: Path | None = None) -> None:
    models_dir = Path(models_dir or default_models_dir())
    with _locked(models_dir):
        manifest = load_manifest(models_dir)
        if name is not None and not any(e.get("name") == name for e in manifest["entries"]):
            raise KeyError(f"no registry entry named {name!r}")
        manifest["default"] = name
        path = _manifest_path(models_dir)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
