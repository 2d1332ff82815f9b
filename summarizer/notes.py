"""Single-session notes and multi-session summaries: prompt → constrained generation →
repair/validation → risk reconciliation, with an extractive fallback.

The outcome always says what happened (model output, repaired, safety net, fallback)
so nothing is silently presented as model output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from summarizer.engine import GenerationTimeoutError, LlamaInferenceEngine
from summarizer.fallback import extractive_fallback_note, extractive_fallback_summary
from summarizer.grammar import section_grammar
from summarizer.grounding import SessionSource, ground_note, ground_summary, number_values
from summarizer.prompts import (
    SessionText,
    build_multi_session_messages,
    build_session_note_messages,
)
from summarizer.risk import (
    RiskFinding,
    RiskReconciliation,
    RiskScreening,
    detect_risks,
    reconcile_note_with_risks,
    screen_language,
    summarise_findings,
)
from summarizer.sections import MULTI_SESSION_SECTIONS, NOTE_HARD_MAX_WORDS, SESSION_NOTE_SECTIONS
from summarizer.text import (
    MIN_SPEECH_WORDS,
    escape_markup,
    normalise_whitespace,
    speech_word_count,
    strip_markup,
)
from summarizer.validation import parse_note, render_note, repair_note, trim_sections, validate_note

logger = logging.getLogger("summarizer.inference")

TRUNCATION_MARKER = "\n[... transcript middle omitted to fit the model's context ...]\n"
# Room left for chat-template tokens and rounding between our count and llama.cpp's.
_CONTEXT_MARGIN_TOKENS = 32


@dataclass(frozen=True)
class NoteOptions:
    """Per-request behaviour; model settings live in InferenceConfig."""

    job_id: str = ""
    use_grammar: bool = True
    # "fallback": write an extractive note marked as fallback; "fail": raise NoteGenerationError.
    on_model_failure: str = "fallback"
    # Score every statement against the transcript and drop the unsupported ones (summarizer/grounding.py).
    ground_statements: bool = True


class NoteGenerationError(RuntimeError):
    """The model failed and the options say not to fall back."""


@dataclass
class NoteOutcome:
    text: str
    inference_time: float
    prompt_tokens: int
    completion_tokens: int
    model: dict[str, Any]
    fallback: bool = False
    fallback_reason: str = ""
    repaired: bool = False
    truncated_input: bool = False
    risk_flags: list[dict[str, Any]] = field(default_factory=list)
    safety_net_intervened: bool = False
    unsupported_risk_claims: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    input_chars: int = 0
    risk_screening: dict[str, Any] = field(default_factory=dict)
    needs_attention: bool = False
    attention_reasons: list[str] = field(default_factory=list)
    removed_risk_text: list[str] = field(default_factory=list)
    # Per statement: section, text, support score, transcript character spans, supported, reason.
    evidence: list[dict[str, Any]] = field(default_factory=list)
    unsupported_claims: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SummaryOutcome(NoteOutcome):
    session_count: int = 0
    key_points: list[str] = field(default_factory=list)
    total_text_length: int = 0
    sources: list[str] = field(default_factory=list)


def _context_budget(engine: LlamaInferenceEngine, empty_prompt_messages: list[dict[str, str]]) -> int:
    overhead = engine.count_prompt_tokens(empty_prompt_messages)
    return engine.config.n_ctx - engine.config.max_tokens - overhead - _CONTEXT_MARGIN_TOKENS


def _log_inference(outcome: NoteOutcome, options: NoteOptions, kind: str) -> None:
    # Structured fields only: never transcript or note text in logs.
    logger.info(
        "inference",
        extra={
            "event": "inference",
            "kind": kind,
            "job_id": options.job_id,
            "input_chars": outcome.input_chars,
            "prompt_tokens": outcome.prompt_tokens,
            "completion_tokens": outcome.completion_tokens,
            "seconds": round(outcome.inference_time, 3),
            "model_file": outcome.model.get("model_file"),
            "model_sha256": outcome.model.get("model_sha256"),
            "adapter_file": outcome.model.get("adapter_file"),
            "fallback": outcome.fallback,
            "risk_flags": len(outcome.risk_flags),
        },
    )


def _generate_checked(
    engine: LlamaInferenceEngine,
    messages: list[dict[str, str]],
    sections: Sequence[str],
    options: NoteOptions,
) -> tuple[str | None, str, int, int, bool]:
    """Generate and repair. Returns (note or None, failure reason, prompt tokens, completion tokens, repaired)."""
    grammar = section_grammar(sections) if options.use_grammar and engine.config.use_grammar else None
    try:
        generated = engine.generate(messages, grammar=grammar)
    except GenerationTimeoutError as exc:
        return None, f"timeout: {exc}", 0, 0, False
    except Exception as exc:  # noqa: BLE001 - any engine failure becomes a recorded reason
        return None, f"model error: {type(exc).__name__}: {exc}", 0, 0, False
    raw = normalise_whitespace(generated.text)
    bounds = {} if tuple(sections) == SESSION_NOTE_SECTIONS else {"min_words": 0, "max_words": NOTE_HARD_MAX_WORDS}
    if validate_note(raw, sections, **bounds).ok:
        return raw, "", generated.prompt_tokens, generated.completion_tokens, False
    repaired = repair_note(raw, sections)
    if repaired is None:
        return None, "unrepairable model output", generated.prompt_tokens, generated.completion_tokens, False
    return repaired, "", generated.prompt_tokens, generated.completion_tokens, repaired != raw


NO_SPEECH_REASON = "no speech content"


def nothing_to_summarise_note(sections: Sequence[str] = SESSION_NOTE_SECTIONS) -> str:
    """The note for a transcript with no speech in it: says so, invents nothing."""
    body = {name: "Not assessed: the transcript has no speech content." for name in sections}
    body[sections[0]] = "Nothing to summarise: the transcript has no speech content."
    return render_note(body, sections)


def screening_record(screening: RiskScreening) -> dict[str, Any]:
    return {"performed": screening.performed, "language": screening.language,
            "languages": list(screening.languages), "reason": screening.reason}


def reconcile_transcript_note(
    transcript: str, note: str, findings: Sequence[RiskFinding] | None = None, risk_section: str = "Risk"
) -> RiskReconciliation:
    """The safety net as the worker runs it: detect, check language coverage, reconcile."""
    clean = normalise_whitespace(transcript)
    found = detect_risks(clean) if findings is None else findings
    return reconcile_note_with_risks(note, found, risk_section, screening=screen_language(clean))


def summarize_single_session(
    engine: LlamaInferenceEngine, transcript: str, options: NoteOptions | None = None
) -> NoteOutcome:
    """Write a single-session note for ``transcript`` with the loaded engine."""
    options = options or NoteOptions()
    started = time.perf_counter()
    clean = normalise_whitespace(transcript)
    findings = detect_risks(clean)
    screening = screen_language(clean)
    prompt_tokens = completion_tokens = 0
    repaired = truncated = False
    if speech_word_count(clean) < MIN_SPEECH_WORDS:
        note, reason = nothing_to_summarise_note(), NO_SPEECH_REASON
    else:
        budget = _context_budget(engine, build_session_note_messages(""))
        # The model sees the transcript with quoted markup escaped; the detector reads it as said.
        fitted, truncated = engine.truncate_to_tokens(escape_markup(clean), budget, TRUNCATION_MARKER)
        note, reason, prompt_tokens, completion_tokens, repaired = _generate_checked(
            engine, build_session_note_messages(fitted), SESSION_NOTE_SECTIONS, options
        )
        if note is None:
            if options.on_model_failure != "fallback":
                raise NoteGenerationError(reason)
            note = extractive_fallback_note(clean, findings)
    reconciliation = reconcile_note_with_risks(note, findings, screening=screening)
    final, evidence, unsupported = reconciliation.note, [], []
    if options.ground_statements and reason != NO_SPEECH_REASON:
        extractive = parse_note(extractive_fallback_note(clean, findings)).sections
        current = {f.family for f in findings if f.current}
        grounding = ground_note(final, transcript, fill=extractive, current_families=current)
        # Transcript sentences put in for unsupported text can be longer than what they replace: keep
        # the note within its word budget, never by trimming the Risk section.
        trimmed = trim_sections(parse_note(grounding.note).sections, SESSION_NOTE_SECTIONS, protected=("Risk",))
        final = render_note(trimmed, SESSION_NOTE_SECTIONS)
        evidence = [statement.as_dict() for statement in grounding.statements]
        unsupported = grounding.unsupported_claims
    validation = validate_note(final)
    outcome = NoteOutcome(
        text=final,
        inference_time=time.perf_counter() - started,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        model=engine.identity.as_dict(),
        fallback=bool(reason),
        fallback_reason=reason,
        repaired=repaired,
        truncated_input=truncated,
        risk_flags=summarise_findings(findings),
        safety_net_intervened=reconciliation.intervened,
        unsupported_risk_claims=list(reconciliation.unsupported_claims),
        violations=[asdict(v) for v in validation.violations],
        input_chars=len(transcript),
        risk_screening=screening_record(screening),
        needs_attention=reconciliation.needs_attention or reason == NO_SPEECH_REASON,
        attention_reasons=reconciliation.attention_reasons + ([NO_SPEECH_REASON] if reason == NO_SPEECH_REASON else []),
        removed_risk_text=list(reconciliation.removed_risk_text),
        evidence=evidence,
        unsupported_claims=unsupported,
    )
    _log_inference(outcome, options, "session_note")
    return outcome


def _fit_sessions(
    engine: LlamaInferenceEngine, sessions: Sequence[SessionInput]
) -> tuple[list[SessionText], list[str]]:
    """Use transcripts while they fit; fall back to stored notes, then to truncation."""
    budget = _context_budget(engine, build_multi_session_messages([]))
    per_session = max(budget // max(len(sessions), 1), 24)
    chosen: list[SessionText] = []
    sources: list[str] = []
    for item in sessions:
        text, source = item.transcript, "transcript"
        if not text or (engine.count_tokens(text) > per_session and item.notes):
            text, source = item.notes, "notes"
        text, cut = engine.truncate_to_tokens(escape_markup(normalise_whitespace(text)), per_session, TRUNCATION_MARKER)
        chosen.append(SessionText(item.session_number, item.session_date, text))
        sources.append(f"{source}{' (truncated)' if cut else ''}")
    return chosen, sources


@dataclass(frozen=True)
class SessionInput:
    session_number: int
    session_date: str
    transcript: str
    notes: str = ""


def _summary_sources(ordered: Sequence[SessionInput]) -> list[SessionSource]:
    """Each session's text for grounding; its number and date may be stated without being said."""
    return [
        SessionSource(
            session_number=s.session_number, text=s.transcript or s.notes,
            source="transcript" if s.transcript else "notes",
            extra_numbers=(float(s.session_number), *(value for _, value in number_values(s.session_date))),
        )
        for s in ordered
    ]


