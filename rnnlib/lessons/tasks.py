"""Every synthetic task of the course, seeded: the usage patterns of notebooks 3 and 4, and the memory tasks.

Every generator takes a `seed` and draws from np.random.default_rng(seed)
only, so the same call gives the same data on every run and machine. Nothing
is downloaded or read from a file.

    pattern          task                                    generator
    acceptor         does a string contain "abc"?            contains_pattern(n, length, seed)
    encoder          same number of "a" in two strings?       same_count_pairs(n, length, seed)
    transducer       tag the names and places of a sentence  names_and_places(n, seed)
    encoder-decoder  write a sequence reversed (or copied)   sequence_pairs(n, length, n_symbols, kind, seed)
    generator        write text one character at a time      TEXT, text_windows(text, n, length, seed),
                                                             grammar_lines(n, seed): as many lines as wanted,
                                                             follows_grammar(line): could it have written it?
    bidirectional    tags that depend on the words after     right_context_tagging(n, seed)

and the memory tasks of notebooks 5 to 7:

    delayed echo     output the symbol read `delay` steps ago    echo_data(n, T, delay, K, seed)
    adding problem   add the two marked values of T              adding_problem(T, n, seed)
    copy task        recall L symbols after a delay              copy_task(length, delay, n, n_symbols, seed)

Tags follow the BIO scheme: B-PER begins a person's name, I-PER continues
it, B-LOC and I-LOC the same for a place, O is every other word.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.lessons.text import word_vectors

# ---------------------------------------------------------------------------
# acceptor: does the string contain the pattern?


def contains_pattern(n: int, length: int = 12, pattern: str = "abc", alphabet: str = "abcd", seed=0):
    """n random strings over `alphabet`, half of them containing `pattern`.

    Returns (strings: list of n str, labels: (n,) int, 1 when the string contains the pattern).
    A positive string has the pattern planted at a random position; a negative
    one is drawn again until it has no occurrence, so the classes are balanced
    (chance: 50%).
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length)
    if len(pattern) > length or not set(pattern) <= set(alphabet):
        raise ValueError(f"pattern must be at most {length} letters of {alphabet!r}, got {pattern!r}")
    rng = np.random.default_rng(seed)
    letters = np.array(list(alphabet))
    strings, labels = [], rng.integers(0, 2, size=n)
    for label in labels:
        while True:
            s = "".join(rng.choice(letters, size=length))
            if label == 1:
                at = int(rng.integers(0, length - len(pattern) + 1))
                s = s[:at] + pattern + s[at + len(pattern) :]
                break
            if pattern not in s:
                break
        strings.append(s)
    return strings, labels.astype(np.int64)


# ---------------------------------------------------------------------------
# encoder: two strings, one question about both


