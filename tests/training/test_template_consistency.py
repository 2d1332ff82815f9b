"""Training and inference render the same prompt; the loss covers only the assistant turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.prompts import build_session_note_messages, build_training_messages
from summarizer.text import normalise_whitespace
from tests.training.synthetic import make_pair
from training.finetune import FineTuneConfig, FineTuner
from training.preprocess import PreprocessConfig, Preprocessor

_PIECE = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40) | st.sampled_from(
    ["\n", "{{RED:", "}}", "<<<", ">>>", "**Risk:**", "{% raw %}", "{{ x }}"]
)
_TEXT = st.lists(_PIECE, min_size=1, max_size=12).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(transcript=_TEXT, note=_TEXT)
def test_training_prompt_equals_inference_prompt(
    smol_tokenizer: Any, real_engine: Any, transcript: str, note: str
) -> None:
    messages = build_training_messages(transcript, note)
    full = smol_tokenizer.apply_chat_template(messages, tokenize=False)
    prompt = smol_tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    # llama.cpp renders the live prompt from the GGUF's own template metadata
    inference = real_engine.render_prompt(build_session_note_messages(transcript))
    assert prompt == inference
    assert full.startswith(prompt)
    assert full[len(prompt) :] == note + "<|im_end|>\n"


def test_token_ids_match_llama_cpp(smol_tokenizer: Any, real_engine: Any) -> None:
    from tests.conftest import SAMPLE_TRANSCRIPT

    messages = build_session_note_messages(SAMPLE_TRANSCRIPT)
    hf_ids = smol_tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, add_generation_prompt=True
    )["input_ids"]
    llama_ids = real_engine._require().tokenize(
        real_engine.render_prompt(messages).encode(), add_bos=False, special=True
    )
    assert list(hf_ids) == list(llama_ids)


def test_loss_mask_covers_exactly_the_assistant_turn(tiny_llama_dir: Path, tmp_path: Path) -> None:
    tuner = FineTuner(
        FineTuneConfig(
            base_model=tiny_llama_dir,
            train_csv=tmp_path / "unused.csv",
            output_dir=tmp_path / "run",
            max_steps=1,
        )
    )
    tokenizer = tuner.base.load_tokenizer()
    pre = Preprocessor(tokenizer, PreprocessConfig(max_seq_len=2048))
    pairs = [make_pair(i) for i in range(3)]
    prepared = [pre.prepare(t, n) for t, n in pairs]
    assert not any(p.transcript_truncated for p in prepared)
    trainer = tuner.build_trainer(tuner._load_model(), tokenizer, prepared, [])
    for row, (transcript, note) in zip(trainer.train_dataset, pairs, strict=True):
        ids, labels = row["input_ids"], row["labels"]
        first = next(i for i, label in enumerate(labels) if label != -100)
        assert all(label == -100 for label in labels[:first])
        assert labels[first:] == ids[first:]  # contiguous: every assistant token is trained
        assert tokenizer.decode(ids[first:]) == note + "<|im_end|>\n"  # note + end-of-turn, nothing else
        live_prompt = tokenizer.apply_chat_template(
            build_session_note_messages(normalise_whitespace(transcript)),
            tokenize=True,
            return_dict=True,
            add_generation_prompt=True,
        )["input_ids"]
        assert ids[:first] == list(live_prompt)
