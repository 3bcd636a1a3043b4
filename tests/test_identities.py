"""Identity merging: the authors' preprocessing, exact blocking, merging of graphs."""

import itertools
import random
import string

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz

from hubcommunity.analysis.identities import (
    PAIR_KINDS,
    identity_map,
    merge_identities,
    name_pair_kinds,
    normalize_username,
    pair_kind,
    similar_name_pairs,
)


def test_normalize_like_the_authors():
    assert normalize_username("John_Doe-42") == "johndoe42"
    assert normalize_username("Stability AI") == "stabilityai"


def random_names(n, seed=0):
    """Names with many near-duplicates: a base name plus small edits."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase + string.digits
    out = []
    for _ in range(n):
        base = "".join(rng.choice(letters) for _ in range(rng.randint(3, 16)))
        out.append(base)
        for _ in range(rng.randint(0, 2)):
            s = list(base)
            op = rng.choice("ids")
            i = rng.randrange(len(s))
            if op == "i":
                s.insert(i, rng.choice(letters))
            elif op == "d" and len(s) > 1:
                del s[i]
            else:
                s[i] = rng.choice(letters)
            out.append(rng.choice(["", "-", "_"]).join(["".join(s)]) if rng.random() < 0.5 else "".join(s).upper())
    return out


def brute_pairs(names, threshold=90):
    norm = sorted({normalize_username(n) for n in names} - {""})
    return {(a, b) for a, b in itertools.combinations(norm, 2) if fuzz.ratio(a, b) >= threshold}


def test_length_blocking_is_exact():
    names = random_names(400)
    got = similar_name_pairs(names)
    assert set(zip(got["name_1"], got["name_2"])) == brute_pairs(names)
    assert len(got) > 20  # the test data really has near-duplicates
    assert (got["score"] >= 90).all()


def test_affix_blocking_is_a_subset_with_high_recall():
    names = random_names(400, seed=1)
    exact = brute_pairs(names)
    approx = similar_name_pairs(names, blocking="affix")
    found = set(zip(approx["name_1"], approx["name_2"]))
    assert found <= exact and len(found) >= 0.8 * len(exact)
    with pytest.raises(ValueError, match="blocking"):
        similar_name_pairs(names, blocking="soundex")


def test_identity_map_merges_transitively_and_picks_heaviest():
    names = ["abcdefghij", "abcdefghijk", "abcdefghijkl", "ABCDEFGHIJ", "zzz", "zz-z"]
    mapping = identity_map(names, weights={"abcdefghijk": 10})
    # 10 vs 11 chars: ratio 95; 11 vs 12: 96; 10 vs 12: 91 -> one identity
    assert {mapping[n] for n in names[:4]} == {"abcdefghijk"}
    assert mapping["zzz"] == mapping["zz-z"] == "zz-z"  # equal after normalisation; alphabetical first
    assert identity_map(["alice", "bob"]) == {"alice": "alice", "bob": "bob"}
    assert identity_map(["-", "_", "--"]) == {"-": "-", "_": "_", "--": "--"}


def test_merge_identities_sums_weights_and_makes_self_loops():
    G = nx.DiGraph()
    G.add_edge("ann", "bob", weight=2, merged=1)
    G.add_edge("ann2", "bob", weight=3, merged=0)
    G.add_edge("ann", "ann2", weight=1, merged=0)
    H = merge_identities(G, {"ann2": "ann"})
    assert set(H) == {"ann", "bob"}
    assert H["ann"]["bob"] == {"weight": 5, "merged": 1}
    assert H["ann"]["ann"]["weight"] == 1


def test_pair_kinds_classify_how_two_names_differ():
    assert pair_kind("artist", "artist2") == "digits only"
    assert pair_kind("modelmaker", "modelmakr") == "one character added or removed"
    assert pair_kind("modelmaker", "modelmakex") == "one character replaced"
    assert pair_kind("abcdefghijk", "bacdefghijk") == "other"
    pairs = pd.DataFrame({"name_1": ["artist", "modelmaker", "modelmaker"], "name_2": ["artist2", "modelmakr", "modelmakex"],
                          "score": [92, 95, 90]})
    kinds = name_pair_kinds(pairs).set_index("difference")
    assert list(kinds.index) == list(PAIR_KINDS)
    assert kinds["pairs"].tolist() == [1, 1, 1, 0] and kinds.loc["one character replaced", "min_score"] == 90
    assert kinds["share"].sum() == pytest.approx(1.0) and np.isnan(kinds.loc["other", "median_score"])


def test_identity_map_reuses_precomputed_pairs():
    names = ["model-maker-1", "modelmaker1x", "carol"]
    pairs = similar_name_pairs(names, 90)
    assert identity_map(names, 90, pairs=pairs) == identity_map(names, 90)
    assert identity_map(names, 90, pairs=pairs.iloc[0:0]) == {n: n for n in names}
