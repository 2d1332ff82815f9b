"""Keep the system-prompt KV state of each kind of prompt a worker writes (note, course summary, ...).

llama-cpp-python already reuses the KV cache for the tokens a prompt shares with the previous one, so
consecutive notes evaluate their system prompt once (bench/engine_benches.py: 1.11x). A job of another
kind in between (a course summary has another system prompt) overwrites that cache, and the next note
pays for its whole prompt again. So when the kind changes, the outgoing kind's prefix KV (its system turn,
a few MB) is saved, and the incoming kind's is restored if it was saved before.

Only the KV cells of sequence 0 are saved (``llama_state_seq_get_data``), not llama-cpp-python's
``save_state``, which also copies its logits rows (~100 MB for SmolLM2): worker RSS stays as it was.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A shared prefix shorter than this is the chat template's opening, not a system prompt: not worth a state.
MIN_PREFIX_TOKENS = 16


@dataclass(frozen=True)
class SavedPrefix:
    tokens: tuple[int, ...]
    kv: bytes


def shared_prefix(left: Any, right: Any) -> int:
    n = min(len(left), len(right))
    for i in range(n):
        if left[i] != right[i]:
            return i
    return n


class PrefixStates:
    """Per system prompt, the KV of its rendered system turn; swapped in when the prompt kind changes."""

    def __init__(self, prefix_tokens: Callable[[str], list[int]]) -> None:
        # prefix_tokens(system_prompt): the tokens every prompt of that kind starts with (the engine renders
        # the system turn plus an empty user turn with the model's chat template).
        self._prefix_tokens = prefix_tokens
        self._saved: dict[str, SavedPrefix] = {}
        self._current = ""  # the system prompt whose prompt the KV cache holds now
        self.restores = 0

    def prepare(self, llm: Any, system_prompt: str) -> bool:
        """Call before generating with ``system_prompt``; True when a saved prefix was restored."""
        if system_prompt == self._current:
            return False
        if self._current and self._current not in self._saved:
            self._save(llm, self._current)
        self._current = system_prompt
        saved = self._saved.get(system_prompt)
        if saved is None:
            return False
        import llama_cpp

        ctx = llm._ctx  # llama-cpp-python's context wrapper: no public API for sequence state
        ctx.kv_cache_clear()
        buffer = (ctypes.c_uint8 * len(saved.kv)).from_buffer_copy(saved.kv)
        if llama_cpp.llama_state_seq_set_data(ctx.ctx, buffer, len(saved.kv), 0) == 0:
            llm.reset()  # could not restore: evaluate the whole prompt, as without this store
            return False
        llm.input_ids[: len(saved.tokens)] = saved.tokens
        llm.n_tokens = len(saved.tokens)
        self.restores += 1
        return True

    def _save(self, llm: Any, system_prompt: str) -> None:
        import llama_cpp

        cached = llm.input_ids[: llm.n_tokens]
        length = shared_prefix(cached, self._prefix_tokens(system_prompt))
        if length < MIN_PREFIX_TOKENS:
            return
        ctx = llm._ctx
        ctx.kv_cache_seq_rm(0, length, -1)  # keep the shared prefix only; the rest is about to be replaced
        llm.n_tokens = length
        size = llama_cpp.llama_state_seq_get_size(ctx.ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx.ctx, buffer, size, 0)
        if written:
            self._saved[system_prompt] = SavedPrefix(tuple(int(t) for t in cached[:length]), bytes(buffer)[:written])
