"""Encrypt the clinical text at rest (issue 17): transcripts, notes, risk evidence, amendments, job results
and error messages, webhook payloads, in the main tables and the session history table.

The database cannot encrypt, and a plaintext column cannot be altered into an encrypted one in place,
so each column is renamed to <name>_plaintext, an encrypted column takes its name, every row is copied
through the ORM (which encrypts with the first key of THERAPY_NOTES_FIELD_ENCRYPTION_KEYS), and the
plaintext column is dropped. Reversible: backwards, the values are decrypted into plaintext columns.

The history's change reason of an amendment used to quote the amendment's reason ("Notes amended: ...")
in a plaintext column; it becomes "Notes amended" (the reason stays, encrypted, on the amendment).
"""

from itertools import groupby

import sessions.encrypted_fields
from django.db import migrations, models

APP = "therapy_sessions"
PLAIN = "_plaintext"
BATCH = 500


def text(**options):
    return sessions.encrypted_fields.EncryptedTextField(**options)


def json(**options):
    return sessions.encrypted_fields.EncryptedJSONField(**options)


# (model, field, encrypted field, keep its default (False: the default only fills the existing rows),
#  the plaintext field made nullable before the copy, so that backwards it can be added back to a
#  populated table before the values are decrypted into it)
FIELDS = [
    ("session", "original_transcription", text(blank=True, default=""), True, models.TextField(null=True)),
    ("session", "notes", text(blank=True, default=""), True, models.TextField(null=True)),
    ("session", "risk_flags", json(blank=True, default=list), True, models.JSONField(null=True)),
    ("historicalsession", "original_transcription", text(blank=True, default=""), True,
     models.TextField(null=True)),
    ("historicalsession", "notes", text(blank=True, default=""), True, models.TextField(null=True)),
    ("historicalsession", "risk_flags", json(blank=True, default=list), True, models.JSONField(null=True)),
    ("noteamendment", "reason", text(default=""), False, models.TextField(null=True)),
    ("noteamendment", "previous_notes", text(default=""), False, models.TextField(null=True)),
    ("noteamendment", "notes", text(default=""), False, models.TextField(null=True)),
    ("notejob", "result", json(blank=True, null=True), True, models.JSONField(null=True)),
    ("notejob", "error_message", text(blank=True, default=""), True, models.TextField(null=True)),
    ("webhookdelivery", "payload", json(default=dict), False, models.JSONField(null=True)),
]


def _copy(apps, *, to_encrypted):
    for model_name, entries in groupby(FIELDS, key=lambda entry: entry[0]):
        model = apps.get_model(APP, model_name)
        names = [entry[1] for entry in entries]
        sources = [name + PLAIN if to_encrypted else name for name in names]
        targets = [name if to_encrypted else name + PLAIN for name in names]
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            rows = list(model._base_manager.filter(pk__in=pks[start:start + BATCH]).only("pk", *sources))
            # One UPDATE per row: an encrypted value is computed in Python (no bulk_update's CASE).
            for row in rows:
                model._base_manager.filter(pk=row.pk).update(
                    **{target: getattr(row, source) for source, target in zip(sources, targets, strict=True)})


def encrypt(apps, schema_editor):
    _copy(apps, to_encrypted=True)
    history = apps.get_model(APP, "historicalsession")
    history._base_manager.filter(history_change_reason__startswith="Notes amended: ").update(
        history_change_reason="Notes amended")


def decrypt(apps, schema_editor):
    _copy(apps, to_encrypted=False)


class Migration(migrations.Migration):

    dependencies = [
        (APP, "0011_webhooks"),
    ]

    # Backwards runs in reverse order: the dropped plaintext columns come back nullable, the values are
    # decrypted into them, and only then are they made NOT NULL again.
    operations = [
        *[operation for model_name, name, field, keep_default, nullable in FIELDS for operation in (
            migrations.RenameField(model_name=model_name, old_name=name, new_name=name + PLAIN),
            migrations.AlterField(model_name=model_name, name=name + PLAIN, field=nullable),
            migrations.AddField(model_name=model_name, name=name, field=field, preserve_default=keep_default),
        )],
        migrations.RunPython(encrypt, decrypt),
        *[migrations.RemoveField(model_name=model_name, name=name + PLAIN) for model_name, name, *_ in FIELDS],
    ]
