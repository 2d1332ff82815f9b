from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def project_paths() -> Any:
    from training.cli import ProjectPaths

    base_dir = Path(settings.BASE_DIR)
    return ProjectPaths(base_dir, Path(getattr(settings, "MODELS_DIR", base_dir / "models")))


class Command(BaseCommand):
    help = (
        "Load the corpus CSVs (session_transcription,session_summary), validate rows, and write a seeded "
        "80/10/10 train/val/test split without near-duplicates crossing splits, plus split_manifest.json."
    )

    def add_arguments(self, parser: Any) -> None:
        from training.cli import add_dataset_args

        add_dataset_args(parser)
        parser.add_argument(
            "--smoke", action="store_true", help="Only a handful of rows, written to data/splits/smoke."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from training.cli import configure_logging

        configure_logging(options["verbosity"])
        from training.cli import format_prepare
        from training.dataset import DatasetConfig, MissingColumnsError
        from training.pipeline import SMOKE_ROWS, prepare_dataset

        paths = project_paths()
        limit = options["limit"] or (SMOKE_ROWS if options["smoke"] else None)
        config = DatasetConfig(
            seed=options["seed"],
            val_fraction=options["val_fraction"],
            test_fraction=options["test_fraction"],
            train_fraction=1.0 - options["val_fraction"] - options["test_fraction"],
            near_duplicate_threshold=options["near_dup_threshold"],
            limit=limit,
        )
        out = Path(options["splits_dir"] or paths.splits_dir(options["smoke"]))
        try:
            result = prepare_dataset(options["input"] or [paths.corpus_glob], out, config)
        except (FileNotFoundError, MissingColumnsError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_prepare(result))
