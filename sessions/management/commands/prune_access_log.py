from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from sessions import access_log, selectors


class Command(BaseCommand):
    help = ("Delete access log entries older than THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS (the only way an entry "
            "leaves the read audit). Run it daily, e.g. from cron.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS
        if options["dry_run"]:
            count = selectors.expired_access_events(days).count()
            self.stdout.write(f"{count} access log entries older than {days} days would be deleted")
            return
        self.stdout.write(f"deleted {access_log.prune(days)} access log entries older than {days} days")
