"""Merging near-identical account names into one identity, as the paper's authors did.

The authors' script ``string-similarity-edges.py`` (``ccosborne/hf-hub-mining``)
lower-cases each user name, deletes ASCII punctuation and spaces, and
compares every pair with fuzzywuzzy's ``fuzz.token_set_ratio``, keeping pairs
scoring at least 90. After their preprocessing a name has no spaces, so it is
a single token and ``token_set_ratio`` reduces to the plain ``ratio`` of the
two strings (the intersection of token sets is empty unless the names are
equal, which scores 100). We therefore score pairs with
:func:`rapidfuzz.fuzz.ratio` on the same preprocessed names; rapidfuzz's
ratio is the normalised Indel similarity ``100 * (1 - d / (len1 + len2))``,
the same formula as fuzzywuzzy's ``ratio`` with python-Levenshtein (the
pure-difflib fallback can differ slightly). Matching pairs are merged
transitively (connected components of the match graph); the paper does not
say how chains were handled.

Blocking (exact, no pair above the threshold is missed): the Indel distance
is at least the length difference, so ``ratio >= t`` needs
``|l1 - l2| <= (1 - t/100)(l1 + l2)``, i.e. ``l2 <= l1 (200 - t) / t`` for
``l1 <= l2``. Names are grouped by length, and each length block is compared
only with the blocks it can match, with :func:`rapidfuzz.process.cdist`
(``score_cutoff``, all cores) in row chunks of bounded memory.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

__all__ = ["normalize_username", "similar_name_pairs", "identity_map", "merge_identities", "PAIR_KINDS",
           "pair_kind", "name_pair_kinds"]

_PUNCT = str.maketrans("", "", string.punctuation + " ")


def normalize_username(name: str) -> str:
    """The authors' preprocessing: lower-case, drop ASCII punctuation and spaces."""
    return str(name).lower().translate(_PUNCT)


def _max_partner_length(length: int, threshold: float) -> int:
    """Longest name that can still reach ``threshold`` with a name of ``length``."""
    return int(np.floor(length * (200 - threshold) / threshold + 1e-9))


