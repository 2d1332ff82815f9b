from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.demo import create_demo_fixture, submit_and_poll


class Command(BaseCommand):
    help = "Create a demo clinician/patient/session and generate its note through the HTTP API and a worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--transcript", default=str(Path(settings.BASE_DIR) / "data" / "samples" / "demo_session.txt")
        )
        parser.add_argument("--timeout", type=float, default=300.0)

    def handle(self, *args: Any, **options: Any) -> None:
        transcript = Path(options["transcript"])
        if not transcript.is_file():
            raise CommandError(f"Transcript file not found: {transcript}")
        fixture = create_demo_fixture(transcript.read_text(encoding="utf-8"))
        job = submit_and_poll(options["base_url"].rstrip("/"), fixture, options["timeout"])
        if job["status"] != "succeeded":
            raise CommandError(f"Job ended {job['status']}: {job.get('error_message')}")
        self.stdout.write("\n=== Generated note ===\n" + job["result"]["generated_notes"] + "\n")
        text = transcript.read_text(encoding="utf-8")
        self.stdout.write("=== Evidence (each statement and the transcript words it rests on) ===\n")
        for item in job["result"].get("evidence", []):
            quoted = " | ".join(text[start:end] for start, end in item["spans"]) or "-"
            verdict = f"support {item['support']:.2f}" if item["supported"] else f"REMOVED ({item['reason']})"
            self.stdout.write(f"[{item['section']}] {item['text']}  <- {verdict}: {quoted}\n")
        self.stdout.write("=== Job record ===\n" + json.dumps(job, indent=2, default=str))
