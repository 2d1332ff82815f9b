"""Issue 17's security table in one place: every defect and design gap, and the tests that prove it is fixed.

The tests live next to the code they exercise; this index keeps the table whole. It fails when a listed test
is renamed or removed without the table being updated, so the table never claims a test that does not run.
"""

from __future__ import annotations

import importlib

import pytest

SECURITY_TABLE: dict[str, list[str]] = {
    "1 provenance is derived by the server, never asserted by the client": [
        "tests.api.test_security_table::test_1_client_cannot_forge_note_provenance"],
    "2 the admin is scoped to the staff clinician's own records": [
        "tests.api.test_security_table::test_2_admin_shows_a_staff_clinician_only_their_own_records"],
    "3 login throttle: not keyed on X-Forwarded-For, per username, shared by every web process": [
        "tests.api.test_security_table::test_3_login_throttle_is_not_keyed_on_x_forwarded_for",
        "tests.api.test_security_table::test_3_login_throttle_counts_per_username_across_addresses",
        "tests.api.test_auth::test_with_a_cache_url_the_login_throttle_counts_in_redis_where_every_web_process_sees_it"],
    "4 an Idempotency-Key is bound to its request": [
        "tests.api.test_security_table::test_4_idempotency_key_is_bound_to_its_request"],
    "5 no 500s: deep nesting, SQLite contention, the duplicate-number race": [
        "tests.api.test_security_table::test_5a_deeply_nested_json_is_a_400_not_a_500",
        "tests.api.test_security_table::test_5b_sqlite_write_contention_is_a_503_with_retry_after_not_a_500",
        "tests.api.test_security_table::test_5c_duplicate_session_number_race_is_a_400_with_the_field_message"],
    "6 tokens end with a password change; filters are no existence oracle": [
        "tests.api.test_security_table::test_6a_changing_the_password_revokes_every_api_token",
        "tests.api.test_security_table::test_6b_filters_do_not_reveal_whether_another_clinicians_record_exists"],
    "7 schema and docs need auth, health hides internals, CSP, short admin sessions": [
        "tests.api.test_security_table::test_7a_schema_and_docs_require_authentication",
        "tests.api.test_security_table::test_7b_health_shows_no_model_path_host_or_pid_to_anonymous_callers",
        "tests.api.test_security_table::test_7c_every_response_carries_a_content_security_policy",
        "tests.api.test_security_table::test_7d_admin_sessions_are_short_and_end_with_the_browser"],
    "8 a dead worker's job is reclaimed by heartbeat, not the visibility timeout": [
        "tests.workers.test_reconciler::test_a_running_job_whose_worker_heartbeat_is_gone_is_sent_again_and_runs_once",
        "tests.workers.test_reconciler::test_a_whole_worker_killed_mid_job_has_its_job_reclaimed_within_a_minute",
        "tests.workers.test_reconciler::test_a_claimant_presumed_dead_writes_nothing_once_its_job_was_taken_back"],
    "9 read audit: append-only, auditors only, with a retention": [
        "tests.api.test_access_log::test_a_clinicians_reads_through_the_api_are_each_recorded",
        "tests.api.test_access_log::test_admin_and_review_screen_reads_are_recorded",
        "tests.api.test_access_log::test_clinicians_cannot_read_the_log_and_auditors_list_filter_and_export_it",
        "tests.api.test_access_log::test_nobody_changes_or_deletes_an_entry_through_the_api_the_admin_or_the_model",
        "tests.api.test_access_log::test_prune_removes_only_the_entries_past_the_retention"],
    "10 encryption at rest: main, history and job tables; key rotation; existing rows migrated": [
        "tests.privacy.test_encryption_at_rest::test_no_table_holds_the_clinical_text_while_the_app_reads_it",
        "tests.privacy.test_encryption_at_rest::test_rotation_reencrypts_every_row_so_the_old_key_can_be_removed",
        "tests.privacy.test_encryption_at_rest::test_production_without_a_key_refuses_and_never_makes_one",
        "tests.privacy.test_encryption_migration::test_existing_plaintext_rows_are_encrypted_and_read_back_the_same"],
    "11 right of access and erasure, with a recorded reason and signed-note retention": [
        "tests.privacy.test_access_and_erasure::test_the_export_holds_everything_about_the_patient_and_nothing_else",
        "tests.privacy.test_access_and_erasure::test_erasure_removes_the_clinical_text_from_every_table_and_leaves_a_record",
        "tests.privacy.test_access_and_erasure::test_erasure_needs_a_reason_and_the_patient_id_as_confirmation",
        "tests.privacy.test_access_and_erasure::test_signed_notes_under_retention_are_kept_unless_overridden_with_a_reason"],
}


@pytest.mark.parametrize("row", sorted(SECURITY_TABLE))
def test_every_row_of_the_security_table_names_tests_that_exist(row: str) -> None:
    for node in SECURITY_TABLE[row]:
        module_name, _, function_name = node.partition("::")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, function_name, None)), f"{row}: {node} does not exist"
