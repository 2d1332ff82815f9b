from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

_VARIANT_FLAGS = {"grammar": ("use_grammar", True), "nogrammar": ("use_grammar", False),
                  "grounded": ("ground_statements", True), "ungrounded": ("ground_statements", False)}


def parse_model(value: str, models_dir: Path) -> Any:
    """NAME=MODEL.gguf[+ADAPTER.gguf][@flag,flag]; relative paths are looked up in models/.

    Flags set one variant's generation for an ablation: grammar/nogrammar, grounded/ungrounded."""
    from training.evaluate import ModelSpec

    if "=" not in value:
        raise CommandError(f"--model must look like NAME=MODEL.gguf[+ADAPTER.gguf][@flags], got {value!r}")
    name, spec = value.split("=", 1)
    spec, _, flag_text = spec.partition("@")
    flags: dict[str, bool] = {}
    for flag in filter(None, flag_text.split(",")):
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


def faithfulness_line(r: Any) -> str:
    """One line of a ModelReport's faithfulness figures, under its ROUGE line."""
    recall = "n/a" if r.fact_recall is None else f"{r.fact_recall:.0%}"
    contradictions = "n/a" if r.contradiction_rate is None else f"{r.contradiction_rate:.0%}"
    return (f"{'':<16} faithfulness: unsupported numbers {r.unsupported_numbers_total} "
            f"({r.notes_with_unsupported_number}/{r.n} notes) content {r.unsupported_content_rate:.1%} "
            f"non-words {r.nonwords_total} ({r.notes_with_nonword} notes) entities {r.unsupported_entities_total} "
            f"risk asserted-unsupported {r.risk_asserted_unsupported} denied-current {r.risk_denied_current} "
            f"facts recall {recall} contradictions {contradictions} ({r.fact_sessions} sessions)")


class Command(BaseCommand):
    help = ("Generate notes for a test CSV (session_transcription,session_summary) with one or more models through "
            "the worker's summarizer code; write report.md/report.json/PNG plots.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--test-csv", default=str(Path(settings.BASE_DIR) / "data" / "splits" / "test.csv"))
        parser.add_argument("--model", action="append", default=[],
                            help="NAME=MODEL.gguf[+ADAPTER.gguf][@grammar|nogrammar,grounded|ungrounded]; repeat to "
                                 "compare (an ablation). Default: base and base+adapter.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "reports" / "evaluation"))
        parser.add_argument("--limit", type=int, default=None, help="Evaluate only the first N rows.")
        parser.add_argument("--threads", type=int, default=settings.THERAPY_NOTES_N_THREADS)
        parser.add_argument("--no-grammar", action="store_true", help="Disable the section grammar.")
        parser.add_argument("--facts", default=str(Path(settings.BASE_DIR) / "data" / "facts" / "facts.jsonl"),
                            help="Key-fact set (JSONL, keyed by transcript sha256) for fact recall and "
                                 "contradiction rate; a missing file leaves those columns empty.")

    def handle(self, *args: Any, **options: Any) -> None:
        from training.evaluate import EvalConfig, ModelEvaluator, ModelSpec
        from workers.model_selection import resolve_model_paths

        test_csv = Path(options["test_csv"])
        if not test_csv.is_file():
            raise CommandError(f"Test CSV not found: {test_csv}. Run `manage.py prepare_dataset` first.")
        models_dir = Path(settings.MODELS_DIR)
        specs = [parse_model(v, models_dir) for v in options["model"]]
        if not specs:
            base, adapter = resolve_model_paths()
            specs = [ModelSpec("base", base)]
            if adapter:
                specs.append(ModelSpec("base+adapter", base, adapter))
        facts = Path(options["facts"])
        if not facts.is_file():
            self.stdout.write(f"notice: fact set {facts} not found; fact recall and contradiction columns left empty")
        config = EvalConfig(test_csv=test_csv, models=tuple(specs), output_dir=Path(options["output"]),
                            limit=options["limit"], n_threads=options["threads"],
                            use_grammar=not options["no_grammar"], facts_path=facts)
        run = ModelEvaluator(config).run_all()
        for r in run.models:
            self.stdout.write(
                f"{r.name:<16} ROUGE-L {r.rougeL:.3f} (raw {r.rougeL_raw:.3f}) ROUGE-1 {r.rouge1:.3f} "
                f"BLEU {r.bleu:.3f} sections {r.section_completeness:.0%} words-ok {r.word_compliance:.0%} "
                f"fallback {r.fallback_rate:.0%} p50 {r.p50_seconds:.2f}s {r.tokens_per_second:.1f} tok/s "
                f"target(0.40) {'met' if r.meets_rouge_l_target else 'not met'}"
            )
            self.stdout.write(faithfulness_line(r))
        for r in run.calibration:
            rouge = "—" if r.rougeL is None else f"{r.rougeL:.3f}"
            self.stdout.write(f"{r.name:<16} [calibration, no model] ROUGE-L {rouge} sections "
                              f"{r.section_completeness:.0%} words-ok {r.word_compliance:.0%}")
            self.stdout.write(faithfulness_line(r))
        if run.facts_loaded:
            self.stdout.write(f"fact set: {facts} ({run.fact_entries} sessions)")
        self.stdout.write(f"report: {config.output_dir / 'report.md'}")
