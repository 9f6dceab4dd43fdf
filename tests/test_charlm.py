"""The character-level language model of notebook 8 (rnnlib.lessons.charlm).

The measures are checked against references written here (counts in
Python dicts, a model's loss over one long run); the text against what the
notebook says about it; training on a small text must beat the unigram model.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

import rnnlib
from rnnlib.lessons import charlm


def test_vocab_is_newline_and_printable_ascii():
    assert len(charlm.VOCAB) == 96 and charlm.VOCAB[0] == "\n" and charlm.VOCAB[1] == " "
    text = "def f(x):\n    return x ~ 1\n"
    assert charlm.decode(charlm.encode(text)) == text
    # a tab and a non-ASCII letter are read as "?"
    assert charlm.decode(charlm.encode("a\tb\u00e9")) == "a?b?"


def test_the_stdlib_text_is_there_and_large():
    # every module of the list ships as a source file (what the notebook promises for Python 3.10+)
    text = charlm.stdlib_text()
    assert len(text) > 400_000
    corpus = charlm.make_corpus(text)
    assert corpus.unknown < 1e-3 * len(text)  # nearly every character is in VOCAB
    for name in charlm.STDLIB_MODULES:
        assert charlm.module_source(name) in text


def test_a_module_without_a_source_file_is_refused():
    with pytest.raises(ValueError, match="no source file"):
        charlm.module_source("sys")  # built into the interpreter
    with pytest.raises(ValueError, match="no source file"):
        charlm.module_source("no_such_module_here")


def test_make_corpus_holds_out_the_last_part():
    text = "abcdefghij" * 10  # 100 characters
    corpus = charlm.make_corpus(text, held_out=0.1)
    assert len(corpus.train) == 90 and len(corpus.test) == 10
    assert charlm.decode(corpus.test) == text[90:]
    with pytest.raises(ValueError, match="held_out"):
        charlm.make_corpus(text, held_out=1.0)


def test_bits_per_char_is_the_mean_of_minus_log2():
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    assert charlm.bits_per_char(probs, np.array([0, 2])) == pytest.approx((1 + -math.log2(0.8)) / 2, abs=1e-15)
    uniform = np.full((4, 96), 1 / 96)
    assert charlm.bits_per_char(uniform, np.arange(4)) == pytest.approx(math.log2(96), abs=1e-12)


def test_baselines_match_counts_written_out():
    train_text, test_text = "abracadabra arbre", "cabaret bar"
    train, test = charlm.encode(train_text), charlm.encode(test_text)
    V = len(charlm.VOCAB)
    uni, pairs = Counter(train_text), Counter(zip(train_text, train_text[1:]))
    first = Counter(train_text[:-1])
    uni_bits = np.mean([-math.log2((uni[c] + 1) / (len(train_text) + V)) for c in test_text[1:]])
    bi_bits = np.mean([-math.log2((pairs[a, b] + 1) / (first[a] + V)) for a, b in zip(test_text, test_text[1:])])
    assert charlm.unigram_bits(train, test) == pytest.approx(uni_bits, abs=1e-12)
    assert charlm.bigram_bits(train, test) == pytest.approx(bi_bits, abs=1e-12)


def test_held_out_bits_is_the_loss_of_reading_the_text():
    model = charlm.make_char_lm(hidden_size=8, seed=3, dtype=np.float64)
    ids = charlm.encode("for x in range(10):\n    print(x, x * x)\n" * 2)
    eye = np.eye(len(charlm.VOCAB))

    def read(piece):  # the summed -log2 p of a piece read from a zero state, from Transducer.forward
        logits, _ = model.forward(eye[piece[:-1]][:, None, :])
        return rnnlib.softmax_cross_entropy(logits, piece[1:, None]) * (len(piece) - 1) / math.log(2)

    # one column: the whole text in one run
    assert charlm.held_out_bits(model, ids, columns=1) == pytest.approx(read(ids) / (len(ids) - 1), rel=1e-12)
    # three columns of m pairs each, the last one reading on to the end
    m = (len(ids) - 1) // 3
    pieces = [ids[0 : m + 1], ids[m : 2 * m + 1], ids[2 * m :]]
    expect = sum(read(p) for p in pieces) / (len(ids) - 1)
    assert charlm.held_out_bits(model, ids, columns=3) == pytest.approx(expect, rel=1e-12)


def test_training_on_a_small_text_beats_the_unigram_model():
    text = "".join(f"def f{k}(self):\n    return self.x + {k}\n\n" for k in range(200))
    corpus = charlm.make_corpus(text)
    outcome = charlm.train_char_lm(corpus, hidden_size=32, steps=150, batch_size=16, length=32, lr=0.02,
                                   eval_every=50, progress=False)  # fmt: skip
    assert outcome.score < outcome.details["unigram bits"] - 1.0
    assert outcome.baseline == charlm.bigram_bits(corpus.train, corpus.test)
    assert outcome.details["held-out curve"].shape == (4, 2)  # steps 0, 50, 100 and the end
    assert outcome.details["held-out curve"][-1, 1] > 0
    assert outcome.details["train curve"].shape == (150,)


def test_write_is_seeded_and_uses_the_vocab():
    model = charlm.make_char_lm(hidden_size=8, seed=0)
    a = charlm.write(model, 50, temperature=0.8, seed=1, prompt="def ")
    assert a == charlm.write(model, 50, temperature=0.8, seed=1, prompt="def ")
    assert len(a) == 50 and set(a) <= set(charlm.VOCAB)
    with pytest.raises(ValueError, match="prompt"):
        charlm.write(model, 5, prompt="\t")


def test_write_from_one_character_is_the_courses_generator():
    # with a one-character prompt, write draws what rnnlib.core.models.sample draws
    from rnnlib.core.models import sample

    model = charlm.make_char_lm(hidden_size=8, seed=2, dtype=np.float64)
    drawn = sample(model.cell, model.head, charlm.VOCAB.index("\n"), 30, 0.9, rng=np.random.default_rng(4)).ids
    assert charlm.write(model, 30, temperature=0.9, seed=4, prompt="\n") == charlm.decode(drawn)


def test_low_temperature_writes_the_most_likely_characters():
    # temperature near 0 leaves no choice: every character is the most likely one
    model = charlm.make_char_lm(hidden_size=8, seed=3, dtype=np.float64)
    assert charlm.write(model, 20, temperature=1e-3, seed=0) == charlm.write(model, 20, temperature=1e-3, seed=9)


def test_a_stacked_model_is_read_and_trained_the_same_way():
    # held_out_bits and write step through every layer; for one layer they match the Transducer
    from rnnlib.lessons.stacked import StackedTransducer

    one = charlm.make_char_lm(hidden_size=8, seed=5, dtype=np.float64)
    as_stack = StackedTransducer([one.cell], one.head)
    ids = charlm.encode("while True:\n    pass\n" * 3)
    assert charlm.held_out_bits(as_stack, ids, columns=2) == charlm.held_out_bits(one, ids, columns=2)
    assert charlm.write(as_stack, 20, seed=3, prompt="if ") == charlm.write(one, 20, seed=3, prompt="if ")

    cells = [rnnlib.LSTMCell(96, 8, seed=1), rnnlib.GRUCell(8, 6, seed=2)]
    two = StackedTransducer(cells, rnnlib.Affine(6, 96, seed=3))
    eye = np.eye(96)
    logits, _ = two.forward(eye[ids[:-1]][:, None, :])  # the whole text as one column
    expect = rnnlib.softmax_cross_entropy(logits, ids[1:, None]) / math.log(2)
    assert charlm.held_out_bits(two, ids, columns=1) == pytest.approx(expect, rel=1e-12)

    corpus = charlm.make_corpus("def f(x):\n    return x\n" * 40)
    outcome = charlm.train_char_lm(corpus, model=two, steps=5, batch_size=4, length=8, eval_every=5, progress=False)
    assert outcome.model is two
    with pytest.raises(ValueError, match="96 symbols"):
        charlm.held_out_bits(charlm.Transducer(rnnlib.LSTMCell(5, 4), rnnlib.Affine(4, 5)), ids, columns=2)
