"""Owner kinds: the curated data file and the share functions."""

import pandas as pd
import pytest

from hubcommunity.analysis import owners as ow
from hubcommunity.paths import data_dir


def test_owner_kinds_file_is_valid():
    kinds = ow.load_owner_kinds()
    assert len(kinds) >= 100
    assert not kinds["owner"].duplicated().any()
    assert set(kinds["kind"].dropna()) <= set(ow.OWNER_KINDS)
    assert (kinds["source"].str.len() > 10).all()  # every row says why
    # every kind is used, and the few unclassified rows say why they are left open
    assert set(kinds["kind"].dropna()) == set(ow.OWNER_KINDS)
    assert kinds["kind"].isna().sum() > 0
    # a few well-known owners, as a guard against shifted columns
    known = kinds.set_index("owner")["kind"]
    assert known["meta-llama"] == "company"
    assert known["EleutherAI"] == "non-profit"
    assert known["Helsinki-NLP"] == "academic"
    assert known["TheBloke"] == "individual"
    assert known["automerger"] == "automated"  # a service's account, not a person


def test_owner_kinds_file_has_no_case_duplicates():
    kinds = ow.load_owner_kinds()
    assert not kinds["owner"].str.lower().duplicated().any()


def _write(tmp_path, text):
    path = tmp_path / "kinds.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message",
    [
        ("a,company,x\nb,government,y\n", "line 3: kind 'government'"),
        ("a,company,x\na,academic,y\n", "line 3: owner 'a' repeats line 2"),
        ("a,company,x\nb,academic,\n", "line 3: owner 'b' has no source"),
        ("a/b,company,x\n", "line 2: bad owner 'a/b'"),
        ("a,company\n", "line 2: 2 fields, expected 3"),
    ],
)
def test_bad_owner_kinds_name_file_and_line(tmp_path, body, message):
    path = _write(tmp_path, "owner,kind,source\n" + body)
    with pytest.raises(ValueError, match=message) as err:
        ow.load_owner_kinds(path)
    assert str(path) in str(err.value)


def test_wrong_columns_rejected(tmp_path):
    path = _write(tmp_path, "owner,type,source\na,company,x\n")
    with pytest.raises(ValueError, match="columns must be"):
        ow.load_owner_kinds(path)


def test_owner_of():
    out = ow.owner_of(pd.Series(["meta/llama", "gpt2", None, "a/b/c"]))
    assert out.iloc[0] == "meta" and out.iloc[3] == "a"
    assert out.isna().tolist() == [False, True, True, False]


ADOPTION = pd.DataFrame(
    {
        "model_id": ["co/a", "co/b", "uni/c", "pers/d", "mystery/e", "gpt2", "co/z"],
        "owner": pd.array(["co", "co", "uni", "pers", "mystery", pd.NA, "co"], dtype="string"),
        "adoption": [50, 10, 20, 10, 5, 5, 0],
    }
)
KINDS = pd.DataFrame(
    {
        "owner": pd.array(["co", "uni", "pers", "mystery"], dtype="string"),
        "kind": pd.array(["company", "academic", "individual", pd.NA], dtype="string"),
        "source": ["x", "y", "z", "unsure"],
    }
)


def test_owner_adoption_and_top_shares():
    per = ow.owner_adoption(ADOPTION)
    assert per["owner"].iloc[0] == "co"
    assert per.loc[0, ["models", "models_adopted", "adoption"]].tolist() == [3, 2, 60]
    assert per["share"].sum() == pytest.approx(1.0)
    top = ow.top_owner_shares(ADOPTION, ks=(1, 2, 10))
    assert top[1] == pytest.approx(0.6)
    assert top[2] == pytest.approx(0.8)
    # the un-owned legacy id (5) is in the total but never a "top owner"
    assert top[10] == pytest.approx(0.95)


def test_share_by_kind_reports_unclassified():
    out = ow.share_by_kind(ADOPTION, KINDS).set_index("kind")
    assert list(out.index) == [*ow.OWNER_KINDS, ow.UNCLASSIFIED]
    assert out.loc["company", "adoption"] == 60 and out.loc["company", "owners"] == 1
    assert out.loc["company", "models_adopted"] == 2
    assert out.loc["academic", "share"] == pytest.approx(0.2)
    assert out.loc["non-profit", "adoption"] == 0
    # mystery (empty kind) + un-owned gpt2 -> unclassified: 10 of 100; one named owner
    assert out.loc[ow.UNCLASSIFIED, "adoption"] == 10
    assert out.loc[ow.UNCLASSIFIED, "owners"] == 1
    assert out["share"].sum() == pytest.approx(1.0)


def test_kind_of_defaults_to_unclassified():
    out = ow.kind_of(pd.Series(["co", "nobody", None, "mystery"]), KINDS)
    assert out.tolist() == ["company", "unclassified", "unclassified", "unclassified"]


def test_data_file_lives_in_data_dir():
    assert (data_dir() / "owner_kinds.csv").exists()


def test_mass_producers_file_is_valid_and_disjoint_from_organisations_it_names():
    mass = ow.load_mass_producers()
    assert len(mass) >= 10
    assert set(mass["activity"]) == set(ow.MASS_ACTIVITIES)  # every activity is used
    assert (mass["evidence"].str.len() > 20).all()
    assert not mass["account"].str.lower().duplicated().any()
    # every automated mass producer is classified as automated in the kinds file
    kinds = ow.load_owner_kinds().set_index("owner")["kind"]
    automated = mass.loc[mass["activity"] == "automated", "account"]
    assert all(kinds.get(a) == "automated" for a in automated)


@pytest.mark.parametrize(
    "body, message",
    [
        ("a,quantizer,ok\nb,spammer,x\n", "line 3: activity 'spammer'"),
        ("a,quantizer,ok\nA,merger,x\n", "line 3: account 'A' repeats line 2"),
        ("a,quantizer,\n", "line 2: account 'a' has no evidence"),
        ("a/b,quantizer,x\n", "line 2: bad account 'a/b'"),
        ("a,quantizer\n", "line 2: 2 fields, expected 3"),
    ],
)
def test_bad_mass_producers_name_file_and_line(tmp_path, body, message):
    path = tmp_path / "mass.csv"
    path.write_text("account,activity,evidence\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        ow.load_mass_producers(path)
    assert str(path) in str(err.value)
