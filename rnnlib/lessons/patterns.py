"""The experiments of notebooks 3 and 4: train each usage pattern on its task, and measure it.

Each function takes a model that the caller built (so a notebook shows how
it is built), trains it with `rnnlib.core.train.fit` on a task of rnnlib.lessons.tasks,
and returns an `Outcome`: the metric on fresh test data, a baseline that
needs no learning, and the success level the experiment is meant to reach.

    train_acceptor(Acceptor(...))                 "abc" detection: accuracy vs chance
    train_pair_encoder(PairClassifier(...))       same number of a's: accuracy vs chance
    train_tagger(Transducer(...))                 names and places: token accuracy vs the
                                                  most frequent tag of each word
    train_reverser(EncoderDecoder(...))           reverse 5 symbols: whole-sequence accuracy vs chance
    train_char_generator(Transducer(...), vocab)  next character of tasks.TEXT: bits per character
                                                  vs a bigram model
    train_right_context_tagger(tagger)            tags decided by the words after: accuracy on the
                                                  ambiguous first word vs the best any tagger can do
                                                  that has read that word alone

The data are drawn from fixed seeds, the training batches from `seed`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from rnnlib.core.optim import Adam
from rnnlib.core.train import History, fit
from rnnlib.lessons import tasks
from rnnlib.lessons.outcome import Outcome


def _batches(n: int, batch_size: int, seed, take):
    """next_batch for fit: `take(indices)` of batch_size random examples out of n, drawn from `seed`."""
    rng = np.random.default_rng(seed)

    def next_batch(step: int):
        return take(rng.integers(0, n, size=batch_size))

    return next_batch


def _fit(model, next_batch, steps, lr, progress, label) -> History:
    opt = Adam(model.params, lr=lr)
    return fit(
        model.loss_and_grads, model.params, next_batch, steps, opt, clip_norm=5.0, progress=progress, label=label
    )


# ---------------------------------------------------------------------------
# acceptor


def train_acceptor(model, steps: int = 600, batch_size: int = 32, lr: float = 0.01, seed=0, progress=True) -> Outcome:
    """Train an Acceptor on tasks.contains_pattern (strings of 12 letters of "abcd"; is "abc" in it?)."""
    strings, labels = tasks.contains_pattern(3000, 12, seed=101)
    test_strings, test_labels = tasks.contains_pattern(1000, 12, seed=202)
    xs = tasks.one_hot_strings(strings, "abcd")
    history = _fit(
        model, _batches(3000, batch_size, seed, lambda i: (xs[:, i], labels[i])), steps, lr, progress, "acceptor"
    )
    accuracy = float(np.mean(model.predict(tasks.one_hot_strings(test_strings, "abcd")) == test_labels))
    majority = float(max(np.mean(test_labels), 1 - np.mean(test_labels)))
    return Outcome(model, history, "test accuracy", accuracy, "chance", 0.5, 0.95, details={"majority class": majority})


# ---------------------------------------------------------------------------
# encoder


def _pair_inputs(pairs):
    return (tasks.one_hot_strings([a for a, _ in pairs], "ab"), tasks.one_hot_strings([b for _, b in pairs], "ab"))


def train_pair_encoder(
    model, steps: int = 800, batch_size: int = 32, lr: float = 0.01, seed=0, progress=True
) -> Outcome:
    """Train a PairClassifier on tasks.same_count_pairs (two strings of 8 letters of "ab"; as many a's?)."""
    pairs, labels = tasks.same_count_pairs(3000, 8, seed=103)
    test_pairs, test_labels = tasks.same_count_pairs(1000, 8, seed=204)
    xs_1, xs_2 = _pair_inputs(pairs)
    history = _fit(
        model,
        _batches(3000, batch_size, seed, lambda i: ((xs_1[:, i], xs_2[:, i]), labels[i])),
        steps,
        lr,
        progress,
        "encoder",
    )
    accuracy = float(np.mean(model.predict(_pair_inputs(test_pairs)) == test_labels))
    return Outcome(model, history, "test accuracy", accuracy, "chance", 0.5, 0.95)


# ---------------------------------------------------------------------------
# transducer


def word_majority_tags(train, sentences) -> list[list[str]]:
    """The baseline tagger that ignores context: each word gets the tag it had most often in `train` (O if unseen)."""
    counts = defaultdict(Counter)
    for tokens, tags in train:
        for word, tag in zip(tokens, tags):
            counts[word][tag] += 1
    # ties go to the tag seen first, so the baseline is the same on every run
    return [[counts[w].most_common(1)[0][0] if w in counts else "O" for w in tokens] for tokens, _ in sentences]


def _tag_accuracy(predicted: list[list[str]], sentences, where=None) -> float:
    """The fraction of tokens tagged right; where(tokens, t) picks which tokens count (all when None)."""
    right = [
        p == g
        for pred, (tokens, gold) in zip(predicted, sentences)
        for t, (p, g) in enumerate(zip(pred, gold))
        if where is None or where(tokens, t)
    ]
    return float(np.mean(right))


def predict_tags(model, token_lists, dim: int = 32) -> list[list[str]]:
    """A tagger's tags for each sentence, given as a list of tokens: [["John", "lives", ...], ...]."""
    token_lists = [list(tokens) for tokens in token_lists]
    xs, _, mask = tasks.tagging_batch([(tokens, ["O"] * len(tokens)) for tokens in token_lists], dim)
    ids = model.predict(xs, mask)  # (T, B)
    return [[tasks.TAGS[k] for k in ids[: len(tokens), b]] for b, tokens in enumerate(token_lists)]


def _train_tagger(model, train, steps, batch_size, lr, seed, progress, label, dim):
    xs, targets, mask = tasks.tagging_batch(train, dim)
    take = lambda i: (xs[:, i], targets[:, i], mask[:, i])  # noqa: E731
    return _fit(model, _batches(len(train), batch_size, seed, take), steps, lr, progress, label)


_BOTH = {"Jordan", "Georgia", "Florence", "Austin"}  # names that are people in some sentences, places in others


def train_tagger(
    model, steps: int = 300, batch_size: int = 32, lr: float = 0.01, seed=0, dim: int = 32, progress=True
) -> Outcome:
    """Train a tagger (Transducer or BiTransducer) on tasks.names_and_places; inputs are word vectors of size dim."""
    train, test = tasks.names_and_places(2000, seed=105), tasks.names_and_places(500, seed=206)
    history = _train_tagger(model, train, steps, batch_size, lr, seed, progress, "transducer", dim)
    predicted, baseline = predict_tags(model, [t for t, _ in test], dim), word_majority_tags(train, test)
    both = lambda tokens, t: tokens[t] in _BOTH  # noqa: E731
    details = {
        "accuracy on Jordan, Georgia, Florence, Austin": _tag_accuracy(predicted, test, both),
        "baseline on Jordan, Georgia, Florence, Austin": _tag_accuracy(baseline, test, both),
        "entities found exactly, of all true ones": _span_recall(predicted, test),
    }
    return Outcome(
        model,
        history,
        "token accuracy",
        _tag_accuracy(predicted, test),
        "each word's most frequent tag",
        _tag_accuracy(baseline, test),
        0.99,
        details=details,
    )


def _span_recall(predicted, sentences) -> float:
    gold = [set(tasks.bio_spans(tags)) for _, tags in sentences]
    found = [set(tasks.bio_spans(p)) for p in predicted]
    return float(sum(len(g & f) for g, f in zip(gold, found)) / sum(len(g) for g in gold))


# ---------------------------------------------------------------------------
# encoder-decoder


def reverser_batch(model, sources, targets):
    """((one-hot sources (T, B, K), decoder inputs (M, B, K + 1)), targets (M, B)) from (B, T) and (B, M) ids."""
    eye = np.eye(model.n_symbols, dtype=model.encoder.dtype)
    return (eye[sources.T], model.start_inputs(targets.T)), targets.T


def train_reverser(
    model, steps: int = 600, batch_size: int = 32, lr: float = 0.01, seed=0, kind: str = "reverse", progress=True
) -> Outcome:
    """Train an EncoderDecoder on tasks.sequence_pairs: read 5 symbols of 6, write them reversed (or copied).

    Tested on 500 sources that never occur among the 4000 training sources.
    """
    K, length = model.n_symbols, 5
    sources, targets = tasks.sequence_pairs(4000, length, K, kind, seed=107)
    test_sources, test_targets = tasks.sequence_pairs(2000, length, K, kind, seed=208)
    seen = set(map(tuple, sources))
    unseen = np.array([tuple(s) not in seen for s in test_sources])
    test_sources, test_targets = test_sources[unseen][:500], test_targets[unseen][:500]  # none of them seen in training
    history = _fit(
        model,
        _batches(4000, batch_size, seed, lambda i: reverser_batch(model, sources[i], targets[i])),
        steps,
        lr,
        progress,
        "encoder-decoder",
    )
    written = model.generate(np.eye(K)[test_sources.T], length).T  # (B, M), its own choices fed back
    sequence_acc = float(np.mean(np.all(written == test_targets, axis=1)))
    details = {"symbol accuracy": float(np.mean(written == test_targets)), "symbol chance": 1.0 / K}
    return Outcome(
        model, history, "whole sequences right", sequence_acc, "chance", float(K**-length), 0.9, details=details
    )


# ---------------------------------------------------------------------------
# generator


def bits_per_char(model, vocab, text: str) -> float:
    """The model's mean -log2 p(next character) over `text`, reading it from the start in one run."""
    from rnnlib.core.losses import softmax_cross_entropy

    ids = np.array([vocab.index(c) for c in text])
    xs = np.eye(len(vocab), dtype=model.cell.dtype)[ids[:-1]][:, None, :]  # (T, 1, V)
    logits, _ = model.forward(xs)
    return softmax_cross_entropy(logits, ids[1:, None]) / np.log(2)


def bigram_bits_per_char(vocab, text: str) -> float:
    """The same measure for the best bigram model of `text`: p(next | this character), counted in the text."""
    ids = np.array([vocab.index(c) for c in text])
    counts = np.zeros((len(vocab), len(vocab)))
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    p = counts / counts.sum(axis=1, keepdims=True).clip(min=1.0)
    return float(-np.mean(np.log2(p[ids[:-1], ids[1:]])))


def train_char_generator(
    model,
    vocab,
    steps: int = 400,
    batch_size: int = 32,
    length: int = 32,
    lr: float = 0.01,
    seed=0,
    text: str = tasks.TEXT,
    progress=True,
) -> Outcome:
    """Train a Transducer to predict the next character of `text` (windows of `length` characters)."""
    windows_vocab, inputs, targets = tasks.text_windows(text, 2000, length, seed=109)
    if list(vocab) != windows_vocab:
        raise ValueError("vocab must be sorted(set(text)), the characters of the text in order")
    eye = np.eye(len(vocab), dtype=model.cell.dtype)
    take = lambda i: (eye[inputs[i].T], targets[i].T, None)  # noqa: E731
    history = _fit(model, _batches(2000, batch_size, seed, take), steps, lr, progress, "generator")
    unigram = np.bincount([vocab.index(c) for c in text], minlength=len(vocab)) / len(text)
    details = {"unigram bits per character": float(-np.sum(unigram * np.log2(unigram)))}
    return Outcome(
        model,
        history,
        "bits per character",
        bits_per_char(model, vocab, text),
        "bigram model",
        bigram_bits_per_char(vocab, text),
        1.0,
        higher_is_better=False,
        details=details,
    )


# ---------------------------------------------------------------------------
# notebook 4: a tag that depends on the words after


def best_from_first_word(sentences) -> float:
    """The best accuracy on the first word of any tagger that has read only that word.

    Such a tagger gives each word one tag whatever follows; the best choice
    is the tag the word has most often in `sentences` themselves, so this is
    an upper bound for a left-to-right tagger, which at t = 1 has read x_1 alone.
    """
    counts = defaultdict(Counter)
    for tokens, tags in sentences:
        counts[tokens[0]][tags[0]] += 1
    return sum(c.most_common(1)[0][1] for c in counts.values()) / len(sentences)


def train_right_context_tagger(
    model,
    steps: int = 300,
    batch_size: int = 32,
    lr: float = 0.01,
    seed=0,
    dim: int = 32,
    progress=True,
    label: str = "tagger",
) -> Outcome:
    """Train a tagger on tasks.right_context_tagging; the metric is the accuracy on each sentence's first word."""
    train, test = tasks.right_context_tagging(2000, seed=111), tasks.right_context_tagging(500, seed=212)
    history = _train_tagger(model, train, steps, batch_size, lr, seed, progress, label, dim)
    predicted = predict_tags(model, [t for t, _ in test], dim)
    first = lambda tokens, t: t == 0  # noqa: E731
    details = {
        "token accuracy": _tag_accuracy(predicted, test),
        "sentences all right": float(np.mean([p == tags for p, (_, tags) in zip(predicted, test)])),
    }
    return Outcome(
        model,
        history,
        "accuracy on the first word",
        _tag_accuracy(predicted, test, first),
        "best possible from the first word alone",
        best_from_first_word(test),
        0.95,
        details=details,
    )
