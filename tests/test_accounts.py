"""Who an account is (analysis.accounts) on hand-made tables with known answers."""

import pandas as pd

from hubcommunity.analysis import accounts as acc


def _discussions():
    return pd.DataFrame({"repo_id": ["org/m", "ana/m", "ana/m"], "num": [1, 1, 2],
                         "opener": ["ben", "", None]})


def _events():
    return pd.DataFrame({
        "repo_id": ["org/m", "org/m", "ana/m", "ana/m"],
        "author": ["ben", "cat", "ana", None],
        "author_type": ["user", "user", "user", None],
        "is_owner": [False, False, True, None],
        "is_org_member": [False, True, False, None],  # cat is a member of org: org is an organisation
    })


def test_acting_accounts_skip_deleted_accounts():
    assert acc.acting_accounts(_discussions(), _events()) == {"ben", "cat", "ana"}


def test_author_types_count_distinct_authors():
    assert acc.author_types(_events()).to_dict() == {"user": 3}


def test_organisations_from_the_hub_flag_and_the_curated_kinds():
    kinds = pd.DataFrame({"owner": ["bigco", "someone"], "kind": ["company", "individual"]})
    assert acc.organisation_accounts(_events()) == {"org"}
    assert acc.organisation_accounts(_events(), kinds) == {"org", "bigco"}
    # an owner commenting on their own repository is not a member flag
    own = pd.DataFrame({"repo_id": ["ana/m"], "author": ["ana"], "is_owner": [True], "is_org_member": [True]})
    assert acc.organisation_accounts(own) == set()


def test_model_owners_and_owners_before_a_date():
    repos = pd.DataFrame({
        "repo_type": ["model", "model", "model", "dataset"],
        "owner": ["ana", "ben", "ana", "cat"],
        "created_at": pd.to_datetime(["2023-05-01", "2024-03-01", "2024-05-01", "2023-01-01"], utc=True),
    })
    assert acc.model_owners(repos) == {"ana", "ben"}
    assert acc.model_owners(repos, pd.Timestamp("2024-01-25", tz="UTC")) == {"ana"}
