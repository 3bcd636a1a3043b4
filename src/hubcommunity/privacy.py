"""Which accounts the book names, and stable pseudonyms for everyone else.

The captures are public, but the book studies a community, not persons. Its
policy (stated in the ethics notes of the chapters): tables and figures name
*organisations* and *bots*, and show every other account under a pseudonym.

An account may be shown by name when

- it is in ``data/owner_kinds.csv`` with kind ``company``, ``academic`` or
  ``non-profit`` (an organisation, classified by hand with a source), or
- it is in ``data/bots.csv`` (an automated account, listed with evidence).

Every other account (individuals, and accounts nobody classified) becomes
``user-`` followed by six hex digits of a salted SHA-256 of its lower-cased
name. The salt is fixed, so a pseudonym is the same on every build and in
every chapter (a reader can follow one account across tables), and two names
differing only in letter case share one pseudonym, as they share one account
on the Hub. This is pseudonymisation, not anonymisation: anyone holding the
public captures can re-identify an account, which is why the book also
refrains from profiling individuals.

Pure functions; :func:`named_accounts` reads the two data files through
their loaders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

__all__ = ["SALT", "NAMED_KINDS", "pseudonym", "named_accounts", "display_account", "display_repo_id",
           "display_accounts"]

#: Fixed salt: pseudonyms are stable across builds (changing it renames every pseudonym).
SALT = "hubcommunity-pseudonyms-v1"

#: Owner kinds (``data/owner_kinds.csv``) that are organisations and may be named.
NAMED_KINDS = ("company", "academic", "non-profit")


def pseudonym(account: str, salt: str = SALT) -> str:
    """Return the stable pseudonym ``user-xxxxxx`` of ``account`` (case-insensitive).

    Parameters
    ----------
    account : str
        An account name as the Hub spells it.
    salt : str
        Mixed into the hash; the default keeps pseudonyms stable across builds.
    """
    digest = hashlib.sha256(f"{salt}:{account.lower()}".encode()).hexdigest()
    return f"user-{digest[:6]}"


def named_accounts(kinds: pd.DataFrame | None = None, bots: Iterable[str] | None = None) -> frozenset[str]:
    """Return the lower-cased accounts the book may name: organisations and bots.

    Parameters
    ----------
    kinds : DataFrame, optional
        ``data/owner_kinds.csv`` as :func:`hubcommunity.analysis.owners.load_owner_kinds`
        returns it (columns ``owner``, ``kind``); default: loaded from the file.
    bots : iterable of str, optional
        Bot account names; default: :func:`hubcommunity.analysis.bots.bot_accounts`.
    """
    if kinds is None:
        from hubcommunity.analysis.owners import load_owner_kinds

        kinds = load_owner_kinds()
    if bots is None:
        from hubcommunity.analysis.bots import bot_accounts

        bots = bot_accounts()
    orgs = kinds.loc[kinds["kind"].isin(NAMED_KINDS), "owner"]
    return frozenset(str(a).lower() for a in [*orgs, *bots])


def display_account(account: str | None, named: frozenset[str]) -> str | None:
    """Return ``account`` if it is in ``named`` (lower-cased set), else its pseudonym.

    ``None``/NA stays as it is (a deleted account has no name to hide).
    """
    if account is None or account is pd.NA or (isinstance(account, float) and account != account):
        return account
    return account if account.lower() in named else pseudonym(account)


def display_repo_id(repo_id: str | None, named: frozenset[str]) -> str | None:
    """Return ``owner/name`` with the owner pseudonymised unless named.

    The repository name after the ``/`` is kept (it names a model, not a
    person); an id without an owner (a legacy id such as ``gpt2``) is kept.
    """
    if repo_id is None or repo_id is pd.NA or (isinstance(repo_id, float) and repo_id != repo_id):
        return repo_id
    if "/" not in repo_id:
        return repo_id
    owner, rest = repo_id.split("/", 1)
    return f"{display_account(owner, named)}/{rest}"


def display_accounts(values: pd.Series, named: frozenset[str], repo_ids: bool = False) -> pd.Series:
    """Vectorised :func:`display_account` (or :func:`display_repo_id` with ``repo_ids``)."""
    func = display_repo_id if repo_ids else display_account
    uniq = pd.unique(values.dropna())
    mapping = {v: func(v, named) for v in uniq}
    return values.map(mapping).where(values.notna(), values)
