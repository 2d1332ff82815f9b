from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_save, pre_save

FIELD_KEY_SETTINGS = ("FERNET_KEYS", "FERNET_USE_HKDF")


def _field_keys_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in FIELD_KEY_SETTINGS:
        from sessions.field_encryption import reset_key_cache

        reset_key_cache()


class TherapySessionsConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "therapy_sessions"
    verbose_name = "Therapy sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from sessions import checks  # noqa: F401 - registers the deployment checks
        from sessions.auth import flag_password_change, revoke_tokens_after_password_change

        # A password change revokes the user's API tokens, whatever changed it (admin, changepassword, code).
        user_model = get_user_model()
        pre_save.connect(flag_password_change, sender=user_model, dispatch_uid="tn-flag-password-change")
        post_save.connect(revoke_tokens_after_password_change, sender=user_model,
                          dispatch_uid="tn-revoke-tokens-on-password-change")
        # The encrypted fields cache their keys: a changed FERNET_KEYS (override_settings) must reach them.
        setting_changed.connect(_field_keys_changed, dispatch_uid="tn-field-keys-changed")
