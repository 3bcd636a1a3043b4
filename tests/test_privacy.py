"""hubcommunity.privacy: organisations and bots named, everyone else under a stable pseudonym."""

import pandas as pd

from hubcommunity import privacy


def test_pseudonym_is_stable_case_insensitive_and_salted():
    p = privacy.pseudonym("SomeUser")
    assert p.startswith("user-") and len(p) == len("user-") + 6
    assert p == privacy.pseudonym("someuser")  # one account on the Hub, one pseudonym
    assert p != privacy.pseudonym("someuser2")
    assert p != privacy.pseudonym("SomeUser", salt="other")


def test_named_accounts_are_organisations_and_bots_only():
    kinds = pd.DataFrame({"owner": ["Qwen", "alice", "mit-lab", "mystery"],
                          "kind": ["company", "individual", "academic", ""]})
    named = privacy.named_accounts(kinds, bots=["SFconvertbot"])
    assert named == frozenset({"qwen", "mit-lab", "sfconvertbot"})


def test_display_functions():
    named = frozenset({"qwen"})
    assert privacy.display_account("Qwen", named) == "Qwen"
    assert privacy.display_account("alice", named) == privacy.pseudonym("alice")
    assert privacy.display_account(None, named) is None
    assert privacy.display_repo_id("Qwen/Qwen2-7B", named) == "Qwen/Qwen2-7B"
    assert privacy.display_repo_id("alice/my-model", named) == f"{privacy.pseudonym('alice')}/my-model"
    assert privacy.display_repo_id("gpt2", named) == "gpt2"  # legacy id: no owner to hide
    s = pd.Series(["alice/m", None, "Qwen/x"])
    out = privacy.display_accounts(s, named, repo_ids=True)
    assert out.iloc[0] == f"{privacy.pseudonym('alice')}/m" and pd.isna(out.iloc[1]) and out.iloc[2] == "Qwen/x"


def test_default_named_accounts_read_the_project_files():
    named = privacy.named_accounts()
    assert "sfconvertbot" in named  # data/bots.csv
    assert "stabilityai" in named  # data/owner_kinds.csv, company
