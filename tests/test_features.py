"""rnnlib.lessons.features: the bag of words, window features and the size of a window MLP.

Each function is compared with the lecture's definition written out again
here as a plain loop, and its claims in notebook 1 are checked directly.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib.lessons.features import bag_of_words, window_features, window_mlp_num_params
from rnnlib.lessons.text import Vocabulary, one_hot, tokenize, word_vectors


def _windows_by_loop(xs: np.ndarray, k: int) -> np.ndarray:
    """w_t = [x_{t-k+1}, ..., x_t] with x_j = 0 for j < 1, one t at a time (xs is (T, D))."""
    T, D = xs.shape
    out = np.zeros((T, k * D))
    for t in range(1, T + 1):
        for j in range(k):  # block j holds x_{t-k+1+j}
            src = t - k + 1 + j
            if src >= 1:
                out[t - 1, j * D : (j + 1) * D] = xs[src - 1]
    return out


# ---- bag_of_words --------------------------------------------------------


@given(st.lists(st.integers(0, 6), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_bag_counts_each_word_and_ignores_order(ids, random):
    V = 7
    bag = bag_of_words(np.array(ids), V)
    # entry v is the number of times v occurs: the definition, counted directly
    assert bag.shape == (V,) and bag.dtype == np.float64
    assert bag.tolist() == [ids.count(v) for v in range(V)]
    # the sum of the one-hot rows, as the docstring says
    assert np.array_equal(bag, one_hot(np.array(ids), V).sum(axis=0))
    # any reordering of the sentence has the same bag
    shuffled = list(ids)
    random.shuffle(shuffled)
    assert np.array_equal(bag_of_words(np.array(shuffled), V), bag)


def test_bag_of_man_bites_dog_equals_dog_bites_man():
    a, b = tokenize("man bites dog"), tokenize("dog bites man")
    vocab = Vocabulary(a + b)
    assert np.array_equal(bag_of_words(vocab.encode(a), len(vocab)), bag_of_words(vocab.encode(b), len(vocab)))


def test_bag_accepts_lists_and_dtype():
    assert bag_of_words([1, 1, 2], 3).tolist() == [0.0, 2.0, 1.0]
    assert bag_of_words([0], 2, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "ids, V, match",
    [
        ([3], 3, r"ids must lie in 0\.\.2"),
        ([-1], 3, r"ids must lie in 0\.\.2"),
        ([1.0, 2.0], 3, "ids must be integers"),
        ([True], 3, "ids must be integers"),
        ([[1, 2]], 3, r"ids must have shape \(T,\)"),
        ([], 3, "at least one word id"),
        ([1], 0, "vocab_size must be a positive integer"),
        ([1], 2.5, "vocab_size must be a positive integer"),
    ],
)
def test_bag_rejects_bad_input(ids, V, match):
    with pytest.raises(ValueError, match=match):
        bag_of_words(ids, V)


# ---- window_features -----------------------------------------------------


@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 8))
def test_windows_match_the_definition(T, D, k):
    xs = np.random.default_rng(T * 100 + D * 10 + k).standard_normal((T, D))
    got = window_features(xs, k)
    assert got.shape == (T, k * D)
    assert np.array_equal(got, _windows_by_loop(xs, k))


def test_window_rows_on_a_small_example():
    xs = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    # w_1 = [0, x_1], w_2 = [x_1, x_2], w_3 = [x_2, x_3]: oldest first, zero-padded before x_1
    assert window_features(xs, 2).tolist() == [[0, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 6]]


def test_window_of_one_is_a_copy_of_xs():
    xs = np.arange(6.0).reshape(3, 2)
    got = window_features(xs, 1)
    assert np.array_equal(got, xs)
    got[0, 0] = 99.0  # a copy: writing to it leaves the input alone
    assert xs[0, 0] == 0.0


def test_window_on_a_batch_is_the_window_of_each_sequence():
    xs = np.random.default_rng(0).standard_normal((5, 3, 2))  # (T, B, D)
    got = window_features(xs, 3)
    assert got.shape == (5, 3, 6)
    for b in range(3):
        assert np.array_equal(got[:, b], _windows_by_loop(xs[:, b], 3))


def test_window_keeps_float32_and_converts_integers():
    assert window_features(np.ones((2, 2), dtype=np.float32), 2).dtype == np.float32
    assert window_features([[1, 2], [3, 4]], 2).dtype == np.float64


def test_window_does_not_change_its_input():
    xs = np.arange(6.0).reshape(3, 2)
    before = xs.copy()
    window_features(xs, 4)
    assert np.array_equal(xs, before)


def test_agreement_needs_a_window_of_five():
    # notebook 1's claim: "The key(s) to the old cabinet" differ only in word 2,
    # so the window before the verb tells them apart only from k = 5 on
    D = 16
    pl = word_vectors(tokenize("The keys to the old cabinet"), D)
    sg = word_vectors(tokenize("The key to the old cabinet"), D)
    same = [np.array_equal(window_features(pl, k)[-1], window_features(sg, k)[-1]) for k in range(1, 7)]
    assert same == [True, True, True, True, False, False]


@pytest.mark.parametrize(
    "xs, k, match",
    [
        (np.ones(3), 2, r"xs must have shape \(T, D\) or \(T, B, D\)"),
        (np.ones((2, 2, 2, 2)), 2, r"xs must have shape \(T, D\) or \(T, B, D\)"),
        (np.ones((0, 2)), 1, "xs must not be empty"),
        (np.array([[1.0, np.nan]]), 1, "xs must be finite"),
        ([["a", "b"]], 1, "xs must be an array of numbers"),
        (np.ones((2, 2)), 0, "k must be a positive integer"),
        (np.ones((2, 2)), 1.5, "k must be a positive integer"),
    ],
)
def test_window_rejects_bad_input(xs, k, match):
    with pytest.raises(ValueError, match=match):
        window_features(xs, k)


# ---- window_mlp_num_params -----------------------------------------------


@pytest.mark.parametrize("k, D, H, K", [(1, 1, 1, 1), (3, 16, 32, 2), (10, 300, 128, 5)])
def test_num_params_counts_the_built_layers(k, D, H, K):
    # an independent count: build the two layers and add up the sizes of their arrays
    layers = [rnnlib.Affine(k * D, H), rnnlib.Affine(H, K)]
    assert window_mlp_num_params(k, D, H, K) == sum(p.size for layer in layers for p in layer.params.values())


def test_num_params_grows_by_D_H_per_word():
    counts = [window_mlp_num_params(k, 16, 32, 2) for k in range(1, 6)]
    assert np.all(np.diff(counts) == 16 * 32)  # each extra word of the window adds a (D, H) block to W_1
    assert isinstance(counts[0], int)


@pytest.mark.parametrize("args", [(0, 1, 1, 1), (1, -2, 1, 1), (1, 1, 1.5, 1), (1, 1, 1, None)])
def test_num_params_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="must be a positive integer"):
        window_mlp_num_params(*args)
