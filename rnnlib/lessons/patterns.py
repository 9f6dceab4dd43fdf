"""The experiments of notebooks 3 and 4: train each usage pattern on its task, and measure it.

Each function takes a model that the caller built (so a notebook shows how
it is built), trains it with `rnnlib.core.train.fit` on a task of rnnlib.lessons.tasks,
and returns an `Outcome`: the metric on fresh test data, a baseline that
needs no learning, and the success level the experiment is meant to reach.
A baseline is chance (a property of how the task is drawn) or a rule counted
on the training data only, then scored on the test data like the model.

    train_acceptor(Acceptor(...))                 "abc" detection: accuracy vs chance
    train_pair_encoder(PairClassifier(...))       same number of a's: accuracy vs chance
    train_tagger(Transducer(...))                 names and places: token accuracy vs the
                                                  most frequent tag of each word in training
    train_reverser(EncoderDecoder(...))           reverse 5 symbols: whole-sequence accuracy vs chance
    train_char_generator(Transducer(...), vocab)  next character of lines it never saw: bits per
                                                  character vs a bigram model of the training lines
    train_right_context_tagger(tagger)            tags decided by the words after: accuracy on the
                                                  ambiguous first word vs the first-word rule
                                                  counted on the training sentences; and a bound:
                                                  the best any first-word rule scores on the test

The data are drawn from fixed seeds, the training batches from `seed`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

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


def acceptor_data():
    """The acceptor's task as arrays: ((xs (12, 3000, 4), labels (3000,)), (test xs (12, 1000, 4), test labels)).

    Strings of 12 letters of "abcd", one-hot, time-major; a label is 1 when "abc" occurs in the string.
    """
    strings, labels = tasks.contains_pattern(3000, 12, seed=101)
    test_strings, test_labels = tasks.contains_pattern(1000, 12, seed=202)
    return (tasks.one_hot_strings(strings, "abcd"), labels), (tasks.one_hot_strings(test_strings, "abcd"), test_labels)


def train_acceptor(model, steps: int = 600, batch_size: int = 32, lr: float = 0.01, seed=0, progress=True) -> Outcome:
    """Train an Acceptor on acceptor_data() (is "abc" in a string of 12 letters of "abcd"?).

    Each step reads batch_size training strings drawn with np.random.default_rng(seed),
    Adam at lr, gradients clipped to norm 5. The Outcome's baseline is chance (the
    classes are drawn balanced); details["majority class"] is the test accuracy of
    always answering the class that is more common among the training labels.
    """
    (xs, labels), (test_xs, test_labels) = acceptor_data()
    history = _fit(
        model, _batches(len(labels), batch_size, seed, lambda i: (xs[:, i], labels[i])), steps, lr, progress, "acceptor"
    )
    accuracy = float(np.mean(model.predict(test_xs) == test_labels))
    majority = int(np.mean(labels) > 0.5)  # the more common class among the training labels
    details = {"majority class": float(np.mean(test_labels == majority))}
    return Outcome(model, history, "test accuracy", accuracy, "chance", 0.5, 0.95, details=details)


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


def generator_texts(n_train: int = 120, n_held_out: int = 20, seed=113) -> tuple[str, str]:
    """The generator's text: (training lines, held-out lines), drawn from tasks.grammar_lines.

    The held-out lines are lines that do not occur among the training lines,
    so a model is measured on text it has never read.
    """
    lines = tasks.grammar_lines(n_train + 4 * n_held_out, seed=seed)
    train = lines[:n_train]
    seen = set(train)
    held_out = [line for line in lines[n_train:] if line not in seen][:n_held_out]
    return "".join(train), "".join(held_out)


def _char_ids(vocab, text: str) -> np.ndarray:
    index = {c: i for i, c in enumerate(vocab)}
    missing = sorted(set(text) - set(index))
    if missing:
        raise ValueError(f"text holds characters that are not in vocab: {missing}")
    return np.array([index[c] for c in text])


def bits_per_char(model, vocab, text: str) -> float:
    """The model's mean -log2 p(next character) over `text`, reading it from the start in one run."""
    from rnnlib.core.losses import softmax_cross_entropy

    ids = _char_ids(vocab, text)
    xs = np.eye(len(vocab), dtype=model.cell.dtype)[ids[:-1]][:, None, :]  # (T, 1, V)
    logits, _ = model.forward(xs)
    return softmax_cross_entropy(logits, ids[1:, None]) / np.log(2)


def unigram_bits_per_char(vocab, train: str, text: str) -> float:
    """Bits per character on `text` of the model p(c) = (count of c in train + 1) / (len(train) + V).

    The counts come from `train` only; the extra 1 (add-one smoothing) keeps a
    character that train never shows from getting probability 0.
    """
    counts = np.bincount(_char_ids(vocab, train), minlength=len(vocab)) + 1.0
    p = counts / counts.sum()
    return float(-np.mean(np.log2(p[_char_ids(vocab, text)[1:]])))


def bigram_bits_per_char(vocab, train: str, text: str) -> float:
    """Bits per character on `text` of the bigram model p(next | this character), counted in `train`.

    p(b | a) = (count of "ab" in train + 1) / (count of "a" followed by anything + V):
    add-one smoothing, so that a pair never seen in train keeps a small probability.
    """
    ids = _char_ids(vocab, train)
    counts = np.ones((len(vocab), len(vocab)))
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    p = counts / counts.sum(axis=1, keepdims=True)
    test = _char_ids(vocab, text)
    return float(-np.mean(np.log2(p[test[:-1], test[1:]])))


