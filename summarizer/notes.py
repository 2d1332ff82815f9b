"""Single-session notes and multi-session summaries: prompt → constrained generation →
repair/validation → risk reconciliation, with an extractive fallback.

The outcome always says what happened (model output, repaired, safety net, fallback)
so nothing is silently presented as model output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, ClassVar, TypeVar

from summarizer.course_summary import SessionPart, compose_course_summary
from summarizer.engine import GenerationTimeoutError, ModelIdentity, NoteEngine
from summarizer.fallback import extractive_fallback_note, plan_evidence
from summarizer.formats import DEFAULT_FORMAT, note_format, render_in_format
from summarizer.grammar import section_grammar
from summarizer.grounding import GroundingReport, SessionSource, ground_note, ground_summary, number_values
from summarizer.long_sessions import FittedTranscript, fit_transcript
from summarizer.prompts import (
    Message,
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
from summarizer.risk_denials import screening_denials, with_screening_denials
from summarizer.risk_reconcile import families_in
from summarizer.sections import MULTI_SESSION_SECTIONS, NOTE_HARD_MAX_WORDS, SESSION_NOTE_SECTIONS, SUMMARY_MAX_WORDS
from summarizer.text import (
    MIN_SPEECH_WORDS,
    escape_markup,
    normalise_whitespace,
    red_spans,
    speech_word_count,
    strip_markup,
)
from summarizer.validation import (
    NoteValidation,
    parse_note,
    render_note,
    repair_note,
    trim_sections,
    validate_note,
)

logger = logging.getLogger("summarizer.inference")

TRUNCATION_MARKER = "\n[... transcript middle omitted to fit the model's context ...]\n"
# A summary whose earlier sessions had a current risk that the latest does not: a clinician looks.
EARLIER_RISK_REASON = "risk_in_earlier_session"
# Progress steps of a session note: risk screening, writing, grounding, then the worker's save.
SESSION_NOTE_STEPS = 4
# Room left for chat-template tokens and rounding between our count and llama.cpp's.
_CONTEXT_MARGIN_TOKENS = 32


@dataclass(frozen=True)
class NoteOptions:
    """Per-request behaviour; model settings live in InferenceConfig."""

    job_id: str = ""
    use_grammar: bool = True
    # Without the grammar: when the unconstrained note fails validation, write it again under the grammar
    # (THERAPY_NOTES_GRAMMAR_MODE=on_failure), so every note still has its sections.
    grammar_retry: bool = False
    # "fallback": write an extractive note marked as fallback; "fail": raise NoteGenerationError.
    on_model_failure: str = "fallback"
    # Score every statement against the transcript and drop the unsupported ones (summarizer/grounding.py).
    ground_statements: bool = True
    # With grounding: add the therapist's plan-setting sentences to the Plan when the model left them out.
    # On since 2026-12-04: with the merged model it raised fact recall and lowered unsupported content on
    # both evaluation sets, same run (bench/RESULTS.md); the 2026-12-02 runtime-adapter run had shown no gain.
    plan_evidence: bool = True
    # State the screening questions the patient denied, quoted, in the Risk section (summarizer/risk_denials.py).
    state_denials: bool = True
    # How the checked five-section note is laid out for the clinician (summarizer/formats.py).
    note_format: str = DEFAULT_FORMAT
    # Called as (phase, step, steps, detail) while the note is made: the worker stores it on the job.
    on_progress: Callable[[str, int, int, str], None] | None = None

    def progress(self, phase: str, step: int, steps: int, detail: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(phase, step, steps, detail)


class NoteGenerationError(RuntimeError):
    """The model failed and the options say not to fall back."""


# Outcome fields that are not part of the job result: the note text goes in under its own key
# (``generated_notes`` / ``summary``), token counts and input size are job columns and log fields.
_NOT_IN_RESULT = frozenset({"text", "prompt_tokens", "completion_tokens", "input_chars"})


@dataclass
class NoteOutcome:
    """What a note job produced and how: the one record that becomes the job result and the log line."""

    text: str
    inference_time: float
    prompt_tokens: int
    completion_tokens: int
    model: ModelIdentity
    fallback: bool = False
    fallback_reason: str = ""
    repaired: bool = False
    # Never set any more (long transcripts are condensed, see ``coverage``); kept in the job result, which
    # clients of earlier versions read.
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
    # What the model read of the transcript: "whole", or "condensed" with the kept spans per chunk.
    coverage: dict[str, Any] = field(default_factory=dict)
    # The format ``text`` is in, and the checked five-section note it was rendered from.
    note_format: str = DEFAULT_FORMAT
    structured_note: str = ""

    TEXT_KEY: ClassVar[str] = "generated_notes"

    def job_result(self) -> dict[str, Any]:
        """The JSON a job stores as its result (documented by the API's JobResultSerializer)."""
        result = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_IN_RESULT}
        result["model"] = self.model.as_dict()
        result["inference_time"] = round(self.inference_time, 3)
        result[self.TEXT_KEY] = self.text
        return result

    def log_fields(self, kind: str, job_id: str) -> dict[str, Any]:
        # Structured fields only: never transcript or note text in logs.
        return {
            "event": "inference", "kind": kind, "job_id": job_id, "input_chars": self.input_chars,
            "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
            "seconds": round(self.inference_time, 3), "model_file": self.model.model_file,
            "model_sha256": self.model.model_sha256, "adapter_file": self.model.adapter_file,
            "fallback": self.fallback, "risk_flags": len(self.risk_flags),
        }


