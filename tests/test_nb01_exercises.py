"""The checkers of notebook 1's exercises: the reference passes, typical slips fail and are named.

Each wrong answer below is a mistake a reader is likely to make; the test
checks that the checker rejects it and that its message points at the
mistake, not only that something differs.
"""

import numpy as np
import pytest

from rnnlib.exercises import Report, nb01
from rnnlib.lessons import features


def _failed_with(report: Report, *phrases: str) -> str:
    """Assert the report failed and its text holds every phrase; returns the text."""
    text = str(report)
    assert not report.passed, text
    assert "not yet" in text
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    return text


def _stub(*args):
    raise NotImplementedError("your turn")


# ---- the references pass ---------------------------------------------------


@pytest.mark.parametrize(
    "check, reference",
    [
        (nb01.check_bag_of_words, features.bag_of_words),
        (nb01.check_window_features, features.window_features),
        (nb01.check_window_mlp_num_params, features.window_mlp_num_params),
    ],
)
def test_reference_passes(check, reference):
    report = check(reference)
    assert report.passed, str(report)
    assert "all checks passed" in str(report)
    assert "FAIL" not in str(report)


@pytest.mark.parametrize(
    "check", [nb01.check_bag_of_words, nb01.check_window_features, nb01.check_window_mlp_num_params]
)
def test_the_unwritten_stub_fails_once_and_says_so(check):
    text = _failed_with(check(_stub), "raised NotImplementedError: your turn")
    assert text.count("  FAIL  ") == 1  # the checker stops at the first failure


# ---- other correct answers pass too ----------------------------------------


def test_a_loop_bag_of_words_passes():
    def loop_bag(ids, vocab_size):
        bag = np.zeros(vocab_size)
        for i in ids:
            bag[i] += 1
        return bag

    assert nb01.check_bag_of_words(loop_bag).passed


def test_an_integer_bag_passes():
    assert nb01.check_bag_of_words(lambda ids, V: np.bincount(ids, minlength=V)).passed


def test_a_loop_window_passes():
    def loop_windows(xs, k):
        T, D = xs.shape
        out = np.zeros((T, k * D))
        for t in range(T):
            for j in range(k):
                src = t - (k - 1) + j
                if src >= 0:
                    out[t, j * D : (j + 1) * D] = xs[src]
        return out

    assert nb01.check_window_features(loop_windows).passed


# ---- bag_of_words: typical slips ---------------------------------------------


def test_bag_one_hot_rows_not_summed():
    _failed_with(nb01.check_bag_of_words(lambda ids, V: np.eye(V)[ids]), "one one-hot row per word", "sum over t")


def test_bag_presence_instead_of_counts():
    report = nb01.check_bag_of_words(lambda ids, V: (np.bincount(ids, minlength=V) > 0).astype(float))
    # it agrees on sentences without repeats, so it fails on the one where "the" occurs twice
    _failed_with(report, "'the' occurs twice", "must count 2")


def test_bag_without_minlength_is_too_short():
    _failed_with(nb01.check_bag_of_words(lambda ids, V: np.bincount(ids)), "one entry per word of the vocabulary")


def test_bag_that_drops_the_unknown_word():
    _failed_with(
        nb01.check_bag_of_words(lambda ids, V: np.bincount(ids, minlength=V)[1:]), "entry 0", "belongs in the bag"
    )


def test_bag_that_returns_a_list_of_the_wrong_length():
    text = _failed_with(nb01.check_bag_of_words(lambda ids, V: [1, 2]), "expected shape (7,), got shape (2,)")
    assert "expected [0, 1, 1, 1, 0, 0, 0]" in text  # the expected bag is shown


def test_bag_that_returns_nothing():
    # a body that computes the bag but never returns it: the commonest slip of all
    _failed_with(nb01.check_bag_of_words(lambda ids, V: None), "returned None", "`return` line missing")


def test_bag_that_returns_text():
    _failed_with(nb01.check_bag_of_words(lambda ids, V: "bag"), "expected a numpy array of shape (7,), got str")


# ---- window_features: typical slips ------------------------------------------


def test_window_without_padding():
    def unpadded(xs, k):
        T = len(xs)
        return np.concatenate([xs[j : T - k + 1 + j] for j in range(k)], axis=1)

    text = _failed_with(nb01.check_window_features(unpadded), "no padding")
    assert "for xs   [[1, 2]," in text  # the input is shown, so the reader can work the example by hand


def test_window_newest_first():
    def newest_first(xs, k):
        w = features.window_features(xs, k)
        D = xs.shape[1]
        return np.concatenate([w[:, j * D : (j + 1) * D] for j in reversed(range(k))], axis=1)

    _failed_with(nb01.check_window_features(newest_first), "newest first", "oldest first")


def test_window_that_leaves_out_x_t():
    def previous_k(xs, k):
        shifted = np.concatenate([np.zeros((1, xs.shape[1])), xs[:-1]])
        return features.window_features(shifted, k)

    _failed_with(nb01.check_window_features(previous_k), "includes x_t itself")


def test_window_that_pads_with_the_wrong_count_when_k_exceeds_T():
    def pads_k_minus_T(xs, k):  # right while k <= T, wrong (too short) once k > T
        if k <= len(xs):
            return features.window_features(xs, k)
        return features.window_features(xs, len(xs))

    _failed_with(nb01.check_window_features(pads_k_minus_T), "k > T", "expected shape (2, 8), got shape (2, 4)")


# ---- window_mlp_num_params: typical slips ------------------------------------


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda k, D, H, K: k * D * H + H * K, "biases b_1 (H,) and b_2 (K,)"),
        (lambda k, D, H, K: k * D * H + H, "output layer W_2 (H, K)"),
        (lambda k, D, H, K: D * H + H + H * K + K, "W_1 reads the whole window"),
        (lambda k, D, H, K: (k + D) * H + H + H * K + K, "k D entries"),
    ],
)
def test_num_params_slips_are_named(wrong, phrase):
    _failed_with(nb01.check_window_mlp_num_params(wrong), phrase)


def test_num_params_other_wrong_number_shows_both():
    _failed_with(nb01.check_window_mlp_num_params(lambda k, D, H, K: 7), "expected 17, got 7")


def test_num_params_that_returns_nothing():
    _failed_with(nb01.check_window_mlp_num_params(lambda k, D, H, K: None), "returned None")


def test_num_params_must_be_a_number():
    _failed_with(nb01.check_window_mlp_num_params(lambda k, D, H, K: "17"), "expected a whole number, got str")


# ---- solution ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bag_of_words", "window_features", "window_mlp_num_params"])
def test_solution_prints_rnnlib_source(name, capsys):
    nb01.solution(name)
    assert f"def {name}(" in capsys.readouterr().out


def test_solution_of_an_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        nb01.solution("bag")
