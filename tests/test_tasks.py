"""rnnlib.lessons.tasks: the synthetic data are seeded, balanced and labelled right."""

from collections import defaultdict

import numpy as np
import pytest

from rnnlib.lessons import tasks


def test_every_generator_is_deterministic_in_its_seed():
    calls = [
        lambda seed: tasks.contains_pattern(50, seed=seed),
        lambda seed: tasks.same_count_pairs(50, seed=seed),
        lambda seed: tasks.names_and_places(50, seed=seed),
        lambda seed: tasks.sequence_pairs(50, seed=seed),
        lambda seed: tasks.text_windows(tasks.TEXT, 50, 16, seed=seed),
        lambda seed: tasks.right_context_tagging(50, seed=seed),
        lambda seed: tasks.grammar_lines(50, seed=seed),
    ]
    for call in calls:
        # the same seed gives the same data; another seed other data
        assert repr(call(3)) == repr(call(3))
        assert repr(call(3)) != repr(call(4))


def test_contains_pattern():
    strings, labels = tasks.contains_pattern(400, 12, seed=0)
    assert all(len(s) == 12 and set(s) <= set("abcd") for s in strings)
    assert np.array_equal(labels, [int("abc" in s) for s in strings])  # the label is the truth
    assert 0.4 < labels.mean() < 0.6  # balanced: chance is 50%


def test_same_count_pairs():
    pairs, labels = tasks.same_count_pairs(400, 8, seed=0)
    truth = [int(a.count("a") == b.count("a")) for a, b in pairs]
    assert np.array_equal(labels, truth)
    assert 0.4 < labels.mean() < 0.6
    gaps = {abs(a.count("a") - b.count("a")) for (a, b), y in zip(pairs, labels) if y == 0}
    assert gaps <= {1, 2}  # negatives differ by one or two: close calls, not easy ones


def test_names_and_places_tags():
    for tokens, tags in tasks.names_and_places(300, seed=0):
        assert len(tokens) == len(tags) and set(tags) <= set(tasks.TAGS)
        for start, end, kind in tasks.bio_spans(tags):
            entity = " ".join(tokens[start:end])
            # every tagged entity is a person of the generator's lists or one of its places
            if kind == "LOC":
                assert entity in tasks._PLACES
            else:
                assert entity.split()[0] in tasks._FIRST


def test_names_and_places_has_words_that_are_both():
    kinds = defaultdict(set)
    for tokens, tags in tasks.names_and_places(500, seed=0):
        for start, _, kind in tasks.bio_spans(tags):
            kinds[tokens[start]].add(kind)
    # the same word is a person in some sentences and a place in others: a word-by-word lookup cannot tag it
    assert kinds["Jordan"] == {"PER", "LOC"} and kinds["Georgia"] == {"PER", "LOC"}


def test_bio_spans():
    assert tasks.bio_spans(["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"]) == [(0, 1, "PER"), (3, 6, "LOC")]
    assert tasks.bio_spans(["B-LOC", "B-LOC"]) == [(0, 1, "LOC"), (1, 2, "LOC")]  # B starts a new entity
    assert tasks.bio_spans(["O", "I-PER", "I-PER"]) == [(1, 3, "PER")]  # a stray I- starts one too
    assert tasks.bio_spans(["B-PER", "I-LOC"]) == [(0, 1, "PER"), (1, 2, "LOC")]
    assert tasks.bio_spans([]) == []


def test_sequence_pairs():
    src, tgt = tasks.sequence_pairs(20, 5, 6, "reverse", seed=0)
    assert src.shape == tgt.shape == (20, 5) and np.array_equal(tgt, src[:, ::-1])
    src, tgt = tasks.sequence_pairs(20, 5, 6, "copy", seed=0)
    assert np.array_equal(tgt, src)
    with pytest.raises(ValueError, match="kind"):
        tasks.sequence_pairs(2, kind="sort")


def test_text_windows():
    vocab, inputs, targets = tasks.text_windows(tasks.TEXT, 30, 16, seed=0)
    assert vocab == sorted(set(tasks.TEXT))
    assert np.array_equal(inputs[:, 1:], targets[:, :-1])  # the target is the next character
    text = "".join(vocab[i] for i in np.concatenate([inputs[0], targets[0, -1:]]))
    assert text in tasks.TEXT  # a window is a piece of the text


def test_right_context_tagging_needs_the_words_after():
    sentences = tasks.right_context_tagging(1000, seed=0)
    first_tags = defaultdict(set)
    by_next = defaultdict(set)
    for tokens, tags in sentences:
        assert len(tokens) == len(tags)
        first_tags[tokens[0]].add(tags[0])
        by_next[(tokens[0], tokens[1])].add(tags[0])
    # every first word has two tags: the word alone (and nothing before it) cannot decide
    assert all(len(tags) == 2 for tags in first_tags.values())
    # the first word together with the next one always decides
    assert all(len(tags) == 1 for tags in by_next.values())
    salt = {tuple(tags[:3]) for tokens, tags in sentences if tokens[0] == "Salt"}
    assert salt == {("B-LOC", "I-LOC", "I-LOC"), ("O", "O", "O")}


def test_batches():
    xs = tasks.one_hot_strings(["abc", "cab"], "abcd")
    assert xs.shape == (3, 2, 4) and np.array_equal(xs[:, 1].argmax(-1), [2, 0, 1])
    sentences = [(["Salt", "Lake", "City"], ["B-LOC", "I-LOC", "I-LOC"]), (["Hi"], ["O"])]
    xs, targets, mask = tasks.tagging_batch(sentences, dim=8)
    assert xs.shape == (3, 2, 8) and targets.shape == mask.shape == (3, 2)
    assert mask[:, 1].tolist() == [True, False, False] and np.all(xs[1:, 1] == 0)  # padding is zeros, masked out
    assert targets[:, 0].tolist() == [3, 4, 4]


def test_grammar_lines_use_the_words_of_text():
    lines = tasks.grammar_lines(200, seed=0)
    words = set(tasks.TEXT.replace(",", " ").replace(".", " ").split())
    for line in lines:
        assert line.startswith("the ") and line.endswith(".\n")
        assert set(line.replace(",", " ").replace(".", " ").split()) <= words  # every word is a word of TEXT
    long_lines = [line for line in lines if ", and the " in line]
    assert 0.6 < len(long_lines) / len(lines) < 0.8  # seven lines in ten have the second clause
    for line in long_lines:  # ... and there the noun that ends the first clause opens the second
        first, second = line.split(", and the ")
        assert second.startswith(first.split()[-1] + " ")


def test_follows_grammar_accepts_the_grammar_and_names_its_faults():
    assert all(tasks.follows_grammar(line.rstrip("\n")) for line in tasks.grammar_lines(300, seed=1))
    assert tasks.follows_grammar("the cat sits by the fire, and the fire sings to the boat.")
    assert not tasks.follows_grammar("the cat sits by the fire, and the boat sings to the sky.")  # B not repeated
    assert not tasks.follows_grammar(
        "the cat sits by the fire, and the fire runs to the sea, and the sea runs to the sky."
    )
    assert not tasks.follows_grammar("the cat sanls on the fire.")  # not a verb of the grammar
    assert not tasks.follows_grammar("the cat sits by the fire")  # no full stop