def same_count_pairs(n: int, length: int = 8, letter: str = "a", alphabet: str = "ab", seed=0):
    """n pairs of strings; the label says whether both hold `letter` equally often.

    Returns (pairs: list of n (str, str), labels: (n,) int, 1 when the counts are equal).
    Half the pairs are equal; in the other half the counts differ by 1 or 2,
    so that a model must count, not guess from a big difference (chance: 50%).
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length)
    others = [c for c in alphabet if c != letter]
    if letter not in alphabet or not others:
        raise ValueError(f"alphabet must hold {letter!r} and at least one other letter, got {alphabet!r}")
    rng = np.random.default_rng(seed)

    def string_with(k: int) -> str:
        chars = rng.choice(others, size=length).astype("<U1")
        chars[rng.choice(length, size=k, replace=False)] = letter
        return "".join(chars)

    pairs, labels = [], rng.integers(0, 2, size=n)
    for label in labels:
        k1 = int(rng.integers(0, length + 1))
        if label == 1:
            k2 = k1
        else:
            steps = [d for d in (-2, -1, 1, 2) if 0 <= k1 + d <= length]
            k2 = k1 + int(rng.choice(steps))
        pairs.append((string_with(k1), string_with(k2)))
    return pairs, labels.astype(np.int64)


# ---------------------------------------------------------------------------
# transducer: names and places, BIO tags

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]

# Several first names are also names of places; the words before them tell which is meant.
_FIRST = ["John", "Mary", "Aiko", "Omar", "Lena", "Ravi", "Jordan", "Georgia", "Florence", "Austin"]
_LAST = ["Smith", "Okafor", "Tanaka", "Novak", "Silva"]
_PLACES = [
    "Paris",
    "Lagos",
    "Lima",
    "Oslo",
    "Jordan",
    "Georgia",
    "Florence",
    "Austin",
    "New York",
    "Salt Lake City",
    "Rio de Janeiro",
]
_TEMPLATES = [
    "{P} lives in {L} .",
    "{P} moved to {L} last year .",
    "{P} and {P} flew from {L} to {L} .",
    "In {L} , {P} met {P} .",
    "We visited {P} in {L} .",
    "{P} works near {L} .",
    "Last summer {P} drove to {L} with {P} .",
]


def _person(rng) -> list[str]:
    first = str(rng.choice(_FIRST))
    return [first, str(rng.choice(_LAST))] if rng.random() < 0.4 else [first]


def _entity_tags(words: list[str], kind: str) -> list[str]:
    return [f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1)


def names_and_places(n: int, seed=0) -> list[tuple[list[str], list[str]]]:
    """n sentences such as "John lives in Salt Lake City ." with one BIO tag per token.

    Returns a list of (tokens, tags). Names like "Jordan" or "Georgia" are
    people in some sentences and places in others; the words *before* them
    ("in", "to", "from", or the start of the sentence) tell which.
    """
    n = _validate.positive_int("n", n)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
        tokens, tags = [], []
        for piece in template.split():
            if piece == "{P}":
                words, kind = _person(rng), "PER"
            elif piece == "{L}":
                words, kind = str(rng.choice(_PLACES)).split(), "LOC"
            else:
                words, kind = [piece], None
            tokens += words
            tags += _entity_tags(words, kind) if kind else ["O"]
        out.append((tokens, tags))
    return out


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """The entities of a BIO tag sequence as (start, end, kind), end exclusive.

    ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"] -> [(0, 1, "PER"), (3, 6, "LOC")].
    An I- tag that does not continue an entity of its kind starts a new one.
    """
    spans, start, kind = [], None, None
    for t, tag in enumerate(list(tags) + ["O"]):  # the extra "O" closes an entity at the end
        continues = tag.startswith("I-") and kind == tag[2:]
        if start is not None and not continues:
            spans.append((start, t, kind))
            start, kind = None, None
        if tag.startswith("B-") or (tag.startswith("I-") and not continues):
            start, kind = t, tag[2:]
    return spans


# ---------------------------------------------------------------------------
# encoder-decoder: read a sequence, write another


def sequence_pairs(n: int, length: int = 5, n_symbols: int = 6, kind: str = "reverse", seed=0):
    """n source sequences of symbols 0..n_symbols-1 and their targets.

    kind "reverse": the target is the source backwards; "copy": the source itself.
    Returns (sources (n, length) int, targets (n, length) int).
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length)
    n_symbols = _validate.positive_int("n_symbols", n_symbols)
    if kind not in ("reverse", "copy"):
        raise ValueError(f"kind must be 'reverse' or 'copy', got {kind!r}")
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, n_symbols, size=(n, length))
    targets = sources[:, ::-1].copy() if kind == "reverse" else sources.copy()
    return sources, targets


# ---------------------------------------------------------------------------
# generator: a small text to learn to write, one character at a time

TEXT = """\
the river runs to the sea, and the sea runs to the sky.
the rain falls on the hill, and the hill sends it to the river.
the cat sits by the fire, and the dog sleeps by the door.
the sun comes up at dawn, and the sun goes down at dusk.
the boat sails on the river, and the river carries the boat.
the bird sings in the tree, and the tree stands by the river.
the wind comes from the sea, and the wind runs over the hill.
the moon looks at the sea, and the sea looks back at the moon.
the girl walks to the river, and the boy runs to the hill.
the fish swims in the sea, and the bird flies over the fish.
the snow falls on the hill, and the hill is white at dawn.
the old man sits by the door, and the cat sleeps by the fire.
the river sings to the stones, and the stones sing to the river.
the day is long in summer, and the night is long in winter.
"""


# The words of TEXT, for a grammar that writes as many lines in its style as a task needs.
_GRAMMAR_NOUNS = [
    "river", "sea", "sky", "rain", "hill", "cat", "dog", "fire", "door", "sun",
    "boat", "bird", "tree", "wind", "moon", "girl", "boy", "fish", "snow", "man",
]  # fmt: skip
_GRAMMAR_VERBS = [
    "runs to", "falls on", "sits by", "sleeps by", "sails on", "carries", "sings in",
    "stands by", "comes from", "runs over", "looks at", "walks to", "swims in", "flies over", "sings to",
]  # fmt: skip


