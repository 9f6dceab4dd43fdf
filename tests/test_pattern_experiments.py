"""Each usage pattern, trained at a small size, beats a baseline that needs no learning.

The same experiment functions as notebooks 3 and 4, with fewer steps.
"""

import numpy as np

import rnnlib
from rnnlib.core.models import Acceptor, BiTransducer, EncoderDecoder, PairClassifier, Transducer, sample
from rnnlib.lessons import patterns as pe
from rnnlib.lessons import tasks


def test_acceptor_beats_chance():
    out = pe.train_acceptor(
        Acceptor(rnnlib.ElmanCell(4, 16, seed=0), rnnlib.Affine(16, 2, seed=0)), steps=300, progress=False
    )
    assert out.history.losses.shape == (300,)
    assert out.score >= 0.9 > out.baseline + 0.3  # "abc" detection: far above chance (0.5)
    assert out.details["majority class"] < 0.6  # and the classes are balanced, so chance is a fair baseline


def test_encoder_beats_chance():
    model = PairClassifier(rnnlib.ElmanCell(2, 16, seed=0), rnnlib.Affine(16, 2, seed=0))
    out = pe.train_pair_encoder(model, steps=500, progress=False)
    assert out.score >= 0.85 > out.baseline + 0.3  # counting through the final vectors: far above chance


def test_transducer_beats_word_by_word_tagging():
    model = Transducer(rnnlib.ElmanCell(32, 24, seed=0), rnnlib.Affine(24, 5, seed=0))
    out = pe.train_tagger(model, steps=200, progress=False)
    assert out.score >= 0.98 > out.baseline  # context beats each word's most frequent tag
    both = "Jordan, Georgia, Florence, Austin"
    # on the names that are people and places, the gap is large
    assert out.details[f"accuracy on {both}"] >= out.details[f"baseline on {both}"] + 0.3


def test_encoder_decoder_beats_chance():
    model = EncoderDecoder(
        rnnlib.ElmanCell(6, 32, seed=0), rnnlib.ElmanCell(7, 32, seed=1), rnnlib.Affine(32, 6, seed=0)
    )
    out = pe.train_reverser(model, steps=400, progress=False)
    assert out.details["symbol accuracy"] >= 0.9 > out.details["symbol chance"] + 0.5  # far above 1/6 per symbol
    assert out.score >= 0.6 > out.baseline  # and most whole sequences right, where chance is 6^-5


def test_generator_beats_a_bigram_model_and_temperature_matters():
    vocab = sorted(set(tasks.TEXT))
    V = len(vocab)
    model = Transducer(rnnlib.ElmanCell(V, 48, seed=0), rnnlib.Affine(48, V, seed=0))
    out = pe.train_char_generator(model, vocab, steps=250, batch_size=8, progress=False)
    assert out.score < out.baseline - 0.5  # fewer bits per character than the best bigram model
    cold = sample(model.cell, model.head, vocab.index("t"), 200, temperature=0.3, rng=0)
    hot = sample(model.cell, model.head, vocab.index("t"), 200, temperature=2.0, rng=0)
    entropy = lambda p: float(np.mean(-np.sum(p * np.log(p + 1e-300), axis=1)))  # noqa: E731
    assert entropy(cold.probs) < entropy(hot.probs)  # a higher temperature draws from flatter distributions


def test_bidirectional_beats_unidirectional_on_right_context():
    uni = Transducer(rnnlib.ElmanCell(32, 24, seed=0), rnnlib.Affine(24, 5, seed=0))
    bi = BiTransducer(rnnlib.ElmanCell(32, 24, seed=0), rnnlib.ElmanCell(32, 24, seed=1), rnnlib.Affine(48, 5, seed=0))
    out_uni = pe.train_right_context_tagger(uni, steps=200, progress=False)
    out_bi = pe.train_right_context_tagger(bi, steps=200, progress=False)
    # on the first word, whose tag depends on the words after it, the bidirectional tagger wins clearly
    assert out_bi.score >= 0.95
    assert out_bi.score - out_uni.score >= 0.3
    # at t = 1 the unidirectional tagger has read the first word alone: it cannot beat the best such tagger
    assert out_uni.score <= out_uni.baseline < 0.65
    assert out_bi.details["token accuracy"] > out_uni.details["token accuracy"]


def test_outcome_text():
    out = pe.Outcome(None, None, "test accuracy", 0.97, "chance", 0.5, 0.95)
    assert str(out) == "test accuracy: 0.97   (chance: 0.50; success: at least 0.95, reached)"
    low = pe.Outcome(None, None, "bits per character", 1.5, "bigram model", 2.3, 1.0, higher_is_better=False)
    assert not low.passed and "at most 1.00, NOT reached" in str(low)


def test_outcome_claim_states_the_success_level_not_the_score():
    # two runs whose scores differ in the digits but both pass make the same claim
    a = pe.Outcome(None, None, "test accuracy", 0.974, "chance", 0.5, 0.95)
    b = pe.Outcome(None, None, "test accuracy", 0.999, "chance", 0.5, 0.95)
    assert a.claim() == b.claim() == "test accuracy: at least 0.95, reached   (chance: 0.50)"
    low = pe.Outcome(None, None, "bits per character", 1.5, "bigram model", 2.3, 1.0, higher_is_better=False)
    assert low.claim() == "bits per character: at most 1.00, NOT reached   (bigram model: 2.30)"
