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
        "LoRA fine-tune the note model (default: the bundled SmolLM2 GGUF) on data/splits/train.csv with "
        "val loss, checkpoints every --save-steps and automatic resume; writes training_runs/<name>/adapter."
    )

    def add_arguments(self, parser: Any) -> None:
        from training.cli import add_train_args

        add_train_args(parser)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="A handful of rows from data/splits/smoke, a few steps (minutes on CPU).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from training.cli import configure_logging

        configure_logging(options["verbosity"])
        from training.cli import finetune_config, format_train
        from training.finetune import FineTuner
        from training.resources import InsufficientDiskSpaceError, TrainingOOMError

        config = finetune_config(options, project_paths())
        if not config.train_csv.is_file():
            raise CommandError(
                f"{config.train_csv} not found; run `manage.py prepare_dataset"
                f"{' --smoke' if options['smoke'] else ''}` first"
            )
        try:
            result = FineTuner(config).train()
        except (TrainingOOMError, InsufficientDiskSpaceError, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_train(result))
