import pandas as pd

from hubcommunity.analysis.subfields import SUBFIELDS, load_subfield_map, subfield_of


def test_paper_lists_are_complete_and_disjoint():
    mapping = load_subfield_map()
    counts = pd.Series(mapping).value_counts()
    # METHODS.md: 9 CV tags, 12 NLP tags, 8 multimodal tags.
    assert counts.to_dict() == {"nlp": 12, "cv": 9, "multimodal": 8}
    assert set(mapping.values()) == set(SUBFIELDS)


def test_subfield_of_maps_known_tags_and_leaves_others_missing():
    tags = pd.Series(["text-generation", "image-classification", "text-to-image", "audio-classification", None])
    out = subfield_of(tags)
    assert out.tolist()[:3] == ["nlp", "cv", "multimodal"]
    assert out.isna().tolist()[3:] == [True, True]
