"""What the training commands print: one function per result type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.export import ExportResult
from training.finetune import TrainResult
from training.pipeline import PrepareResult


def format_prepare(result: PrepareResult) -> str:
    report = result.report
    return (
        f"splits {result.manifest.counts} -> {result.manifest.path.parent} in {result.seconds:.1f} s\n"
        f"rows read {report.rows_read}, kept {report.rows_kept}, skipped {report.rows_skipped} "
        f"{report.skip_reasons() or ''}, exact duplicates dropped {report.duplicates_dropped}\n"
        f"encodings {json.dumps(report.encodings)}\ndata sha256 {result.manifest.data_sha256}"
    )


def format_train(result: TrainResult) -> str:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    return (
        f"trained {result.steps} steps on {result.train_rows} rows ({result.val_rows} val, "
        f"{result.rows_skipped} skipped, {result.truncated_rows} truncated) in {result.seconds:.1f} s on "
        f"{result.device}\ntrain loss {fmt(result.train_loss)}, val loss {fmt(result.val_loss)}, "
        f"val perplexity {fmt(result.val_perplexity)}\nadapter {result.adapter_dir}\n"
        f"metrics {result.metrics_path}"
        + (f"\nresumed from {result.resumed_from}" if result.resumed_from else "")
    )


def format_export(result: ExportResult) -> str:
    lines = [f"{a.kind:<11} {a.path} ({a.size_bytes / 1e6:.1f} MB) sha256 {a.sha256}" for a in result.artifacts]
    lines += [
        f"verified {Path(v.model_path).name}{' + ' + Path(v.lora_path).name if v.lora_path else ''}: "
        f"{'ok' if v.ok else 'FAILED ' + str(v.error)} ({v.seconds:.1f} s) {v.output[:100]!r}"
        for v in result.verifications
    ]
    lines.append(f"export took {result.seconds:.1f} s")
    return "\n".join(lines)


def model_line(r: Any) -> str:
    """One line of a ModelReport's quality and speed figures."""
    return (f"{r.name:<16} ROUGE-L {r.rougeL:.3f} (raw {r.rougeL_raw:.3f}) ROUGE-1 {r.rouge1:.3f} "
            f"BLEU {r.bleu:.3f} sections {r.section_completeness:.0%} words-ok {r.word_compliance:.0%} "
            f"fallback {r.fallback_rate:.0%} p50 {r.p50_seconds:.2f}s {r.tokens_per_second:.1f} tok/s "
            f"target(0.40) {'met' if r.meets_rouge_l_target else 'not met'}")


def faithfulness_line(r: Any) -> str:
    """One line of a ModelReport's faithfulness figures, under its ROUGE line."""
    recall = "n/a" if r.fact_recall is None else f"{r.fact_recall:.0%}"
    contradictions = "n/a" if r.contradiction_rate is None else f"{r.contradiction_rate:.0%}"
    return (f"{'':<16} faithfulness: unsupported numbers {r.unsupported_numbers_total} "
            f"({r.notes_with_unsupported_number}/{r.n} notes) content {r.unsupported_content_rate:.1%} "
            f"non-words {r.nonwords_total} ({r.notes_with_nonword} notes) entities {r.unsupported_entities_total} "
            f"risk asserted-unsupported {r.risk_asserted_unsupported} denied-current {r.risk_denied_current} "
            f"facts recall {recall} contradictions {contradictions} ({r.fact_sessions} sessions)")
