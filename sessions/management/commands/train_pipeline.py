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
        "prepare_dataset -> train -> export_model -> register, in one go. --smoke runs every stage on a "
        "handful of rows and a few steps with an adapter-only export (a few minutes on CPU)."
    )

    def add_arguments(self, parser: Any) -> None:
        from training.cli import add_dataset_args, add_export_args, add_train_args

        add_dataset_args(parser)
        add_train_args(parser, with_data_paths=False)
        add_export_args(parser, with_adapter_dir=False)
        parser.add_argument("--no-register", action="store_true", help="Do not touch models/manifest.json.")
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="Handful of rows, few steps, adapter-only export; "
            "not registered unless --register is given.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from training.cli import configure_logging

        configure_logging(options["verbosity"])
        from training.cli import (
            export_config,
            finetune_config,
            format_export,
            format_prepare,
            format_train,
            name_of,
        )
        from training.converters import ConversionError
        from training.dataset import DatasetConfig, MissingColumnsError
        from training.pipeline import SMOKE_ROWS, run_pipeline
        from training.resources import InsufficientDiskSpaceError, TrainingOOMError

        paths = project_paths()
        smoke = options["smoke"]
        splits = Path(options["splits_dir"] or paths.splits_dir(smoke))
        dataset = DatasetConfig(
            seed=options["seed"],
            val_fraction=options["val_fraction"],
            test_fraction=options["test_fraction"],
            train_fraction=1.0 - options["val_fraction"] - options["test_fraction"],
            near_duplicate_threshold=options["near_dup_threshold"],
            limit=options["limit"] or (SMOKE_ROWS if smoke else None),
        )
        register = options["register"] if smoke else not options["no_register"]
        finetune = finetune_config(options, paths, splits / "train.csv", splits / "val.csv")
        try:
            result = run_pipeline(
                options["input"] or [paths.corpus_glob],
                splits,
                finetune,
                export_config(options, paths, finetune.output_dir / "adapter"),
                dataset=dataset,
                name=name_of(options),
                register=register,
                make_default=options["default"],
                models_dir=paths.models_dir,
            )
        except (
            FileNotFoundError,
            MissingColumnsError,
            TrainingOOMError,
            InsufficientDiskSpaceError,
            ConversionError,
            ValueError,
            RuntimeError,
        ) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_prepare(result.prepare))
        self.stdout.write(format_train(result.train))
        self.stdout.write(format_export(result.export))
        if result.entry:
            self.stdout.write(f"registered {result.entry.name} in {paths.models_dir / 'manifest.json'}")
        self.stdout.write(f"pipeline took {result.seconds:.1f} s")