@dataclass
class SummaryOutcome(NoteOutcome):
    session_count: int = 0
    key_points: list[str] = field(default_factory=list)
    total_text_length: int = 0
    sources: list[str] = field(default_factory=list)

    TEXT_KEY: ClassVar[str] = "summary"


def _context_budget(engine: NoteEngine, empty_prompt_messages: list[dict[str, str]]) -> int:
    overhead = engine.count_prompt_tokens(empty_prompt_messages)
    return engine.config.n_ctx - engine.config.max_tokens - overhead - _CONTEXT_MARGIN_TOKENS


@dataclass(frozen=True)
class Generation:
    """The model's note after repair, or None with the reason it could not be used."""

    note: str | None
    failure: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    repaired: bool = False


def _generate_checked(
    engine: NoteEngine, messages: list[dict[str, str]], sections: Sequence[str], options: NoteOptions
) -> Generation:
    """Generate and repair; any engine failure becomes a recorded reason."""
    constrained = options.use_grammar and engine.config.use_grammar
    retry = options.grammar_retry and engine.config.use_grammar and not constrained
    grammar = section_grammar(sections) if constrained else None
    bounds = {} if tuple(sections) == SESSION_NOTE_SECTIONS else {"min_words": 0, "max_words": NOTE_HARD_MAX_WORDS}
    used = made = 0
    for attempt_grammar in (grammar, section_grammar(sections)) if retry else (grammar,):
        try:
            generated = engine.generate(messages, grammar=attempt_grammar)
        except GenerationTimeoutError as exc:
            return Generation(None, f"timeout: {exc}")
        except Exception as exc:  # noqa: BLE001 - any engine failure becomes a recorded reason
            return Generation(None, f"model error: {type(exc).__name__}: {exc}")
        used, made = used + generated.prompt_tokens, made + generated.completion_tokens
        raw = normalise_whitespace(generated.text)
        if validate_note(raw, sections, **bounds).ok:
            return Generation(raw, prompt_tokens=used, completion_tokens=made)
    repaired = repair_note(raw, sections)
    if repaired is None:
        return Generation(None, "unrepairable model output", prompt_tokens=used, completion_tokens=made)
    return Generation(repaired, prompt_tokens=used, completion_tokens=made, repaired=repaired != raw)


