"""The llama.cpp inference engine: load once, generate many times, report identity.

A worker process owns exactly one engine. Generation streams tokens so a
wall-clock timeout can stop it between tokens without killing the process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, cast

from summarizer.config import KV_CACHE_TYPES, InferenceConfig
from summarizer.cpu_threads import ThreadPolicy
from summarizer.prefix_cache import PrefixStates
from summarizer.prompts import PROMPT_VERSION, Message

logger = logging.getLogger(__name__)

# With adaptive threads, how often (seconds) a running generation re-checks the free cores: a CPU hog that
# starts or stops mid-note changes the thread count between two tokens.
THREAD_RECHECK_SECONDS = 1.0


class ModelNotFoundError(FileNotFoundError):
    """The configured GGUF (or adapter) file does not exist."""


class EngineNotLoadedError(RuntimeError):
    """generate() was called before load() or after unload()."""


class GenerationTimeoutError(TimeoutError):
    """Generation ran past InferenceConfig.timeout_seconds."""


@dataclass(frozen=True)
class ModelIdentity:
    """What produced a note: enough to reproduce it and to audit it."""

    model_file: str
    model_sha256: str
    model_size_bytes: int
    adapter_file: str | None
    adapter_sha256: str | None
    prompt_version: str
    registry_entry: str = ""
    # True when adapter_file is merged into model_file's weights rather than applied at run time.
    adapter_merged: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GenerationSpeed:
    """How one generation ran, for the worker's metrics (no text): its threads and its decoding speed."""

    threads: int  # the thread count it ran with longest
    seconds: float
    completion_tokens: int
    decode_seconds: float  # from its first generated token to its last (prompt evaluation excluded)
    timed_out: bool = False

    @property
    def tokens_per_second(self) -> float | None:
        """Decoding speed: tokens after the first per second (independent of the prompt's length)."""
        if self.completion_tokens < 2 or self.decode_seconds <= 0:
            return None
        return (self.completion_tokens - 1) / self.decode_seconds


@dataclass(frozen=True)
class GenerationResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str
    threads: int = 0  # llama.cpp threads it ran with (longest); 0: not known (a stand-in engine)
    tokens_per_second: float | None = None


class NoteEngine(Protocol):
    """What the note code needs from an engine: the llama.cpp one, or a test's stand-in."""

    @property
    def config(self) -> InferenceConfig: ...

    @property
    def identity(self) -> ModelIdentity: ...

    def count_tokens(self, text: str) -> int: ...

    def count_prompt_tokens(self, messages: list[Message]) -> int: ...

    def truncate_to_tokens(self, text: str, budget: int, marker: str) -> tuple[str, bool]: ...

    def generate(self, messages: list[Message], *, grammar: str | None = None) -> GenerationResult: ...