def _key_points(note: str) -> list[str]:
    parsed = validate_note(note, MULTI_SESSION_SECTIONS).parsed
    points = []
    for name, body in parsed.sections.items():
        plain = strip_markup(body).strip()
        if plain and not plain.lower().startswith("none reported"):
            points.append(f"{name}: {plain}")
    return points


def summarize_sessions(
    engine: LlamaInferenceEngine, sessions: Sequence[SessionInput], options: NoteOptions | None = None
) -> SummaryOutcome:
    """Summarise several sessions of one patient (oldest first) into the multi-session format."""
    options = options or NoteOptions()
    started = time.perf_counter()
    ordered = sorted(sessions, key=lambda s: s.session_number)
    all_text = "\n\n".join(s.transcript or s.notes for s in ordered)
    clean_text = normalise_whitespace(all_text)
    findings: list[RiskFinding] = detect_risks(clean_text)
    screening = screen_language(clean_text)
    fitted, sources = _fit_sessions(engine, ordered)
    note, reason, prompt_tokens, completion_tokens, repaired = _generate_checked(
        engine, build_multi_session_messages(fitted), MULTI_SESSION_SECTIONS, options
    )
    if note is None:
        if options.on_model_failure != "fallback":
            raise NoteGenerationError(reason)
        note = extractive_fallback_summary([s.text for s in fitted], findings)
    reconciliation = reconcile_note_with_risks(note, findings, risk_section="Risk Assessment", screening=screening)
    final, evidence, unsupported = reconciliation.note, [], []
    if options.ground_statements:
        grounding = ground_summary(final, _summary_sources(ordered), MULTI_SESSION_SECTIONS, keep=("Risk Assessment",))
        final = grounding.note
        evidence = [statement.as_dict() for statement in grounding.statements]
        unsupported = grounding.unsupported_claims
    validation = validate_note(final, MULTI_SESSION_SECTIONS, min_words=0, max_words=NOTE_HARD_MAX_WORDS)
    outcome = SummaryOutcome(
        text=final,
        inference_time=time.perf_counter() - started,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        model=engine.identity.as_dict(),
        fallback=bool(reason),
        fallback_reason=reason,
        repaired=repaired,
        truncated_input=any("truncated" in s for s in sources),
        risk_flags=summarise_findings(findings),
        safety_net_intervened=reconciliation.intervened,
        unsupported_risk_claims=list(reconciliation.unsupported_claims),
        violations=[asdict(v) for v in validation.violations],
        input_chars=len(all_text),
        risk_screening=screening_record(screening),
        needs_attention=reconciliation.needs_attention,
        attention_reasons=list(reconciliation.attention_reasons),
        removed_risk_text=list(reconciliation.removed_risk_text),
        evidence=evidence,
        unsupported_claims=unsupported,
        session_count=len(ordered),
        key_points=_key_points(final),
        total_text_length=len(all_text),
        sources=sources,
    )
    _log_inference(outcome, options, "multi_session_summary")
    return outcome