NO_SPEECH_REASON = "no speech content"


def nothing_to_summarise_note(sections: Sequence[str] = SESSION_NOTE_SECTIONS) -> str:
    """The note for a transcript with no speech in it: says so, invents nothing."""
    body = {name: "Not assessed: the transcript has no speech content." for name in sections}
    body[sections[0]] = "Nothing to summarise: the transcript has no speech content."
    return render_note(body, sections)


def screening_record(screening: RiskScreening, denied: Sequence[str] = ()) -> dict[str, Any]:
    return {"performed": screening.performed, "language": screening.language,
            "languages": list(screening.languages), "reason": screening.reason, "denied": list(denied)}


def reconcile_transcript_note(
    transcript: str, note: str, findings: Sequence[RiskFinding] | None = None, risk_section: str = "Risk"
) -> RiskReconciliation:
    """The safety net as the worker runs it: detect, check language coverage, reconcile."""
    clean = normalise_whitespace(transcript)
    found = detect_risks(clean) if findings is None else findings
    return reconcile_note_with_risks(note, found, risk_section, screening=screen_language(clean))


OutcomeT = TypeVar("OutcomeT", bound="NoteOutcome")


def _outcome(
    outcome_type: type[OutcomeT],
    engine: NoteEngine,
    started: float,
    generation: Generation,
    *,
    text: str,
    findings: Sequence[RiskFinding],
    screening: RiskScreening,
    reconciliation: RiskReconciliation,
    grounding: GroundingReport | None,
    validation: NoteValidation,
    extra_reasons: Sequence[str] = (),
    denied: Sequence[str] = (),
    **extra: Any,
) -> OutcomeT:
    """The one place an outcome is assembled, for a note and for a summary alike."""
    reasons = [*reconciliation.attention_reasons, *extra_reasons]
    return outcome_type(
        text=text,
        inference_time=time.perf_counter() - started,
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
        model=engine.identity,
        fallback=bool(generation.failure),
        fallback_reason=generation.failure,
        repaired=generation.repaired,
        risk_flags=summarise_findings(findings),
        safety_net_intervened=reconciliation.intervened,
        unsupported_risk_claims=list(reconciliation.unsupported_claims),
        violations=[asdict(v) for v in validation.violations],
        risk_screening=screening_record(screening, denied),
        needs_attention=reconciliation.needs_attention or bool(extra_reasons),
        attention_reasons=reasons,
        removed_risk_text=list(reconciliation.removed_risk_text),
        evidence=[statement.as_dict() for statement in grounding.statements] if grounding else [],
        unsupported_claims=list(grounding.unsupported_claims) if grounding else [],
        **extra,
    )


def session_note_prompt(
    engine: NoteEngine, transcript: str, findings: Sequence[RiskFinding]
) -> tuple[FittedTranscript, list[Message]]:
    """The transcript as fitted to the context and the chat messages a session note sends the model (also
    what bench/peer_server.py sends the peer server, so both sides get the same prompt)."""
    budget = _context_budget(engine, build_session_note_messages(""))
    # A transcript longer than the context is condensed (chosen sentences from every part, recorded in
    # ``coverage`` with offsets into the stored transcript), never cut in the middle.
    fitted = fit_transcript(transcript, budget, engine.count_tokens, [f.evidence for f in findings])
    # The model sees the transcript with quoted markup escaped; the detector reads it as said.
    return fitted, build_session_note_messages(escape_markup(normalise_whitespace(fitted.text)))


