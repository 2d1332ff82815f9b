from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sessions import field_encryption


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted column (transcripts, notes, their history, job results, webhook payloads, "
            "amendments, erasure reasons) with the first key of THERAPY_NOTES_FIELD_ENCRYPTION_KEYS. Rotation: put "
            "the new key first, keep the old ones after it, run this, then remove the old keys.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = field_encryption.rotate_all()
        except field_encryption.RowNotDecryptableError as exc:
            raise CommandError(str(exc)) from exc
        for count in counts:
            self.stdout.write(f"{count.table}: {count.rows} row(s) re-encrypted")
        self.stdout.write(f"done: {sum(c.rows for c in counts)} row(s) in {len(counts)} table(s) now use the first key")
