"""Turning words into the vectors x_t that a cell reads.

Sizes: T tokens, vocabulary V, embedding D.

    tokenize("John lives in Salt Lake City.")  ->  ["John", "lives", "in", "Salt", "Lake", "City", "."]
    Vocabulary(tokens).encode(tokens)         ->  integer ids (T,)
    one_hot(ids, V)                            ->  (T, V), a single 1 per row
    word_vectors(tokens, D)                    ->  (T, D), a fixed random vector per distinct word

`word_vectors` gives any typed sentence an input sequence without training
an embedding: the vector of a word is drawn from a generator seeded by the
word's bytes (CRC-32, the same on every machine and in every run, unlike
Python's hash()), so "Lake" is the same vector wherever it appears.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np

from rnnlib.core import _validate

UNKNOWN = "<unk>"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Split text into words and punctuation marks, keeping case."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return _TOKEN.findall(text)


class Vocabulary:
    """A fixed list of tokens, each with an integer id; unknown tokens map to <unk> (id 0)."""

    def __init__(self, tokens: Iterable[str]):
        self.tokens = [UNKNOWN] + sorted(set(tokens) - {UNKNOWN})
        self.ids = {tok: i for i, tok in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Token ids (T,), 0 for a token not in the vocabulary."""
        return np.array([self.ids.get(tok, 0) for tok in tokens], dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[int(i)] for i in ids]


def one_hot(ids, size: int, dtype=np.float64) -> np.ndarray:
    """Rows of the identity matrix: ids (...,) -> (..., size)."""
    size = _validate.positive_int("size", size)
    ids = np.asarray(ids)
    if not np.issubdtype(ids.dtype, np.integer) or (ids.size and (ids.min() < 0 or ids.max() >= size)):
        raise ValueError(f"ids must be integers in 0..{size - 1}, got {ids!r}")
    return np.eye(size, dtype=dtype)[ids]


def word_vector(word: str, dim: int, dtype=np.float64) -> np.ndarray:
    """A fixed vector (dim,) for `word`, entries from N(0, 1/dim), the same in every run."""
    dim = _validate.positive_int("dim", dim)
    rng = np.random.default_rng(zlib.crc32(word.encode("utf-8")))
    return (rng.standard_normal(dim) / np.sqrt(dim)).astype(dtype)


def word_vectors(tokens: Iterable[str], dim: int, dtype=np.float64) -> np.ndarray:
    """The sequence of word vectors for `tokens`: (T, dim)."""
    tokens = list(tokens)
    if not tokens:
        raise ValueError("tokens must hold at least one token, got an empty sequence")
    return np.stack([word_vector(tok, dim, dtype) for tok in tokens])
