"""License groups: the data file is well formed and maps ids as METHODS.md says."""

from __future__ import annotations

import pytest

from hubcommunity import licenses


def test_file_is_valid_and_complete():
    df = licenses.read_license_groups()
    assert set(df["group"]) == {"permissive", "restrictive", "other"}
    assert df["license_id"].is_unique and (df["rationale"].str.len() > 10).all()


@pytest.mark.parametrize("lid, group", [
    ("apache-2.0", "permissive"), ("mit", "permissive"), ("bsd-3-clause", "permissive"),
    ("cc-by-4.0", "permissive"), ("cc0-1.0", "permissive"), ("unlicense", "permissive"),
    ("gpl-3.0", "restrictive"), ("lgpl-2.1", "restrictive"), ("agpl-3.0", "restrictive"),
    ("cc-by-sa-4.0", "restrictive"), ("cc-by-nc-4.0", "restrictive"), ("cc-by-nc-nd-4.0", "restrictive"),
    ("cc-by-nd-4.0", "restrictive"), ("openrail", "restrictive"), ("creativeml-openrail-m", "restrictive"),
    ("llama2", "restrictive"), ("llama3", "restrictive"), ("Apache-2.0", "permissive"),
    ("other", "other"), ("unknown", "other"), (None, "none"), ("", "none"), ("my-own-license", "unmapped"),
])
def test_groups(lid, group):
    assert licenses.license_group(lid) == group


def test_licenses_from_tags():
    assert licenses.licenses_from_tags(["a", "license:mit", "license:gpl-3.0"]) == ["mit", "gpl-3.0"]
    assert licenses.licenses_from_tags(None) == []


@pytest.mark.parametrize("body, message", [
    ("license_id,group\nmit,permissive\n", "line 1: columns"),
    ("license_id,group,rationale\nmit,permissive,ok fine\nmit,permissive,again\n", "line 3: mit already listed on line 2"),
    ("license_id,group,rationale\nmit,liberal,why\n", "line 2 \\(mit\\): group 'liberal'"),
    ("license_id,group,rationale\nmit,permissive,\n", "line 2 \\(mit\\): empty rationale"),
])
def test_bad_file(tmp_path, body, message):
    p = tmp_path / "groups.csv"
    p.write_text(body)
    with pytest.raises(licenses.LicenseDataError, match=message):
        licenses.read_license_groups(p)
