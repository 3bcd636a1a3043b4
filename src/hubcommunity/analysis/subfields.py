"""The paper's subfields (CV, NLP, multimodal), defined by pipeline tag.

The mapping is the paper's own lists (see METHODS.md, RQ2), kept in the data
file ``data/subfields.csv`` with one row per pipeline tag.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hubcommunity.paths import data_dir

#: Subfield labels in the order the book shows them.
SUBFIELDS = ("cv", "nlp", "multimodal")


def load_subfield_map(path: Path | None = None) -> dict[str, str]:
    """Return ``{pipeline_tag: subfield}`` from ``data/subfields.csv`` (or ``path``)."""
    table = pd.read_csv(path or data_dir() / "subfields.csv")
    unknown = set(table["subfield"]) - set(SUBFIELDS)
    if unknown:
        raise ValueError(f"{path or 'data/subfields.csv'}: unknown subfield(s) {sorted(unknown)}")
    return dict(zip(table["pipeline_tag"], table["subfield"]))


def subfield_of(pipeline_tags: pd.Series, mapping: dict[str, str] | None = None) -> pd.Series:
    """Map a Series of pipeline tags to subfields; tags outside the lists give ``<NA>``."""
    mapping = mapping if mapping is not None else load_subfield_map()
    return pipeline_tags.map(mapping).astype("string")
