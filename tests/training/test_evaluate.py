"""ModelEvaluator end to end on the real bundled GGUF: two rows, one model, full report directory."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.conf import settings

from training.evaluate import EvalConfig, ModelEvaluator, ModelSpec, strip_for_scoring

REFERENCE = ("**Chief Complaint:** Low mood after job loss. **Emotional State:** Flat, tearful. "
             "**Risk:** {{RED:Passive suicidal ideation}}, no plan. **Intervention:** Validation, safety plan. "
             "**Plan:** Weekly sessions, activity scheduling.")


def test_strip_for_scoring_removes_headers_and_markup() -> None:
    stripped = strip_for_scoring(REFERENCE)
    assert "**" not in stripped and "{{RED:" not in stripped and "Chief Complaint" not in stripped
    assert "Passive suicidal ideation" in stripped


def test_evaluator_writes_report_plots_and_examples(tmp_path: Path) -> None:
    test_csv = tmp_path / "test.csv"
    with test_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["session_transcription", "session_summary"])
        writer.writerow(["Therapist: How was the week?\nPatient: I lost my job. Sometimes I wish I wouldn't wake up.",
                         REFERENCE])
        writer.writerow(["T: Any thoughts of hurting yourself?\nC: No, never. Just stressed about exams.",
                         REFERENCE.replace("{{RED:Passive suicidal ideation}}, no plan", "Denies SI")])
    out = tmp_path / "report"
    config = EvalConfig(test_csv=test_csv, output_dir=out, n_threads=2,
                        models=(ModelSpec("base", str(settings.THERAPY_NOTES_MODEL_PATH)),))
    [report] = ModelEvaluator(config).run()
    assert report.n == 2 and len(report.notes) == 2
    assert 0.0 <= report.rougeL <= 1.0 and report.section_completeness == 1.0
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["models"][0]["name"] == "base" and saved["n"] == 2
    assert "rougeL" in (out / "report.md").read_text(encoding="utf-8")
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) >= 3, pngs