def train_char_generator(
    model,
    vocab,
    steps: int = 600,
    batch_size: int = 8,
    length: int = 32,
    lr: float = 0.01,
    seed=0,
    texts: tuple[str, str] | None = None,
    progress=True,
) -> Outcome:
    """Train a Transducer to predict the next character of the training lines; measure it on the held-out lines.

    texts: (training text, held-out text), default generator_texts(). The model
    trains on 2000 windows of `length` characters of the training text. The
    score is bits per character on the held-out text; the baseline, the bigram
    model counted on the training text and scored on the held-out text.
    details: the unigram model's held-out bits per character (also counted on
    the training text), and the model's bits per character on its training text.
    """
    train, held_out = generator_texts() if texts is None else texts
    windows_vocab, inputs, targets = tasks.text_windows(train, 2000, length, seed=109)
    if list(vocab) != windows_vocab:
        raise ValueError("vocab must be sorted(set(training text)), the characters of the training text in order")
    eye = np.eye(len(vocab), dtype=model.cell.dtype)
    take = lambda i: (eye[inputs[i].T], targets[i].T, None)  # noqa: E731
    history = _fit(model, _batches(2000, batch_size, seed, take), steps, lr, progress, "generator")
    details = {
        "unigram model of the training lines": unigram_bits_per_char(vocab, train, held_out),
        "the model, on its training lines": bits_per_char(model, vocab, train),
    }
    return Outcome(
        model,
        history,
        "bits per character on held-out lines",
        bits_per_char(model, vocab, held_out),
        "bigram model of the training lines",
        bigram_bits_per_char(vocab, train, held_out),
        1.0,
        higher_is_better=False,
        details=details,
    )


# ---------------------------------------------------------------------------
# notebook 4: a tag that depends on the words after


def first_word_rule(sentences) -> dict:
    """The tag each first word has most often in `sentences`: {word: tag} (ties: the tag met first)."""
    counts = defaultdict(Counter)
    for tokens, tags in sentences:
        counts[tokens[0]][tags[0]] += 1
    return {word: c.most_common(1)[0][0] for word, c in counts.items()}


def first_word_accuracy(rule: dict, sentences) -> float:
    """The fraction of `sentences` whose first tag is rule[first word] (a word the rule lacks counts as wrong)."""
    return float(np.mean([rule.get(tokens[0]) == tags[0] for tokens, tags in sentences]))


def best_from_first_word(sentences) -> float:
    """A bound: the best accuracy on the first word that any rule reading only that word scores on `sentences`.

    Such a rule gives each word one tag whatever follows; on these very
    sentences, no choice beats the tag each word has most often among them.
    So this is an upper bound, on this set, for a left-to-right tagger, which
    at t = 1 has read x_1 alone. It peeks at the answers of `sentences`: a bound,
    never a baseline. (It equals first_word_accuracy(first_word_rule(s), s).)
    """
    counts = defaultdict(Counter)
    for tokens, tags in sentences:
        counts[tokens[0]][tags[0]] += 1
    return sum(c.most_common(1)[0][1] for c in counts.values()) / len(sentences)


class FirstWordScores(NamedTuple):
    bound: np.ndarray  # (n_sets,) best_from_first_word of each fresh test set
    rule: np.ndarray  # (n_sets,) first_word_accuracy of the given rule on each fresh test set


def first_word_scores_on_fresh_sets(rule: dict, n_sets: int = 200, size: int = 500, seed=300) -> FirstWordScores:
    """The bound and a rule's accuracy on n_sets fresh test sets of tasks.right_context_tagging(size).

    Set k is drawn with seed + k. Shows what each number is on average: the rule's
    accuracy, 0.5 (each reading of a first word is equally likely); the bound, above 0.5.
    """
    bound, scores = [], []
    for k in range(n_sets):
        sentences = tasks.right_context_tagging(size, seed=seed + k)
        bound.append(best_from_first_word(sentences))
        scores.append(first_word_accuracy(rule, sentences))
    return FirstWordScores(np.array(bound), np.array(scores))


def right_context_data():
    """The right-context task: (2000 training sentences, 500 test sentences) of tasks.right_context_tagging."""
    return tasks.right_context_tagging(2000, seed=111), tasks.right_context_tagging(500, seed=212)


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
    """Train a tagger on right_context_data(); the metric is the accuracy on each sentence's first word.

    The baseline is the first-word rule counted on the training sentences,
    scored on the test sentences. details["bound on the first word"] is
    best_from_first_word(test): no left-to-right tagger can beat it on this test set.
    """
    train, test = right_context_data()
    history = _train_tagger(model, train, steps, batch_size, lr, seed, progress, label, dim)
    predicted = predict_tags(model, [t for t, _ in test], dim)
    first = lambda tokens, t: t == 0  # noqa: E731
    details = {
        "token accuracy": _tag_accuracy(predicted, test),
        "sentences all right": float(np.mean([p == tags for p, (_, tags) in zip(predicted, test)])),
        "bound on the first word": best_from_first_word(test),
    }
    return Outcome(
        model,
        history,
        "accuracy on the first word",
        _tag_accuracy(predicted, test, first),
        "first-word rule of the training sentences",
        first_word_accuracy(first_word_rule(train), test),
        0.95,
        details=details,
    )
