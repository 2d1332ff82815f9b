"""Upstream llama.cpp converter scripts, obtained at run time from the llama-cpp-python sdist.

The scripts are not copied into this repository: they are fetched with pip from the package
registry for the same llama-cpp-python version that serves the model (so the GGUF they write is
one that runtime reads) and cached. Quantization uses llama.cpp itself via the low-level binding.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from summarizer.model_files import sha256_of
from summarizer.model_merge import LLAMA_QUANT_TYPES as QUANT_TYPES
from summarizer.model_merge import MergeError, llama_quantize
from training.base_model import cache_root

logger = logging.getLogger(__name__)

DEFAULT_LLAMA_CPP_PYTHON = "0.3.36"
_WANTED = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/", "gguf-py/")
class ConversionError(RuntimeError):
    """A converter script or the quantizer failed."""


def installed_llama_cpp_version() -> str:
    try:
        import llama_cpp

        return str(llama_cpp.__version__)
    except ImportError:
        return DEFAULT_LLAMA_CPP_PYTHON


def _download_sdist(version: str, workdir: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "-d",
        str(workdir),
        f"llama-cpp-python=={version}",
    ]
    logger.info("fetching llama-cpp-python %s sdist for the converter scripts", version)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    archives = sorted(workdir.glob("llama_cpp_python-*.tar.gz"))
    if done.returncode != 0 or not archives:
        raise ConversionError(f"pip download llama-cpp-python=={version} failed:\n{done.stderr[-2000:]}")
    return archives[0]


def ensure_llama_cpp_scripts(version: str | None = None, cache_dir: Path | None = None) -> Path:
    """Directory holding convert_hf_to_gguf.py, convert_lora_to_gguf.py, conversion/ and gguf-py/."""
    version = version or installed_llama_cpp_version()
    dest = (cache_dir or cache_root() / "llama.cpp-src") / version
    marker = dest / "source.json"
    if marker.is_file() and (dest / "convert_lora_to_gguf.py").is_file():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="llama-sdist-") as tmp:
        archive = _download_sdist(version, Path(tmp))
        prefix = f"{archive.name.removesuffix('.tar.gz')}/vendor/llama.cpp/"
        with tarfile.open(archive) as tar:
            members = []
            for member in tar.getmembers():
                if member.name.startswith(prefix) and member.name[len(prefix) :].startswith(_WANTED):
                    member.name = member.name[len(prefix) :]
                    members.append(member)
            if not any(m.name == "convert_lora_to_gguf.py" for m in members):
                raise ConversionError(f"{archive.name} has no vendor/llama.cpp converter scripts")
            tar.extractall(dest, members=members, filter="data")  # "data": no links/devices outside dest
        marker.write_text(
            json.dumps(
                {
                    "package": f"llama-cpp-python=={version}",
                    "sdist": archive.name,
                    "sha256": sha256_of(archive),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    logger.info("converter scripts ready in %s", dest)
    return dest


def run_script(scripts: Path, script: str, args: list[str]) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(scripts / "gguf-py"), str(scripts)]),
        "HF_HUB_OFFLINE": "1",
        "NO_LOCAL_GGUF": "",
    }
    command = [sys.executable, str(scripts / script), *args]
    logger.info("running %s", " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise ConversionError(
            f"{script} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}"
        )
    return done.stdout + done.stderr


def convert_lora(
    scripts: Path, adapter_dir: Path, hf_config_dir: Path, outfile: Path, outtype: str = "f16"
) -> Path:
    run_script(
        scripts,
        "convert_lora_to_gguf.py",
        ["--base", str(hf_config_dir), "--outtype", outtype, "--outfile", str(outfile), str(adapter_dir)],
    )
    return outfile


def convert_hf(scripts: Path, hf_dir: Path, outfile: Path, outtype: str = "f16") -> Path:
    run_script(
        scripts, "convert_hf_to_gguf.py", [str(hf_dir), "--outtype", outtype, "--outfile", str(outfile)]
    )
    return outfile


def quantize(source: Path, dest: Path, qtype: str, threads: int = 2) -> Path:
    """Quantize a GGUF with llama.cpp's own quantizer (the serving code's ``llama_quantize``)."""
    if qtype not in QUANT_TYPES:
        raise ValueError(f"unsupported quantization {qtype!r}; choose from {sorted(QUANT_TYPES)}")
    try:
        return llama_quantize(source, dest, qtype, threads)
    except MergeError as exc:
        raise ConversionError(str(exc)) from exc