def _pairs_length_blocked(norm: list[str], threshold: float, chunk_cells: int) -> list[tuple[str, str, int]]:
    """Every pair of distinct names in ``norm`` scoring >= ``threshold`` (exact length blocking)."""
    by_len: dict[int, list[str]] = {}
    for s in norm:
        by_len.setdefault(len(s), []).append(s)
    lengths = sorted(by_len)
    rows = []
    for i, length in enumerate(lengths):
        queries = by_len[length]
        hi = _max_partner_length(length, threshold)
        choices = [s for L in lengths[i:] if L <= hi for s in by_len[L]]
        if len(choices) < 2 and len(queries) < 2:
            continue
        step = max(1, chunk_cells // max(1, len(choices)))
        for start in range(0, len(queries), step):
            q = queries[start:start + step]
            scores = process.cdist(q, choices, scorer=fuzz.ratio, score_cutoff=threshold,
                                   dtype=np.uint8, workers=-1)
            qi, ci = np.nonzero(scores)
            for a, b in zip(qi.tolist(), ci.tolist()):
                x, y = q[a], choices[b]
                if len(x) != len(y) or x < y:  # same-length block: each pair once, not with itself
                    rows.append((min(x, y), max(x, y), int(scores[a, b])))
    return rows


def similar_name_pairs(
    names: Iterable[str],
    threshold: float = 90,
    *,
    blocking: str = "length",
    affix: int = 2,
    chunk_cells: int = 20_000_000,
) -> pd.DataFrame:
    """Pairs of distinct *normalised* names whose ``fuzz.ratio`` is at least ``threshold``.

    ``names`` are raw account names; they are normalised with
    :func:`normalize_username` and deduplicated first (names that normalise to
    the same string are merged by :func:`identity_map` without scoring).
    Empty normalised names are skipped.

    ``blocking``: ``"length"`` (exact: only length blocks that can reach the
    threshold are compared; see the module docstring) or ``"affix"``
    (approximate, for very many names: additionally require the same first
    ``affix`` characters *or* the same last ``affix`` characters, so a pair is
    missed only when both its start and its end differ; roughly 10-50x
    fewer comparisons). ``chunk_cells`` bounds each score matrix.

    Returns columns ``name_1``, ``name_2`` (``name_1 < name_2``) and ``score``.
    """
    norm = sorted({normalize_username(n) for n in names} - {""})
    if blocking == "length":
        rows = _pairs_length_blocked(norm, threshold, chunk_cells)
    elif blocking == "affix":
        rows = []
        for key in (lambda s: s[:affix], lambda s: s[-affix:]):
            groups: dict[str, list[str]] = {}
            for s in norm:
                groups.setdefault(key(s), []).append(s)
            for group in groups.values():
                if len(group) > 1:
                    rows.extend(_pairs_length_blocked(group, threshold, chunk_cells))
    else:
        raise ValueError(f"unknown blocking {blocking!r}; expected 'length' or 'affix'")
    out = pd.DataFrame(rows, columns=["name_1", "name_2", "score"]).drop_duplicates(["name_1", "name_2"])
    return out.sort_values(["name_1", "name_2"], ignore_index=True)


def identity_map(
    names: Iterable[str],
    threshold: float = 90,
    weights: dict | None = None,
    *,
    blocking: str = "length",
    pairs: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Map each raw name to its identity's representative name.

    Names are linked when their normalised forms are equal or a pair of
    :func:`similar_name_pairs`; identities are the connected components.
    The representative is the member with the largest ``weights`` value
    (e.g. degree; default 0), ties broken by the alphabetically first name.
    Names alone in their component map to themselves, and so do names that
    normalise to the empty string (punctuation only). ``pairs``: the result
    of :func:`similar_name_pairs` for these names and ``threshold``, when the
    caller has it already (it is the expensive step).
    """
    names = list(dict.fromkeys(str(n) for n in names))
    weights = weights or {}
    link = nx.Graph()
    link.add_nodes_from(names)
    by_norm: dict[str, list[str]] = {}
    for n in names:
        by_norm.setdefault(normalize_username(n), []).append(n)
    for key, group in by_norm.items():
        if key:  # names of punctuation only normalise to "" and say nothing about identity
            nx.add_path(link, group)
    if pairs is None:
        pairs = similar_name_pairs(names, threshold, blocking=blocking)
    for a, b in zip(pairs["name_1"], pairs["name_2"]):
        if a in by_norm and b in by_norm:
            link.add_edge(by_norm[a][0], by_norm[b][0])
    mapping = {}
    for comp in nx.connected_components(link):
        rep = min(comp, key=lambda n: (-weights.get(n, 0), n))
        for n in comp:
            mapping[n] = rep
    return mapping


def merge_identities(G: nx.DiGraph, mapping: dict) -> nx.DiGraph:
    """Relabel ``G``'s nodes by ``mapping`` and merge them, summing edge weights.

    Nodes missing from ``mapping`` keep their name. An edge between two names
    of one identity becomes a self-loop of that identity (it is a tie of the
    person with themself). Integer edge attributes (``weight``, ``merged``)
    are summed; graph attributes are kept.
    """
    H = nx.DiGraph(**G.graph)
    H.add_nodes_from(mapping.get(v, v) for v in G)
    for u, v, data in G.edges(data=True):
        a, b = mapping.get(u, u), mapping.get(v, v)
        if H.has_edge(a, b):
            target = H[a][b]
            for key, value in data.items():
                target[key] = target.get(key, 0) + value
        else:
            H.add_edge(a, b, **data)
    return H


#: Kinds of difference between two matching names, in the order :func:`pair_kind` tests them.
PAIR_KINDS = ("digits only", "one character added or removed", "one character replaced", "other")

_DIGITS = re.compile(r"\d")


def pair_kind(a: str, b: str) -> str:
    """How two (normalised) names differ: one of :data:`PAIR_KINDS`.

    ``"digits only"``: equal once digits are removed (``"artist"`` /
    ``"artist2"``); ``"one character added or removed"``: Indel distance 1;
    ``"one character replaced"``: same length, one position differs; else
    ``"other"``.
    """
    if _DIGITS.sub("", a) == _DIGITS.sub("", b):
        return PAIR_KINDS[0]
    if Indel.distance(a, b) == 1:
        return PAIR_KINDS[1]
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1:
        return PAIR_KINDS[2]
    return PAIR_KINDS[3]


def name_pair_kinds(pairs: pd.DataFrame) -> pd.DataFrame:
    """Matching name pairs (:func:`similar_name_pairs`) counted by :func:`pair_kind`: aggregate statistics.

    Returns one row per kind in :data:`PAIR_KINDS` order: ``difference``,
    ``pairs``, ``share`` (of all pairs), ``min_score`` and ``median_score``
    (NaN for a kind with no pair). No name is returned, so the table can be
    shown without exposing anyone's handle.
    """
    kinds = pd.Series([pair_kind(a, b) for a, b in zip(pairs["name_1"], pairs["name_2"])], dtype=object)
    scores = pairs["score"].reset_index(drop=True)
    rows = []
    for kind in PAIR_KINDS:
        sel = scores[(kinds == kind).to_numpy()]
        rows.append({"difference": kind, "pairs": int(sel.size),
                     "share": sel.size / len(pairs) if len(pairs) else float("nan"),
                     "min_score": float(sel.min()) if sel.size else float("nan"),
                     "median_score": float(sel.median()) if sel.size else float("nan")})
    return pd.DataFrame(rows)