@lru_cache(maxsize=16)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, cached per (path, size, mtime) because GGUFs are large."""
    stat = os.stat(path)
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


class LlamaInferenceEngine:
    """Thin, thread-safe wrapper over ``llama_cpp.Llama`` with identity and timeouts."""

    def __init__(self, config: InferenceConfig) -> None:
        self.config = config
        self._llm: Any = None
        self._identity: ModelIdentity | None = None
        self._grammars: dict[str, Any] = {}
        self._prefixes: PrefixStates | None = None
        # llama.cpp contexts are not re-entrant; one generation at a time per engine.
        self._lock = threading.Lock()
        self.load_seconds: float | None = None
        # None: always config.n_threads. Otherwise what other processes leave free (summarizer/cpu_threads.py).
        self.thread_policy: ThreadPolicy | None = ThreadPolicy(config.n_threads) if config.adaptive_threads else None
        # Called after every generation, timed out ones included (the worker's metrics); never with text.
        self.on_generation: Callable[[GenerationSpeed], None] | None = None

    @property
    def is_loaded(self) -> bool:
        return self._llm is not None

    def load(self) -> None:
        if self._llm is not None:
            return
        from llama_cpp import Llama  # imported lazily: the web process never needs it

        model_path = Path(self.config.model_path)
        if not model_path.is_file():
            raise ModelNotFoundError(
                f"Model file not found: {model_path}. Run `python manage.py fetch_model` "
                "or set THERAPY_NOTES_MODEL_PATH / PHI3_MODEL_PATH to an existing GGUF."
            )
        lora = self.config.lora_path
        if lora and not Path(lora).is_file():
            raise ModelNotFoundError(f"LoRA adapter file not found: {lora}")
        kv_type = KV_CACHE_TYPES[self.config.kv_cache_type]
        started = time.perf_counter()
        self._llm = Llama(
            model_path=str(model_path),
            lora_path=lora or None,
            n_ctx=self.config.n_ctx,
            n_threads=self.config.n_threads,
            # llama-cpp-python's default for prompt evaluation is every core of the host, whatever
            # n_threads says: two 1-thread workers on a 2-core host then run 4 threads and slow
            # each other down. THERAPY_NOTES_N_THREADS is the worker's whole CPU budget.
            n_threads_batch=self.config.n_threads,
            n_gpu_layers=self.config.n_gpu_layers,
            seed=self.config.seed,
            flash_attn=self.config.flash_attn,
            type_k=kv_type,
            type_v=kv_type,
            verbose=False,
        )
        self.load_seconds = time.perf_counter() - started
        if self.config.keep_prefix_states:
            self._prefixes = PrefixStates(self._system_turn_tokens)
        self._identity = ModelIdentity(
            model_file=model_path.name,
            model_sha256=file_sha256(model_path),
            model_size_bytes=model_path.stat().st_size,
            adapter_file=Path(lora).name if lora else self.config.merged_adapter_file,
            adapter_sha256=file_sha256(lora) if lora else self.config.merged_adapter_sha256,
            prompt_version=PROMPT_VERSION,
            registry_entry=self.config.registry_entry,
            adapter_merged=not lora and bool(self.config.merged_adapter_file),
        )
        logger.info(
            "model loaded",
            extra={"model_file": model_path.name, "load_seconds": round(self.load_seconds, 3)},
        )

    def unload(self) -> None:
        with self._lock:
            if self._llm is not None:
                self._llm.close()
            self._llm = None

    @property
    def identity(self) -> ModelIdentity:
        if self._identity is None:
            raise EngineNotLoadedError("Model identity is known only after load().")
        return self._identity

    def _require(self) -> Any:
        if self._llm is None:
            raise EngineNotLoadedError("The inference engine is not loaded; call load() first.")
        return self._llm

    def count_tokens(self, text: str) -> int:
        return len(self._require().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def truncate_to_tokens(self, text: str, budget: int, marker: str) -> tuple[str, bool]:
        """Keep the head and tail of ``text`` within ``budget`` tokens, joined by ``marker``.

        The ending of a session (plan, homework, risk follow-up) matters as much as its
        opening, so both are kept; the middle is cut. Returns (text, was_truncated).
        """
        llm = self._require()
        tokens = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        if len(tokens) <= budget:
            return text, False
        marker_tokens = len(llm.tokenize(marker.encode("utf-8"), add_bos=False, special=False))
        keep = max(budget - marker_tokens, 2)
        head, tail = tokens[: keep * 2 // 5], tokens[len(tokens) - (keep - keep * 2 // 5) :]
        decode = lambda toks: llm.detokenize(toks).decode("utf-8", errors="ignore")  # noqa: E731
        return f"{decode(head)}{marker}{decode(tail)}", True

    def render_prompt(self, messages: list[Message]) -> str:
        """The exact prompt text the model's own chat template produces (for token counting)."""
        llm = self._require()
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            # No template in the GGUF: fall back to a plain join so counting still works.
            return "\n".join(m["content"] for m in messages)
        eos = llm.detokenize([llm.token_eos()]).decode("utf-8", errors="ignore")
        bos = llm.detokenize([llm.token_bos()]).decode("utf-8", errors="ignore")
        formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
        return formatter(messages=cast(Any, messages)).prompt  # llama_cpp's TypedDicts: same shape

    def _system_turn_tokens(self, system_prompt: str) -> list[int]:
        """The tokens every prompt with this system prompt starts with (system turn, user turn opening)."""
        messages: list[Message] = [{"role": "system", "content": system_prompt}, {"role": "user", "content": ""}]
        return list(self._require().tokenize(self.render_prompt(messages).encode("utf-8"), add_bos=False,
                                             special=True))

    def count_prompt_tokens(self, messages: list[Message]) -> int:
        llm = self._require()
        return len(llm.tokenize(self.render_prompt(messages).encode("utf-8"), add_bos=False, special=True))

    def _grammar(self, source: str) -> Any:
        if source not in self._grammars:
            from llama_cpp import LlamaGrammar

            self._grammars[source] = LlamaGrammar.from_string(source, verbose=False)
        return self._grammars[source]

    def _set_threads(self, llm: Any) -> int:
        """Set the context's threads for what runs next; llama.cpp reads them at every decode call."""
        import llama_cpp

        threads = self.thread_policy.threads() if self.thread_policy is not None else self.config.n_threads
        llama_cpp.llama_set_n_threads(llm.ctx, threads, threads)
        return threads

    def _report(self, speed: GenerationSpeed) -> None:
        if self.on_generation is not None:
            try:
                self.on_generation(speed)
            except Exception:  # metrics must never cost a note
                logger.warning("generation metrics not recorded", exc_info=True)

    def generate(
        self,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        grammar: str | None = None,
        timeout_seconds: float | None = None,
    ) -> GenerationResult:
        """Chat completion rendered with the GGUF's own chat template.

        Raises GenerationTimeoutError when the wall-clock limit passes; the
        partial output is discarded because a half note must never be stored.
        """
        cfg = self.config
        limit = cfg.timeout_seconds if timeout_seconds is None else timeout_seconds
        with self._lock:
            llm = self._require()
            started = time.perf_counter()
            if self._prefixes is not None and messages and messages[0]["role"] == "system":
                self._prefixes.prepare(llm, messages[0]["content"])
            threads = self._set_threads(llm)
            # Seconds run at each thread count: the one that ran longest is what the generation reports.
            ran: defaultdict[int, float] = defaultdict(float)
            since = started
            next_check = started + THREAD_RECHECK_SECONDS
            stream = llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens or cfg.max_tokens,
                temperature=cfg.temperature,
                top_p=cfg.top_p,
                top_k=cfg.top_k,
                repeat_penalty=cfg.repeat_penalty,
                seed=cfg.seed,
                grammar=self._grammar(grammar) if grammar else None,
                stream=True,
            )
            pieces: list[str] = []
            finish_reason = "stop"
            completion_tokens = 0
            first_token_at: float | None = None
            for chunk in stream:
                now = time.perf_counter()
                first_token_at = now if first_token_at is None else first_token_at
                choice = chunk["choices"][0]
                content = choice["delta"].get("content")
                if content:
                    pieces.append(content)
                    completion_tokens += 1
                if choice.get("finish_reason"):
                    finish_reason = choice["finish_reason"]
                if now - started > limit:
                    stream.close()
                    ran[threads] += now - since
                    self._report(GenerationSpeed(max(ran, key=ran.__getitem__), now - started, completion_tokens,
                                                 now - first_token_at, timed_out=True))
                    raise GenerationTimeoutError(
                        f"Generation exceeded the {limit:g} s limit after {completion_tokens} tokens."
                    )
                if self.thread_policy is not None and now >= next_check:
                    ran[threads] += now - since
                    since, next_check = now, now + THREAD_RECHECK_SECONDS
                    threads = self._set_threads(llm)
            ended = time.perf_counter()
            ran[threads] += ended - since
            seconds = ended - started
            text = "".join(pieces)
            prompt_tokens = self.count_prompt_tokens(messages)
        speed = GenerationSpeed(max(ran, key=ran.__getitem__), seconds, completion_tokens,
                                ended - first_token_at if first_token_at is not None else 0.0)
        self._report(speed)
        return GenerationResult(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            seconds=seconds,
            finish_reason=finish_reason,
            threads=speed.threads,
            tokens_per_second=speed.tokens_per_second,
        )
