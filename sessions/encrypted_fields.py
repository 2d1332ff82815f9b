"""The encrypted model fields: djfernet-redux's, refusing database expressions.

djfernet-redux encrypts whatever reaches ``get_db_prep_save``; handed an expression (``bulk_update``'s
``Case``/``When``, an ``F()``) it would encrypt the expression's text and store that in place of the
value, destroying the row's clinical text. An encrypted column can only be computed in Python, so an
expression is refused with a TypeError: write such rows one by one (``.filter(pk=...).update(...)``
or ``save``), as sessions/field_encryption.py and the migrations do.
"""

from __future__ import annotations

from typing import Any

import fernet_fields


class _RefusesExpressions:
    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if hasattr(value, "resolve_expression") or hasattr(value, "as_sql"):
            raise TypeError(f"{self} is encrypted in Python: save it from a value, not a database expression "
                            "(bulk_update, F(), Case, Value); update the rows one by one instead.")
        return super().get_db_prep_save(value, connection)  # type: ignore[misc]


class EncryptedTextField(_RefusesExpressions, fernet_fields.EncryptedTextField):
    pass


class EncryptedJSONField(_RefusesExpressions, fernet_fields.EncryptedJSONField):
    pass