def grammar_lines(n: int, seed=0) -> list[str]:
    """n lines in the style of TEXT, drawn from a small grammar; each ends with a line break.

    Seven lines in ten read "the A v the B, and the B w the C." (the noun B
    said twice), the others "the A v the B."; nouns and verbs are those of
    TEXT, each drawn uniformly (20 nouns, 15 verbs). Lines may repeat.
    """
    n = _validate.positive_int("n", n)
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        a, b, c = (str(w) for w in rng.choice(_GRAMMAR_NOUNS, size=3))
        v, w = (str(x) for x in rng.choice(_GRAMMAR_VERBS, size=2))
        if rng.random() < 0.7:
            lines.append(f"the {a} {v} the {b}, and the {b} {w} the {c}.\n")
        else:
            lines.append(f"the {a} {v} the {b}.\n")
    return lines


def follows_grammar(line: str) -> bool:
    """Whether `line` (without its line break) is a line grammar_lines can write, noun repeated and all."""
    nouns, verbs = "|".join(_GRAMMAR_NOUNS), "|".join(_GRAMMAR_VERBS)
    short = rf"the ({nouns}) ({verbs}) the ({nouns})"
    match = re.fullmatch(rf"{short}(?:, and the ({nouns}) ({verbs}) the ({nouns}))?\.", line)
    return match is not None and (match.group(4) is None or match.group(4) == match.group(3))


