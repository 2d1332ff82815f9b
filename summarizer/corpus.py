"""The corpus CSV format: what training reads and what the app exports from signed notes."""

from __future__ import annotations

TRANSCRIPT_COLUMN = "session_transcription"
SUMMARY_COLUMN = "session_summary"
REQUIRED_COLUMNS: tuple[str, ...] = (TRANSCRIPT_COLUMN, SUMMARY_COLUMN)
