from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sessions import erasure
from sessions.models import Patient, PatientErasure


class Command(BaseCommand):
    help = ("Erase one patient's clinical text everywhere (sessions, their history, amendments, job results, webhook "
            "payloads) and record the erasure. Needs --reason, --actor and --confirm <the same patient id>. Sessions "
            "with signed notes under THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS are kept whole unless "
            "--override-retention gives a reason.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("patient_id", type=int)
        parser.add_argument("--reason", required=True, help="Why (recorded in the erasure record).")
        parser.add_argument("--confirm", type=int, required=True, help="The patient id again, as the confirmation.")
        parser.add_argument("--actor", required=True,
                            help="Username of the person carrying out the erasure (an existing user; recorded).")
        parser.add_argument("--override-retention", default="", metavar="REASON",
                            help="Erase signed notes still under the retention period too, for this reason.")

    def handle(self, *args: Any, **options: Any) -> None:
        patient_id = options["patient_id"]
        if options["confirm"] != patient_id:
            raise CommandError(f"--confirm must repeat the patient id ({patient_id}): nothing was erased.")
        if not options["reason"].strip():
            raise CommandError("--reason must not be blank: nothing was erased.")
        patient = Patient.objects.filter(pk=patient_id).first()
        if patient is None:
            raise CommandError(f"No patient {patient_id}.")
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"--actor {options['actor']!r} is not a user: nothing was erased.")
        try:
            record = erasure.erase_patient(patient, actor=actor, channel=PatientErasure.Channel.COMMAND,
                                           reason=options["reason"],
                                           retention_override_reason=options["override_retention"])
        except erasure.ErasureRefusedError as exc:
            raise CommandError(f"{exc} Nothing was erased.") from exc
        self.stdout.write(f"erasure {record.pk} of patient {patient_id} recorded; cleared: "
                          + json.dumps(record.counts, sort_keys=True))
        for item in record.retained_sessions:
            self.stdout.write(f"kept session {item['session']}: signed {item['signed_at']}, under retention until "
                              f"{item['retained_until']} (erase it too with --override-retention REASON)")
