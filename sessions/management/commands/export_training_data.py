from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.selectors import signed_notes_for_training
from summarizer.corpus import SUMMARY_COLUMN, TRANSCRIPT_COLUMN


class Command(BaseCommand):
    help = ("Write the signed notes of clinicians who opted in (group THERAPY_NOTES_TRAINING_OPT_IN_GROUP) and "
            "their transcripts as a corpus CSV that `python -m training prepare --input` reads. Off unless "
            "THERAPY_NOTES_TRAINING_EXPORT=1. The file holds clinical text: keep it on this machine.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="CSV to write (e.g. data/corpus/part_practice.csv).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.THERAPY_NOTES_TRAINING_EXPORT:
            group = settings.THERAPY_NOTES_TRAINING_OPT_IN_GROUP
            raise CommandError("Training export is off: set THERAPY_NOTES_TRAINING_EXPORT=1 (and add the "
                               f"clinicians who opted in to the group {group!r}).")
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_suffix(output.suffix + ".partial")
        count = 0
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([TRANSCRIPT_COLUMN, SUMMARY_COLUMN])
            for session in signed_notes_for_training():
                writer.writerow([session.original_transcription, session.notes])
                count += 1
        partial.replace(output)  # a half-written corpus never has the real name
        self.stdout.write(f"wrote {count} signed note(s) to {output}")
