"""The training entry point: ``python -m training prepare|train|export|evaluate|pipeline``.

Out of the serving app on purpose: the web and worker image never imports torch. Plain argparse,
no Django: the project paths come from the repository and ``THERAPY_NOTES_MODELS_DIR``. Defaults
live in the config dataclasses and in ``training/presets.py``; an option left unset here is None
and takes the preset's value, then the dataclass's.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from summarizer.model_registry import default_models_dir, model_path_from_env, select_model
from training.cli_format import faithfulness_line, format_export, format_prepare, format_train, model_line
from training.dataset import DatasetConfig
from training.export import ExportConfig
from training.finetune import ADAPTER_DIRNAME, FineTuneConfig
from training.presets import DEFAULT_BASE_FILE, DEFAULT_CORPUS_GLOB, PRESETS, Preset

REPO = Path(__file__).resolve().parent.parent


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


@dataclass(frozen=True)
class ProjectPaths:
    base_dir: Path
    models_dir: Path

    @classmethod
    def from_env(cls) -> ProjectPaths:
        return cls(REPO, default_models_dir())

    @property
    def corpus_glob(self) -> str:
        return str(self.base_dir / DEFAULT_CORPUS_GLOB)

    def splits_dir(self, preset: Preset) -> Path:
        return self.base_dir / "data" / "splits" / preset.splits_subdir

    @property
    def base_model(self) -> Path:
        return self.models_dir / DEFAULT_BASE_FILE

    def run_dir(self, name: str) -> Path:
        # Checkpoints and the peft adapter: large and reproducible, kept out of git (training_runs/).
        return self.base_dir / "training_runs" / name

    def export_dir(self, name: str) -> Path:
        # The adapter GGUF is ~5 MB and is what a fresh machine needs: models/adapters/ is committable.
        return self.models_dir / "adapters" / name


def _default(config: type, name: str) -> Any:
    return {f.name: f.default for f in fields(config)}[name]


# Command-line option -> FineTuneConfig field, for the options that are plain values.
TRAIN_OPTIONS = {"epochs": "epochs", "lr": "learning_rate", "batch_size": "batch_size",
                 "grad_accum": "grad_accumulation", "max_seq_len": "max_seq_len", "save_steps": "save_steps",
                 "eval_steps": "eval_steps", "max_steps": "max_steps", "lora_r": "lora_r",
                 "lora_alpha": "lora_alpha", "lora_dropout": "lora_dropout", "threads": "threads", "seed": "seed"}
DATASET_OPTIONS = {"seed": "seed", "val_fraction": "val_fraction", "test_fraction": "test_fraction",
                   "limit": "limit", "near_dup_threshold": "near_duplicate_threshold"}


def add_preset_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default",
                        help="smoke: a handful of rows, a few steps, adapter-only export (minutes on CPU).")
    parser.add_argument("--smoke", dest="preset", action="store_const", const="smoke", help="Same as --preset smoke.")
    parser.add_argument("--name", default=None, help="Run/model name. Default: the preset's (smollm2-notes, smoke).")
    parser.add_argument("--base", default=None,
                        help=f"Base model: .gguf file or HF dir. Default: models/{DEFAULT_BASE_FILE}")
    parser.add_argument("-v", "--verbosity", type=int, choices=(0, 1, 2), default=1)


def add_dataset_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dataset")
    group.add_argument("--input", action="append", default=None,
                       help=f"Corpus CSV file or glob (repeatable). Default: {DEFAULT_CORPUS_GLOB}")
    group.add_argument("--splits-dir", default=None,
                       help="Where train/val/test.csv go. Default: data/splits (data/splits/smoke with --smoke)")
    for option, field_name in DATASET_OPTIONS.items():
        kind = int if option in ("seed", "limit") else float
        group.add_argument(f"--{option.replace('_', '-')}", type=kind, default=None,
                           help=f"Default: {_default(DatasetConfig, field_name)} (or the preset's)")


def add_train_args(parser: argparse.ArgumentParser, with_data_paths: bool = True) -> None:
    group = parser.add_argument_group("training")
    if with_data_paths:
        group.add_argument("--train-csv", default=None, help="Default: <splits>/train.csv")
        group.add_argument("--val-csv", default=None, help="Default: <splits>/val.csv")
    group.add_argument("--output", default=None, help="Run directory. Default: training_runs/<name>")
    for option, field_name in TRAIN_OPTIONS.items():
        if any(a.dest == option for a in parser._actions):
            continue  # --seed is shared with the dataset group
        kind = float if isinstance(_default(FineTuneConfig, field_name), float) else int
        group.add_argument(f"--{option.replace('_', '-')}", type=kind, default=None,
                           help=f"Default: {_default(FineTuneConfig, field_name)} (or the preset's)")
    group.add_argument("--gradient-checkpointing", action="store_true", help="Trade compute for memory.")
    group.add_argument("--no-resume", action="store_true", help="Ignore existing checkpoints.")


def add_export_args(parser: argparse.ArgumentParser, with_adapter_dir: bool = True) -> None:
    group = parser.add_argument_group("export")
    if with_adapter_dir:
        group.add_argument("--adapter-dir", default=None,
                           help="peft adapter dir. Default: training_runs/<name>/adapter")
    group.add_argument("--export-dir", default=None,
                       help="Where the adapter GGUF goes. Default: models/adapters/<name>")
    group.add_argument("--merged-dir", default=None,
                       help="Where merged/quantized GGUFs go. Default: models/ (git-ignored *.gguf)")
    group.add_argument("--merged", action="store_true", help="Also write a merged f16 GGUF and quantizations.")
    group.add_argument("--quantize", default=",".join(_default(ExportConfig, "quantize")),
                       help="Comma-separated (with --merged).")
    group.add_argument("--drop-f16", action="store_true", help="Delete the merged f16 GGUF after quantizing.")
    group.add_argument("--no-verify", action="store_true", help="Skip loading artifacts in llama-cpp-python.")
    group.add_argument("--register", action="store_true", help="Add the export to models/manifest.json.")
    group.add_argument("--default", action="store_true", help="Make the registered entry the default one.")


def preset_of(options: argparse.Namespace) -> Preset:
    return PRESETS[options.preset]


def name_of(options: argparse.Namespace) -> str:
    return options.name or preset_of(options).name


def _given(options: argparse.Namespace, table: dict[str, str]) -> dict[str, Any]:
    return {field_name: getattr(options, option) for option, field_name in table.items()
            if getattr(options, option, None) is not None}


def dataset_config(options: argparse.Namespace) -> DatasetConfig:
    given = _given(options, DATASET_OPTIONS)
    given.setdefault("limit", preset_of(options).row_limit)
    val = given.get("val_fraction", _default(DatasetConfig, "val_fraction"))
    test = given.get("test_fraction", _default(DatasetConfig, "test_fraction"))
    return DatasetConfig(**given, train_fraction=1.0 - val - test)


def finetune_config(options: argparse.Namespace, paths: ProjectPaths,
                    train_csv: Path | None = None, val_csv: Path | None = None) -> FineTuneConfig:
    preset = preset_of(options)
    splits = paths.splits_dir(preset)
    train_csv = train_csv or Path(getattr(options, "train_csv", None) or splits / "train.csv")
    val_csv = val_csv or Path(getattr(options, "val_csv", None) or splits / "val.csv")
    explicit = _given(options, TRAIN_OPTIONS)
    if options.gradient_checkpointing:
        explicit["gradient_checkpointing"] = True
    if options.no_resume:
        explicit["resume"] = False
    return FineTuneConfig(
        base_model=Path(options.base or paths.base_model),
        train_csv=train_csv,
        val_csv=val_csv if val_csv.is_file() else None,
        output_dir=Path(options.output or paths.run_dir(name_of(options))),
        **{**preset.finetune, **explicit},
    )


def export_config(options: argparse.Namespace, paths: ProjectPaths, adapter_dir: Path | None = None) -> ExportConfig:
    name = name_of(options)
    adapter = adapter_dir or Path(getattr(options, "adapter_dir", None) or paths.run_dir(name) / ADAPTER_DIRNAME)
    return ExportConfig(
        adapter_dir=adapter,
        base_model=Path(options.base or paths.base_model),
        output_dir=Path(options.export_dir or paths.export_dir(name)),
        name=name,
        merged=options.merged and preset_of(options).merged_export,
        quantize=tuple(q.strip() for q in options.quantize.split(",") if q.strip()),
        merged_dir=Path(options.merged_dir or paths.models_dir),
        keep_merged_f16=not options.drop_f16,
        verify=not options.no_verify,
        threads=options.threads or _default(ExportConfig, "threads"),
    )


def prepare(options: argparse.Namespace, paths: ProjectPaths) -> None:
    from training.dataset import MissingColumnsError
    from training.pipeline import prepare_dataset

    out = Path(options.splits_dir or paths.splits_dir(preset_of(options)))
    try:
        result = prepare_dataset(options.input or [paths.corpus_glob], out, dataset_config(options))
    except (FileNotFoundError, MissingColumnsError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    print(format_prepare(result))


def train(options: argparse.Namespace, paths: ProjectPaths) -> None:
    from training.finetune import FineTuner
    from training.resources import InsufficientDiskSpaceError, TrainingOOMError

    config = finetune_config(options, paths)
    if not config.train_csv.is_file():
        smoke = " --smoke" if options.preset == "smoke" else ""
        raise CommandError(f"{config.train_csv} not found; run `python -m training prepare{smoke}` first")
    try:
        result = FineTuner(config).train()
    except (TrainingOOMError, InsufficientDiskSpaceError, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    print(format_train(result))


def export(options: argparse.Namespace, paths: ProjectPaths) -> None:
    from training.converters import ConversionError
    from training.export import ModelExporter
    from training.finetune import read_training_info
    from training.pipeline import register_export
    from training.resources import InsufficientDiskSpaceError

    config = export_config(options, paths)
    if not (config.adapter_dir / "adapter_config.json").is_file():
        raise CommandError(f"no peft adapter in {config.adapter_dir}; run `python -m training train` first")
    try:
        result = ModelExporter(config).export()
    except (ConversionError, InsufficientDiskSpaceError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    print(format_export(result))
    if not result.all_verified:
        raise CommandError("an exported artifact failed to load or generate in llama-cpp-python")
    if options.register:
        info = read_training_info(config.adapter_dir).get("result", {})
        entry = register_export(name_of(options), result, config.base_model, data_sha256=info.get("data_sha256"),
                                make_default=options.default, models_dir=paths.models_dir)
        default = " (default)" if options.default else ""
        print(f"registered {entry.name} in {paths.models_dir / 'manifest.json'}{default}")


def pipeline(options: argparse.Namespace, paths: ProjectPaths) -> None:
    from training.converters import ConversionError
    from training.dataset import MissingColumnsError
    from training.pipeline import run_pipeline
    from training.resources import InsufficientDiskSpaceError, TrainingOOMError

    preset = preset_of(options)
    splits = Path(options.splits_dir or paths.splits_dir(preset))
    register = not options.no_register and (preset.registers or options.register)
    finetune = finetune_config(options, paths, splits / "train.csv", splits / "val.csv")
    try:
        result = run_pipeline(
            options.input or [paths.corpus_glob], splits, finetune,
            export_config(options, paths, finetune.output_dir / ADAPTER_DIRNAME),
            dataset=dataset_config(options), name=name_of(options), register=register,
            make_default=options.default, models_dir=paths.models_dir,
        )
    except (FileNotFoundError, MissingColumnsError, TrainingOOMError, InsufficientDiskSpaceError,
            ConversionError, ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    print(format_prepare(result.prepare))
    print(format_train(result.train))
    print(format_export(result.export))
    if result.entry:
        print(f"registered {result.entry.name} in {paths.models_dir / 'manifest.json'}")
    print(f"pipeline took {result.seconds:.1f} s")


_VARIANT_FLAGS = {"grammar": ("use_grammar", True), "nogrammar": ("use_grammar", False),
                  "retry": ("grammar_retry", True),
                  "grounded": ("ground_statements", True), "ungrounded": ("ground_statements", False),
                  "planevidence": ("plan_evidence", True), "noplanevidence": ("plan_evidence", False),
                  "denials": ("state_denials", True), "nodenials": ("state_denials", False),
                  "fa": ("flash_attn", True), "nofa": ("flash_attn", False)}


def parse_model(value: str, models_dir: Path) -> Any:
    """NAME=MODEL.gguf[+ADAPTER.gguf][@flag,flag]; relative paths are looked up in models/.

    Flags set one variant's generation for an ablation: grammar/nogrammar, retry (with nogrammar: the grammar
    only for a note that fails validation), grounded/ungrounded,
    planevidence/noplanevidence, denials/nodenials, fa/nofa (flash attention), q8kv (q8_0 KV cache, with fa)."""
    from training.evaluate import ModelSpec

    if "=" not in value:
        raise CommandError(f"--model must look like NAME=MODEL.gguf[+ADAPTER.gguf][@flags], got {value!r}")
    name, spec = value.split("=", 1)
    spec, _, flag_text = spec.partition("@")
    flags: dict[str, Any] = {}
    for flag in filter(None, flag_text.split(",")):
        if flag == "q8kv":  # a q8_0 KV cache, which needs flash attention
            flags.update(kv_cache_type="q8_0", flash_attn=True)
            continue
        if flag not in _VARIANT_FLAGS:
            raise CommandError(f"Unknown variant flag {flag!r}; valid: {', '.join(_VARIANT_FLAGS)}")
        field_name, setting = _VARIANT_FLAGS[flag]
        flags[field_name] = setting
    model, _, adapter = spec.partition("+")

    def resolve(path: str) -> str:
        candidate = Path(path)
        if not candidate.is_absolute() and not candidate.exists():
            candidate = models_dir / path
        if not candidate.is_file():
            raise CommandError(f"Model file not found: {path}")
        return str(candidate)

    return ModelSpec(name=name, model_path=resolve(model), lora_path=resolve(adapter) if adapter else None, **flags)


def evaluate(options: argparse.Namespace, paths: ProjectPaths) -> None:
    from training.evaluate import EvalConfig, ModelEvaluator, ModelSpec

    test_csv = Path(options.test_csv or paths.base_dir / "data" / "splits" / "test.csv")
    if not test_csv.is_file():
        raise CommandError(f"Test CSV not found: {test_csv}. Run `python -m training prepare` first.")
    specs = [parse_model(v, paths.models_dir) for v in options.model]
    if not specs:
        # What a worker would serve: the registry's default entry on the configured base.
        model_path, explicit = model_path_from_env(paths.models_dir)
        selection = select_model(paths.models_dir, model_path, explicit_model=explicit)
        specs = [ModelSpec("base", selection.model_path)]
        if selection.lora_path:
            specs.append(ModelSpec("base+adapter", selection.model_path, selection.lora_path))
    facts = Path(options.facts or paths.base_dir / "data" / "facts" / "facts.jsonl")
    if not facts.is_file():
        print(f"notice: fact set {facts} not found; fact recall and contradiction columns left empty")
    config = EvalConfig(test_csv=test_csv, models=tuple(specs),
                        output_dir=Path(options.output or paths.base_dir / "reports" / "evaluation"),
                        limit=options.limit, n_threads=options.threads or 2,
                        use_grammar=not options.no_grammar, facts_path=facts)
    run = ModelEvaluator(config).run_all()
    for r in run.models:
        print(model_line(r))
        print(faithfulness_line(r))
    for r in run.calibration:
        rouge = "—" if r.rougeL is None else f"{r.rougeL:.3f}"
        print(f"{r.name:<16} [calibration, no model] ROUGE-L {rouge} sections "
              f"{r.section_completeness:.0%} words-ok {r.word_compliance:.0%}")
        print(faithfulness_line(r))
    if run.facts_loaded:
        print(f"fact set: {facts} ({run.fact_entries} sessions)")
    print(f"report: {config.output_dir / 'report.md'}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace, ProjectPaths], None], text: str) -> Any:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(run=run)
        return sub

    sub = command("prepare", prepare, "Load the corpus CSVs (session_transcription,session_summary), validate rows, "
                  "and write a seeded 80/10/10 train/val/test split without near-duplicates crossing splits.")
    add_preset_args(sub)
    add_dataset_args(sub)
    sub = command("train", train, "LoRA fine-tune the note model on data/splits/train.csv with val loss, "
                  "checkpoints every --save-steps and automatic resume; writes training_runs/<name>/adapter.")
    add_preset_args(sub)
    add_train_args(sub)
    sub = command("export", export, "Convert a trained peft adapter to a GGUF LoRA (optionally a merged f16 GGUF "
                  "and quantizations), verify each in llama-cpp-python, optionally register it.")
    add_preset_args(sub)
    add_export_args(sub)
    sub.add_argument("--threads", type=int, default=None, help=f"Default: {_default(ExportConfig, 'threads')}")
    sub = command("pipeline", pipeline, "prepare -> train -> export -> register in one go; --smoke runs every "
                  "stage on a handful of rows with an adapter-only export (a few minutes on CPU).")
    add_preset_args(sub)
    add_dataset_args(sub)
    add_train_args(sub, with_data_paths=False)
    add_export_args(sub, with_adapter_dir=False)
    sub.add_argument("--no-register", action="store_true", help="Do not touch models/manifest.json.")
    sub = command("evaluate", evaluate, "Generate notes for a test CSV with one or more models through the "
                  "worker's summarizer code; write report.md/report.json/PNG plots.")
    sub.add_argument("--test-csv", default=None, help="Default: data/splits/test.csv")
    sub.add_argument("--model", action="append", default=[],
                     help="NAME=MODEL.gguf[+ADAPTER.gguf][@grammar|nogrammar,retry,grounded|ungrounded,planevidence|"
                          "noplanevidence,denials|nodenials,fa|nofa,q8kv]; repeat to "
                          "compare (an ablation). Default: base and base+adapter.")
    sub.add_argument("--output", default=None, help="Default: reports/evaluation")
    sub.add_argument("--limit", type=int, default=None, help="Evaluate only the first N rows.")
    sub.add_argument("--threads", type=int, default=None, help="Default: 2")
    sub.add_argument("--no-grammar", action="store_true", help="Disable the section grammar.")
    sub.add_argument("--facts", default=None, help="Key-fact set (JSONL, keyed by transcript sha256). Default: "
                     "data/facts/facts.jsonl; a missing file leaves the fact columns empty.")
    sub.add_argument("-v", "--verbosity", type=int, choices=(0, 1, 2), default=1)
    return parser


def configure_logging(verbosity: int) -> None:
    """Show the training library's log lines on the console."""
    logger = logging.getLogger("training")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG)


def main(argv: Sequence[str] | None = None, paths: ProjectPaths | None = None) -> int:
    options = build_parser().parse_args(argv)
    configure_logging(options.verbosity)
    try:
        options.run(options, paths or ProjectPaths.from_env())
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
