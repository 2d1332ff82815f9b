"""Fixtures for the training tests: the real SmolLM2 tokenizer, tiny random models saved as HF dirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BASE_GGUF = REPO / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

# Phi-3-mini-4k-instruct's chat template (ends the rendering with eos unless asking for a reply).
PHI3_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}"
    "{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}"
    "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}"
)
PHI3_SPECIAL_TOKENS = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]


def _require_base() -> None:
    if not BASE_GGUF.is_file():
        pytest.skip("bundled SmolLM2 GGUF missing: run `python manage.py fetch_model`")


@pytest.fixture(scope="session")
def smol_tokenizer() -> Any:
    _require_base()
    from training.base_model import BaseModelRef

    return BaseModelRef.from_path(BASE_GGUF).load_tokenizer()


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory, smol_tokenizer: Any) -> Path:
    """A randomly initialised 2-layer llama with SmolLM2's tokenizer and ChatML template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(smol_tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        pad_token_id=smol_tokenizer.pad_token_id,
        eos_token_id=smol_tokenizer.eos_token_id,
        bos_token_id=smol_tokenizer.bos_token_id,
    )
    path = tmp_path_factory.mktemp("tiny-llama")
    LlamaForCausalLM(config).save_pretrained(path)
    smol_tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def phi3_tokenizer(tmp_path_factory: pytest.TempPathFactory, smol_tokenizer: Any) -> Any:
    """No hub access here: SmolLM2's vocabulary plus Phi-3's special tokens and chat template."""
    from transformers import AutoTokenizer

    path = tmp_path_factory.mktemp("phi3-tok")
    smol_tokenizer.save_pretrained(path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.add_special_tokens({"additional_special_tokens": PHI3_SPECIAL_TOKENS})
    tokenizer.eos_token = "<|end|>"
    tokenizer.pad_token = "<|end|>"
    tokenizer.chat_template = PHI3_CHAT_TEMPLATE
    return tokenizer


@pytest.fixture(scope="session")
def tiny_phi3_dir(tmp_path_factory: pytest.TempPathFactory, phi3_tokenizer: Any) -> Path:
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM

    torch.manual_seed(0)
    config = Phi3Config(
        vocab_size=len(phi3_tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        pad_token_id=phi3_tokenizer.pad_token_id,
        eos_token_id=phi3_tokenizer.eos_token_id,
        bos_token_id=phi3_tokenizer.bos_token_id,
    )
    path = tmp_path_factory.mktemp("tiny-phi3")
    Phi3ForCausalLM(config).save_pretrained(path)
    phi3_tokenizer.save_pretrained(path)
    return path
