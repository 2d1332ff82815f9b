"""Issue an expiring API token for a user (ops/scripts; clinicians use POST /api/auth/token)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.auth import issue_api_token


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (expires after THERAPY_NOTES_TOKEN_TTL_HOURS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true",
                            help="Create the user if it does not exist, without a password: a token-only account "
                                 "(an integration) that cannot sign in to the admin, the review screen or "
                                 "/api/auth/token.")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        user = users.filter(username=options["username"]).first()
        if user is None and options["create"]:
            # create_user without a password stores an unusable one, so the account is token-only by record
            # (the admin says "No password set"), not merely by an empty hash that matches nothing.
            user = users.create_user(username=options["username"])
        if user is None:
            raise CommandError(f"No user {options['username']!r} (use --create to make one).")
        key, expiry = issue_api_token(user)
        self.stderr.write(f"expires: {expiry.isoformat() if expiry else 'never'}")
        self.stdout.write(key)
