"""Encryption at rest of the clinical text: which columns are encrypted, and re-encrypting them all with
the first key (key rotation).

The fields are djfernet-redux's (sessions/models.py); their keys are settings.FERNET_KEYS, built from
THERAPY_NOTES_FIELD_ENCRYPTION_KEYS (therapy_notes/field_keys.py). Every model is covered, the
django-simple-history tables included: their fields are copies of the tracked model's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from fernet_fields import DecryptionError, EncryptedField

ROTATION_BATCH = 500
# The cached_property names djfernet-redux keeps the keys under, on each field instance.
_KEY_CACHES = ("keys", "fernet_keys", "fernet")


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[EncryptedField]]]:
    """Each model of the project with encrypted columns, and those fields (history models included)."""
    for model in apps.get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedField)]
        if fields:
            yield model, fields


def reset_key_cache(**_: Any) -> None:
    """Forget the keys each field cached, so that a changed FERNET_KEYS (tests' override_settings, the
    setting_changed signal) takes effect; a process started with new keys never needs it."""
    for _model, fields in encrypted_fields():
        for field in fields:
            for name in _KEY_CACHES:
                field.__dict__.pop(name, None)


class RowNotDecryptableError(Exception):
    """A stored value does not decrypt with any configured key (an old key was dropped too soon)."""


@dataclass(frozen=True)
class RotationCount:
    table: str
    rows: int


def _rotate_model(model: type[models.Model], fields: list[EncryptedField]) -> int:
    names = [field.name for field in fields]
    manager = model._base_manager
    pks = list(manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), ROTATION_BATCH):
        batch_pks = pks[start:start + ROTATION_BATCH]
        # Each batch in its own transaction, with its rows locked: a write in between (a job's note)
        # is not overwritten by an older value, and a long table does not hold one huge transaction.
        with transaction.atomic():
            try:
                rows = list(manager.select_for_update().filter(pk__in=batch_pks).only("pk", *names))
            except DecryptionError as exc:
                raise RowNotDecryptableError(
                    f"{model._meta.db_table}: a row in ids {batch_pks[0]}..{batch_pks[-1]} does not decrypt with "
                    "any of THERAPY_NOTES_FIELD_ENCRYPTION_KEYS; put back the key it was written with "
                    "(second or later in the list) and run the rotation again.") from exc
            # Writing a value through the ORM encrypts it with the first key (MultiFernet encrypts with
            # keys[0]). One UPDATE per row: bulk_update's CASE expression cannot be encrypted
            # (sessions/encrypted_fields.py), and a queryset update sends no signal (no history row).
            for row in rows:
                manager.filter(pk=row.pk).update(**{name: getattr(row, name) for name in names})
    return len(pks)


def rotate_all() -> list[RotationCount]:
    """Re-encrypt every encrypted column of every row with the first key. Afterwards the other keys can
    be removed. Safe to repeat, and to run while the service is up."""
    return [RotationCount(model._meta.db_table, _rotate_model(model, fields)) for model, fields in encrypted_fields()]
