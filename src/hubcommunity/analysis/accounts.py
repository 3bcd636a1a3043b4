"""Who an account is, as far as the captures tell: an actor, an organisation, a model owner.

RQ2 compares networks on node sets chosen independently of the ties
(METHODS.md): isolates over every owner of a listed model, reciprocity among
the accounts able to reciprocate. These pure functions derive those sets from
the tidy tables (CONTRIBUTING.md, stage 2).

* **Actors** (:func:`acting_accounts`): accounts that opened a thread or wrote
  an event (comment, commit, status change) in the discussions capture. Every
  such author whose type the Hub recorded has ``author_type == "user"``: only
  user accounts act, organisations never do.
* **Organisations** (:func:`organisation_accounts`): owners classified as a
  company, academic group or non-profit in ``data/owner_kinds.csv``, and
  owners that the Hub itself marks as organisations: an event author on an
  owner's repository with ``is_org_member`` true (and who is not the owner)
  is a member of that owner, which only an organisation has.
* **Model owners** (:func:`model_owners`): the part before ``/`` of every
  listed model id, optionally only owners with a model created before a date
  (e.g. the discussions capture).

No I/O: owner kinds are passed in (:func:`hubcommunity.analysis.owners.load_owner_kinds`).
"""

from __future__ import annotations

import pandas as pd

from hubcommunity.analysis.owners import owner_of

__all__ = ["ORGANISATION_KINDS", "acting_accounts", "author_types", "organisation_accounts", "model_owners"]

#: Owner kinds (``data/owner_kinds.csv``) that are organisations.
ORGANISATION_KINDS = ("company", "academic", "non-profit")


def _names(values: pd.Series) -> set[str]:
    values = values.dropna().astype(str)
    return set(values[values != ""])


def acting_accounts(discussions: pd.DataFrame, discussion_events: pd.DataFrame) -> set[str]:
    """Accounts that opened a thread or wrote any event in the discussions capture.

    Input: the ``discussions`` (``opener``) and ``discussion_events``
    (``author``) tables. Deleted accounts (empty names) are left out.
    """
    return _names(discussions["opener"]) | _names(discussion_events["author"])


def author_types(discussion_events: pd.DataFrame) -> pd.Series:
    """Number of distinct event authors per Hub account type (``author_type``; ``<NA>``: not recorded)."""
    ev = discussion_events.dropna(subset=["author"])
    ev = ev[ev["author"] != ""]
    return ev.drop_duplicates("author")["author_type"].value_counts(dropna=False)


def organisation_accounts(discussion_events: pd.DataFrame, owner_kinds: pd.DataFrame | None = None) -> set[str]:
    """Owners known to be organisations: by curated kind, or by the Hub's organisation-member flag.

    Parameters
    ----------
    discussion_events : DataFrame
        Columns ``repo_id``, ``author``, ``is_owner``, ``is_org_member``. An
        author flagged as an organisation member of a repository they do not
        own marks the repository's owner as an organisation.
    owner_kinds : DataFrame, optional
        ``owner``, ``kind`` (``data/owner_kinds.csv``); kinds in
        :data:`ORGANISATION_KINDS` count.
    """
    ev = discussion_events
    member = ev["is_org_member"].fillna(False).astype(bool) & ~ev["is_owner"].fillna(False).astype(bool)
    orgs = _names(owner_of(ev.loc[member, "repo_id"]))
    if owner_kinds is not None:
        orgs |= _names(owner_kinds.loc[owner_kinds["kind"].isin(ORGANISATION_KINDS), "owner"])
    return orgs


def model_owners(repos: pd.DataFrame, created_before=None) -> set[str]:
    """Owners of the listed models (``repos`` rows with ``repo_type == "model"``).

    ``created_before`` (a timestamp, optional): only owners with at least one
    model whose ``created_at`` is earlier. Models without an owner prefix
    have no owner and add nothing.
    """
    models = repos[repos["repo_type"] == "model"]
    if created_before is not None:
        created = models["created_at"]
        models = models[(created < pd.Timestamp(created_before)).fillna(False).astype(bool)]
    return _names(models["owner"])