def summarize_single_session(
    engine: NoteEngine, transcript: str, options: NoteOptions | None = None
) -> NoteOutcome:
    """Write a single-session note for ``transcript`` with the loaded engine."""
    options = options or NoteOptions()
    note_format(options.note_format)  # an unknown format fails before the model runs
    started = time.perf_counter()
    clean = normalise_whitespace(transcript)
    options.progress("screening risk", 1, SESSION_NOTE_STEPS)
    findings = detect_risks(clean)
    screening = screen_language(clean)
    coverage: dict[str, Any] = {}
    if speech_word_count(clean) < MIN_SPEECH_WORDS:
        generation = Generation(nothing_to_summarise_note(), NO_SPEECH_REASON)
    else:
        fitted, messages = session_note_prompt(engine, transcript, findings)
        coverage = fitted.coverage()
        options.progress("writing the note", 2, SESSION_NOTE_STEPS,
                         f"{len(fitted.chunks)} chunks condensed" if fitted.strategy == "condensed" else "")
        generation = _generate_checked(engine, messages, SESSION_NOTE_SECTIONS, options)
        if generation.note is None and options.on_model_failure != "fallback":
            raise NoteGenerationError(generation.failure)
    no_speech = generation.failure == NO_SPEECH_REASON
    # The extractive note is the fallback and the grounding's fill: built once, only when needed.
    wanted = not no_speech and (generation.note is None or options.ground_statements)
    extractive = extractive_fallback_note(clean, findings) if wanted else None
    note = generation.note or extractive or ""
    reconciliation = reconcile_note_with_risks(note, findings, screening=screening)
    final, grounding = reconciliation.note, None
    denied: list[str] = []
    if options.state_denials and screening.performed and not no_speech:
        # "None reported" hides whether anyone asked: a screening question the patient denied is stated, quoted.
        final, denied = with_screening_denials(final, screening_denials(clean), findings)
    if options.ground_statements and extractive is not None:
        options.progress("checking every statement against the transcript", 3, SESSION_NOTE_STEPS)
        current = {f.family for f in findings if f.current}
        augment = {"Plan": plan_evidence(clean)} if options.plan_evidence else None
        grounding = ground_note(final, transcript, fill=parse_note(extractive).sections, current_families=current,
                                augment=augment)
        # Transcript sentences put in for unsupported text can be longer than what they replace: keep
        # the note within its word budget, never by trimming the Risk section.
        trimmed = trim_sections(parse_note(grounding.note).sections, SESSION_NOTE_SECTIONS, protected=("Risk",))
        final = render_note(trimmed, SESSION_NOTE_SECTIONS)
    outcome = _outcome(
        NoteOutcome, engine, started, generation, text=render_in_format(final, options.note_format),
        findings=findings, screening=screening, reconciliation=reconciliation, grounding=grounding,
        validation=validate_note(final), extra_reasons=[NO_SPEECH_REASON] if no_speech else [],
        input_chars=len(transcript), note_format=options.note_format,
        structured_note=final, coverage=coverage, denied=denied,
    )
    logger.info("inference", extra=outcome.log_fields("session_note", options.job_id))
    return outcome


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
            session_number=s.session_number, text="\n".join(t for t in (s.transcript, s.notes) if t),
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


def _keep_noted_risk(composed: str, reconciled: str) -> str:
    """The safety net may add urgent items to a summary, never take away one a session's note flagged: the
    detector not finding a risk in the words does not outweigh the clinician's (or grounded note's) RED."""
    risk = "Risk Assessment"
    before = parse_note(composed, MULTI_SESSION_SECTIONS).sections.get(risk, "")
    after = parse_note(reconciled, MULTI_SESSION_SECTIONS).sections
    if red_spans(before) and not red_spans(after.get(risk, "")):
        return render_note({**after, risk: before}, MULTI_SESSION_SECTIONS)
    return reconciled


