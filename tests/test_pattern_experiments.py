"""Each usage pattern, trained at a small size, beats a baseline that needs no learning.

The same experiment functions as notebooks 3 and 4, with fewer steps.
"""

import numpy as np

import rnnlib
from rnnlib.core.models import Acceptor, BiTransducer, EncoderDecoder, PairClassifier, Transducer, sample
from rnnlib.lessons import patterns as pe


def test_acceptor_beats_chance():
    out = pe.train_acceptor(
        Acceptor(rnnlib.ElmanCell(4, 16, seed=0), rnnlib.Affine(16, 2, seed=0)), steps=300, progress=False
    )
    assert out.history.losses.shape == (300,)
    assert out.score >= 0.9 > out.baseline + 0.3  # "abc" detection: far above chance (0.5)
    # the rule "always the class most common in training" scores near 0.5 on the test: chance is a fair baseline
    assert 0.4 < out.details["majority class"] < 0.6
    (_, train_labels), (_, test_labels) = pe.acceptor_data()
    majority = int(train_labels.mean() > 0.5)  # counted on the training labels, never the test's
    assert out.details["majority class"] == np.mean(test_labels == majority)


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


def test_generator_beats_a_bigram_model_on_held_out_lines_and_temperature_matters():
    train, held_out = pe.generator_texts()
    assert not set(train.splitlines()) & set(held_out.splitlines())  # held-out lines are never training lines
    vocab = sorted(set(train))
    V = len(vocab)
    model = Transducer(rnnlib.ElmanCell(V, 48, seed=0), rnnlib.Affine(48, V, seed=0))
    out = pe.train_char_generator(model, vocab, steps=250, batch_size=8, progress=False)
    # on lines it never read, fewer bits per character than the bigram and unigram models of the training lines
    assert out.score < out.baseline - 0.5 < out.details["unigram model of the training lines"] - 1.0
    # and about as few as on its training lines: it has learned the grammar, not the lines by heart
    assert abs(out.score - out.details["the model, on its training lines"]) < 0.3
    cold = sample(model.cell, model.head, vocab.index("t"), 200, temperature=0.3, rng=0)
    hot = sample(model.cell, model.head, vocab.index("t"), 200, temperature=2.0, rng=0)
    entropy = lambda p: float(np.mean(-np.sum(p * np.log(p + 1e-300), axis=1)))  # noqa: E731
    assert entropy(cold.probs) < entropy(hot.probs)  # a higher temperature draws from flatter distributions


def test_character_baselines_are_counted_on_the_training_text_only():
    vocab = list("ab")
    # training text "abab...": after a comes b, after b comes a; with add-one counts p(b | a) = (n + 1) / (n + 2)
    train = "ab" * 50
    n = 50  # "ab" occurs 50 times, "ba" 49 times
    expect = -(np.log2((n + 1) / (n + 2)) + np.log2((n - 1 + 1) / (n - 1 + 2))) / 2
    assert np.isclose(pe.bigram_bits_per_char(vocab, train, "aba"), expect)
    # a pair never seen in training costs log2 of a small but non-zero probability, not infinity
    assert np.isfinite(pe.bigram_bits_per_char(vocab, train, "aa"))
    # the unigram model: 50 a's and 50 b's, so 1 bit whatever the text it is scored on
    assert np.isclose(pe.unigram_bits_per_char(vocab, train, "aaaa"), 1.0)


def test_first_word_rule_is_counted_on_training_and_the_bound_on_the_test():
    train, test = pe.right_context_data()
    rule = pe.first_word_rule(train)
    assert set(rule) == {tokens[0] for tokens, _ in train}  # one tag per first word, counted on training
    # the bound is the same kind of rule, but fitted to the test sentences' own answers
    assert pe.best_from_first_word(test) == pe.first_word_accuracy(pe.first_word_rule(test), test)
    assert pe.first_word_accuracy(rule, test) <= pe.best_from_first_word(test)  # no first-word rule beats the bound
    fresh = pe.first_word_scores_on_fresh_sets(rule, n_sets=50)
    assert abs(fresh.rule.mean() - 0.5) < 0.02  # each reading equally likely: any fixed rule averages 0.5
    assert fresh.bound.mean() > 0.52 and np.all(fresh.bound >= fresh.rule)  # the bound is above 0.5 by sampling


def test_bidirectional_beats_unidirectional_on_right_context():
    uni = Transducer(rnnlib.ElmanCell(32, 24, seed=0), rnnlib.Affine(24, 5, seed=0))
    bi = BiTransducer(rnnlib.ElmanCell(32, 24, seed=0), rnnlib.ElmanCell(32, 24, seed=1), rnnlib.Affine(48, 5, seed=0))
    out_uni = pe.train_right_context_tagger(uni, steps=200, progress=False)
    out_bi = pe.train_right_context_tagger(bi, steps=200, progress=False)
    # on the first word, whose tag depends on the words after it, the bidirectional tagger wins clearly
    assert out_bi.score >= 0.95
    assert out_bi.score - out_uni.score >= 0.3
    # at t = 1 the unidirectional tagger has read the first word alone: it cannot beat the bound of such rules
    assert out_uni.score <= out_uni.details["bound on the first word"] < 0.65
    # the baseline: the first-word rule of the training sentences, about 0.5 on the test
    train, test = pe.right_context_data()
    assert out_uni.baseline == pe.first_word_accuracy(pe.first_word_rule(train), test) < 0.55
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