def text_windows(text: str, n: int, length: int, seed=0):
    """n windows of `length` + 1 characters at random places in `text`, as ids.

    Returns (vocab: list of the distinct characters, sorted; inputs (n, length) int;
    targets (n, length) int), where targets[:, t] = inputs[:, t + 1] in the
    text: the character that follows each input character.
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length)
    if len(text) < length + 1:
        raise ValueError(f"text must have at least {length + 1} characters, got {len(text)}")
    vocab = sorted(set(text))
    ids = np.array([vocab.index(c) for c in text], dtype=np.int64)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(text) - length, size=n)
    windows = np.stack([ids[s : s + length + 1] for s in starts])
    return vocab, windows[:, :-1], windows[:, 1:]


# ---------------------------------------------------------------------------
# bidirectional: the same word, a different tag, decided by what follows

# Each of these words opens a sentence; what comes after it says what it is.
_PERSON_TAILS = ["smiled at the dog .", "plays the piano .", "wrote a long letter .", "laughed at the joke ."]
_PLACE_TAILS = ["has many old bridges .", "lies on the coast .", "is a big city .", "has a busy airport ."]
_AMBIGUOUS = {
    # people or places
    "Jordan": ("PER", "LOC"),
    "Georgia": ("PER", "LOC"),
    "Paris": ("PER", "LOC"),
    "Florence": ("PER", "LOC"),
    "Austin": ("PER", "LOC"),
    "Chad": ("PER", "LOC"),
    # places or ordinary words
    "Salt": ("LOC", "O"),
    "Nice": ("LOC", "O"),
    "Turkey": ("LOC", "O"),
    "Reading": ("LOC", "O"),
}
# how an ordinary word's sentence goes on, and how "Salt" becomes a place
_ORDINARY_TAILS = {
    "Salt": ["the soup before serving .", "the fries while hot ."],
    "Nice": ["to meet you .", "work on the test ."],
    "Turkey": ["tastes good with gravy .", "sandwiches are for lunch ."],
    "Reading": ["books is fun .", "maps takes practice ."],
}
_MULTIWORD_PLACE = {"Salt": ["Salt", "Lake", "City"]}


def right_context_tagging(n: int, seed=0) -> list[tuple[list[str], list[str]]]:
    """n sentences whose first word can only be tagged by reading on.

    "Salt Lake City has a busy airport ." tags Salt as B-LOC; "Salt the soup
    before serving ." tags it O; "Jordan plays the piano ." makes Jordan a
    person (B-PER) and "Jordan lies on the coast ." a place (B-LOC). The
    ambiguous word always comes first, so nothing before it can help, and its
    two readings are equally likely. Returns a list of (tokens, tags).
    """
    n = _validate.positive_int("n", n)
    rng = np.random.default_rng(seed)
    words = list(_AMBIGUOUS)
    sentences = []
    for _ in range(n):
        word = words[int(rng.integers(len(words)))]
        reading = _AMBIGUOUS[word][int(rng.integers(2))]
        if reading == "PER":
            entity, tails = [word], _PERSON_TAILS
        elif reading == "LOC":
            entity, tails = _MULTIWORD_PLACE.get(word, [word]), _PLACE_TAILS
        else:
            entity, tails = [word], _ORDINARY_TAILS[word]
        tail = tails[int(rng.integers(len(tails)))].split()
        tags = (_entity_tags(entity, reading) if reading != "O" else ["O"]) + ["O"] * len(tail)
        sentences.append((entity + tail, tags))
    return sentences


# ---------------------------------------------------------------------------
# from examples to arrays a cell reads


def one_hot_strings(strings: list[str], alphabet: str, dtype=np.float64) -> np.ndarray:
    """Equal-length strings as one-hot inputs, time-major: (T, B, len(alphabet))."""
    strings = list(strings)
    if not strings or len({len(s) for s in strings}) != 1:
        raise ValueError("strings must be a non-empty list of strings of equal length")
    index = {c: i for i, c in enumerate(alphabet)}
    ids = np.array([[index[c] for c in s] for s in strings]).T  # (T, B)
    return np.eye(len(alphabet), dtype=dtype)[ids]


def tagging_batch(sentences: list[tuple[list[str], list[str]]], dim: int = 32, tags=TAGS, dtype=np.float64):
    """Tagged sentences as arrays, padded at the end to the longest one.

    Each word becomes its fixed vector rnnlib.lessons.text.word_vector(word, dim).
    Returns (xs (T, B, dim), targets (T, B) int indices into `tags`,
    mask (T, B) bool, True on real tokens and False on padding).
    """
    sentences = list(sentences)
    if not sentences:
        raise ValueError("sentences must hold at least one (tokens, tags) pair")
    T, B = max(len(tokens) for tokens, _ in sentences), len(sentences)
    xs = np.zeros((T, B, dim), dtype=dtype)
    targets = np.zeros((T, B), dtype=np.int64)
    mask = np.zeros((T, B), dtype=bool)
    tag_id = {tag: i for i, tag in enumerate(tags)}
    words = sorted({tok for tokens, _ in sentences for tok in tokens})
    vector = dict(zip(words, word_vectors(words, dim, dtype)))  # each distinct word's vector, made once
    for b, (tokens, tag_seq) in enumerate(sentences):
        L = len(tokens)
        xs[:L, b] = [vector[tok] for tok in tokens]
        targets[:L, b] = [tag_id[tag] for tag in tag_seq]
        mask[:L, b] = True
    return xs, targets, mask


# ---------------------------------------------------------------------------
# the delayed echo (notebook 5)


def echo_data(n: int, T: int = 12, delay: int = 2, K: int = 4, seed=0):
    """n sequences of T random symbols; the target at t is the symbol of t - delay.

    Returns (ids (T, n), targets (T, n), mask (T, n)): time-major as rnnlib's
    xs; mask is False for t <= delay, where there is nothing to echo yet.
    """
    n, T, K = (_validate.positive_int(name, v) for name, v in (("n", n), ("T", T), ("K", K)))
    delay = _validate.positive_int("delay", delay)
    if delay >= T:
        raise ValueError(f"delay must be below T = {T}, got {delay}")
    ids = np.random.default_rng(seed).integers(0, K, size=(T, n))
    targets = np.zeros_like(ids)
    targets[delay:] = ids[:-delay]
    mask = np.zeros((T, n), dtype=bool)
    mask[delay:] = True
    return ids, targets, mask


# ---------------------------------------------------------------------------
# long-range memory (notebooks 6 and 7)
#
# Tasks that need a long memory, and the experiment that trains an RNN on one.
#
# The adding problem (Hochreiter and Schmidhuber, 1997; in the form of Le,
# Jaitly and Hinton, 2015). Each sequence has T steps of two numbers,
# x_t = (v_t, m_t):
#
#     v_t ~ U[0, 1]                 a value at every step
#     m_t = 1 at exactly two steps, one in each half (t <= T/2 and t > T/2), else 0
#     target = the sum of the two marked values
#
# The network reads the whole sequence and answers once, from its last state:
# p = y_T W + b. A model that ignores the inputs does best by always saying
# E[target] = 1, and then its mean squared error is the variance of the sum of
# two independent U[0, 1] values, 2 * 1/12 = 1/6 (ADDING_BASELINE_MSE). To beat
# it, the state must carry the first marked value across at least T/2 steps.
#
# The copy task (Hochreiter and Schmidhuber, 1997; in the form of Arjovsky,
# Shah and Bengio, 2016): show `length` symbols, wait `delay` steps, then
# reproduce the symbols. Sizes: T = length + delay + length steps, K symbols
# 1..K, with 0 the blank and K + 1 the signal to start recalling.
#
#     inputs   a_1 .. a_L   0 .. 0 (delay - 1 steps)   K+1   0 .. 0 (L steps)
#     targets  0 ..................................... 0    a_1 .. a_L
#
# A model without memory predicts blanks and then guesses, for a mean
# cross-entropy of L log(K) / T per step (copy_baseline).
#
# Both generators take a seed and draw from np.random.default_rng(seed) only:
# the same seed gives the same sequences on every machine. Sequences are
# time-major, (T, n, D), like every sequence in rnnlib.


ADDING_BASELINE_MSE = 1.0 / 6.0  # the MSE of always predicting the mean, 1


class AddingBatch(NamedTuple):
    xs: np.ndarray  # (T, n, 2)  x_t = (v_t, m_t): a value and a marker
    targets: np.ndarray  # (n, 1)     the sum of the two marked values


def adding_problem(T: int, n: int, seed=None, dtype=np.float64) -> AddingBatch:
    """n sequences of the adding problem, T steps each (T >= 2). Returns an AddingBatch.

    The first marker is at a step drawn uniformly from the first half
    (steps 1..T//2), the second from the second half (steps T//2+1..T).
    """
    T = _validate.positive_int("T", T)
    n = _validate.positive_int("n", n)
    if T < 2:
        raise ValueError(f"T must be at least 2 (one marker in each half), got {T}")
    rng = np.random.default_rng(seed)
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(T, n))
    first = rng.integers(0, half, size=n)  # 0-based index t-1 of the marked steps
    second = rng.integers(half, T, size=n)
    markers = np.zeros((T, n))
    rows = np.arange(n)
    markers[first, rows] = 1.0
    markers[second, rows] = 1.0
    xs = np.stack([values, markers], axis=-1).astype(dtype)  # (T, n, 2)
    targets = (values[first, rows] + values[second, rows]).reshape(n, 1).astype(dtype)
    return AddingBatch(xs, targets)


def mean_predictor_mse(batch: AddingBatch) -> float:
    """The MSE of the model that ignores its input and always answers E[target] = 1: about 1/6."""
    return float(np.mean((batch.targets - 1.0) ** 2))


class CopyBatch(NamedTuple):
    xs: np.ndarray  # (T, n, K+2)  one-hot inputs: 0 blank, 1..K symbols, K+1 "recall now"
    targets: np.ndarray  # (T, n)   integer targets: 0 (blank) except the last `length` steps
    mask: np.ndarray  # (T, n)   True at the last `length` steps, where the symbols are recalled


def copy_task(length: int, delay: int, n: int, n_symbols: int = 8, seed=None, dtype=np.float64) -> CopyBatch:
    """n sequences of the copy task: T = 2 * length + delay steps, symbols 1..n_symbols.

    Returns a CopyBatch; the recall signal (symbol n_symbols + 1) is the
    input at step length + delay, the last step before the recall begins.
    """
    L = _validate.positive_int("length", length)
    delay = _validate.positive_int("delay", delay)
    n = _validate.positive_int("n", n)
    K = _validate.positive_int("n_symbols", n_symbols)
    rng = np.random.default_rng(seed)
    T = 2 * L + delay
    symbols = rng.integers(1, K + 1, size=(L, n))
    inputs = np.zeros((T, n), dtype=np.int64)
    inputs[:L] = symbols
    inputs[L + delay - 1] = K + 1
    targets = np.zeros((T, n), dtype=np.int64)
    targets[L + delay :] = symbols
    mask = np.zeros((T, n), dtype=bool)
    mask[L + delay :] = True
    xs = np.eye(K + 2, dtype=dtype)[inputs]  # (T, n) -> (T, n, K+2)
    return CopyBatch(xs, targets, mask)


def copy_baseline(length: int, delay: int, n_symbols: int = 8) -> float:
    """The mean cross-entropy per step of the best model without memory: L log(K) / T."""
    T = 2 * length + delay
    return float(length * np.log(n_symbols) / T)
