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
        "Convert a trained peft adapter to a GGUF LoRA for llama.cpp (optionally a merged f16 GGUF and "
        "Q4_K_M/Q5_K_M quantizations), verify each in llama-cpp-python, optionally register it."
    )

    def add_arguments(self, parser: Any) -> None:
        from training.cli import add_export_args

        add_export_args(parser)
        parser.add_argument(
            "--base", default=None, help="Base .gguf the adapter was trained on. Default: bundled"
        )
        parser.add_argument(
            "--name", default=None, help="Model name. Default: smollm2-notes (smoke with --smoke)"
        )
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument(
            "--smoke", action="store_true", help="Adapter-only export of training_runs/smoke."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from training.cli import configure_logging

        configure_logging(options["verbosity"])
        from training.cli import export_config, format_export, name_of
        from training.converters import ConversionError
        from training.export import ModelExporter
        from training.finetune import read_training_info
        from training.pipeline import register_export
        from training.resources import InsufficientDiskSpaceError

        paths = project_paths()
        config = export_config(options, paths)
        if not (config.adapter_dir / "adapter_config.json").is_file():
            raise CommandError(f"no peft adapter in {config.adapter_dir}; run `manage.py train` first")
        try:
            result = ModelExporter(config).export()
        except (ConversionError, InsufficientDiskSpaceError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_export(result))
        if not result.all_verified:
            raise CommandError("an exported artifact failed to load or generate in llama-cpp-python")
        if options["register"]:
            info = read_training_info(config.adapter_dir).get("result", {})
            entry = register_export(
                name_of(options),
                result,
                config.base_model,
                data_sha256=info.get("data_sha256"),
                make_default=options["default"],
                models_dir=paths.models_dir,
            )
            self.stdout.write(
                f"registered {entry.name} in {paths.models_dir / 'manifest.json'}"
                f"{' (default)' if options['default'] else ''}"
            )