def summarize_sessions(
    engine: NoteEngine, sessions: Sequence[SessionInput], options: NoteOptions | None = None
) -> SummaryOutcome:
    """Summarise several sessions of one patient (oldest first) into the multi-session format, composed from
    each session's note (summarizer/course_summary.py). A session without notes gets its note written first,
    by the single-session path (grounded, risk-checked); ``sources`` says which was read how."""
    options = options or NoteOptions()
    started = time.perf_counter()
    ordered = sorted(sessions, key=lambda s: s.session_number)
    all_text = "\n\n".join(s.transcript or s.notes for s in ordered)
    clean_text = normalise_whitespace(all_text)
    findings: list[RiskFinding] = detect_risks(clean_text)
    screening = screen_language(clean_text)
    parts: list[SessionPart] = []
    sources: list[str] = []
    prompt_tokens = completion_tokens = 0
    fell_back: list[int] = []
    per_session = replace(options, on_progress=None, note_format=DEFAULT_FORMAT)
    # Each session's findings once: its risk trajectory, and the latest's current risk below.
    session_findings = [tuple(detect_risks(normalise_whitespace(s.transcript or s.notes))) for s in ordered]
    for position, (item, item_findings) in enumerate(zip(ordered, session_findings, strict=True), start=1):
        options.progress("reading sessions", position, len(ordered), f"session {position} of {len(ordered)}")
        if item.notes.strip():
            parts.append(SessionPart(item.session_number, item.session_date, item.notes, item.transcript, "notes",
                                     item_findings))
            sources.append("notes")
        elif speech_word_count(item.transcript) >= MIN_SPEECH_WORDS:
            written = summarize_single_session(engine, item.transcript, per_session)
            if written.fallback:
                fell_back.append(item.session_number)
            prompt_tokens += written.prompt_tokens
            completion_tokens += written.completion_tokens
            parts.append(SessionPart(item.session_number, item.session_date, written.structured_note,
                                     item.transcript, "generated", item_findings))
            sources.append("transcript (note written for this summary)" + (" [fallback]" if written.fallback else ""))
        else:
            parts.append(SessionPart(item.session_number, item.session_date, "", item.transcript, "transcript",
                                     item_findings))
            sources.append("no speech content")
    composed = compose_course_summary(parts)
    # Risk current at the latest session must be RED whatever earlier sessions said; earlier risk is in the
    # trajectory the composition wrote, with its session numbers.
    latest_findings = list(session_findings[-1])
    # The trajectory names earlier sessions' risks: their findings and their notes' Risk sections support it.
    earlier = {f.family for found in session_findings for f in found} | families_in(
        " ".join(parse_note(s.notes).sections.get("Risk", "") for s in ordered if s.notes.strip()))
    reconciliation = reconcile_note_with_risks(composed.text, latest_findings, risk_section="Risk Assessment",
                                               screening=screening, supported_families=earlier)
    final, grounding = _keep_noted_risk(composed.text, reconciliation.note), None
    if options.ground_statements:
        # Every statement is a session note's clause or a measured trajectory: grounding records the session
        # and spans each rests on (evidence) but removes nothing.
        grounding = ground_summary(final, _summary_sources(ordered), MULTI_SESSION_SECTIONS,
                                   keep=MULTI_SESSION_SECTIONS)
        final = grounding.note
    earlier_risk = [f for f in findings if f.current] and not [f for f in latest_findings if f.current]
    # A summary built on an extractive session note is marked fallback too: its provenance says so.
    failure = f"extractive fallback notes for sessions {fell_back}" if fell_back else ""
    generation = Generation(composed.text, failure, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
    outcome = _outcome(
        SummaryOutcome, engine, started, generation, text=final, findings=findings, screening=screening,
        reconciliation=reconciliation, grounding=grounding,
        validation=validate_note(final, MULTI_SESSION_SECTIONS, min_words=0, max_words=SUMMARY_MAX_WORDS),
        extra_reasons=[EARLIER_RISK_REASON] if earlier_risk else [], input_chars=len(all_text),
        session_count=len(ordered), key_points=_key_points(final), total_text_length=len(all_text), sources=sources,
    )
    logger.info("inference", extra=outcome.log_fields("multi_session_summary", options.job_id))
    return outcome
