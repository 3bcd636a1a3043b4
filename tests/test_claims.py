"""The book's top layer: the paper's claims, one verdict each; one quantity, one value; provenance
as the reference data's README tells it.

Fast tests check the claims file, the verdict functions on hand-made records with known
answers, the consistency check on hand-made results, and the pages' sources (the discussion
pastes exactly one verdict per claim from the page that records it; the introduction sorts the
claims into the three tiers; the data chapter states what the reference README says of each
capture). The slow test reads the built book's results: every claim's tier as recorded, the
introduction's sorting against it, and no quantity with two values.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from hubcommunity import consistency, paper
from hubcommunity.analysis import verdicts
from hubcommunity.paper import NOT_TESTABLE, REPRODUCED, SUBSTITUTE, TIERS

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
README = ROOT.parent / "shared" / "reference-data" / "README.md"
PREPARE = ROOT.parent / "shared" / "reference-data" / "prepare.py"

#: Which verdict function records the claims of each page (``verdict_in``), and the call the page makes.
PAGE_FUNCTIONS = {"rq1_activity.md": verdicts.rq1, "history.md": verdicts.history, "rq2_network.md": verdicts.rq2,
                  "rq3_adoption.md": verdicts.rq3, "discussion.md": None}


# -- the claims file -------------------------------------------------------------------------
def _row(**over) -> str:
    row = {"key": "x", "claim": "X", "value": "1", "unit": "u", "comparison": "exact", "source": "s",
           "section": "Abstract", "quote": "q", "url": "https://example.org", "rq": "RQ1",
           "verdict_in": "rq1_activity.md"}
    row.update(over)
    return ",".join(row[c] for c in paper.COLUMNS)


def test_claims_file_holds_the_abstract_numbers_and_words():
    claims = paper.load_paper_claims()
    assert paper.claim("models_analysed", claims) == 348181
    assert paper.claim("models_top1_downloads_share", claims) == pytest.approx(0.99)
    assert claims.loc[claims.key == "models_zero_downloads_share", "comparison"].item() == "more than"
    qualitative = claims[claims["comparison"] == "qualitative"]
    assert len(qualitative) >= 10 and qualitative["value"].map(math.isnan).all()
    assert "network_core_periphery" in set(claims["key"]), "core-periphery gets its row"
    assert claims["url"].str.startswith("https://").all() and (claims["quote"].str.len() > 10).all()
    with pytest.raises(KeyError, match="no paper claim 'nope'"):
        paper.claim("nope", claims)


@pytest.mark.parametrize(
    "row, message",
    [
        (_row(key="a", value="abc"), r"claims.csv:3: value 'abc' is not a number"),
        (_row(key="a", comparison="about"), r"claims.csv:3: comparison 'about' is not one of"),
        (_row(key="a", comparison="qualitative"), r"claims.csv:3: a qualitative claim has no value"),
        (_row(key="a", rq="RQ9"), r"claims.csv:3: rq 'RQ9' is not one of"),
        (_row(key="a", verdict_in="RQ1 chapter"), r"claims.csv:3: verdict_in 'RQ1 chapter' is not a page"),
        (_row(key="a", url="http://x"), r"claims.csv:3: section, quote and an https url are required"),
        (_row(), r"duplicate key\(s\) \['x'\]"),
    ],
)
def test_bad_claims_are_named_by_file_and_line(tmp_path, row, message):
    path = tmp_path / "claims.csv"
    path.write_text(",".join(paper.COLUMNS) + "\n" + _row() + "\n" + row + "\n")
    with pytest.raises(ValueError, match=message):
        paper.load_paper_claims(path)


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("key,claim,value\nx,X,1\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['unit'"):
        paper.load_paper_claims(path)


def test_value_records_quote_the_paper_as_it_states_values():
    records = {r["key"]: r for r in paper.value_records(["models_analysed", "network_isolates_share"])}
    assert records["paper_models_analysed"]["value"] == 348181 and records["paper_models_analysed"]["fmt"] is None
    assert records["paper_network_isolates_share"]["value"] == pytest.approx(0.89)
    assert records["paper_network_isolates_share"]["fmt"] == "{:.0%}"
    assert records["paper_models_analysed"]["description"].startswith("The paper: Model repositories analysed (")
    with pytest.raises(ValueError, match="qualitative"):
        paper.value_records(["pareto_everywhere"])


def test_verdict_records_check_key_tier_and_words():
    tier, verdict = paper.verdict_records("pareto_everywhere", REPRODUCED, " Heavy tails ")
    assert (tier["key"], tier["value"]) == ("tier_pareto_everywhere", REPRODUCED)
    assert (verdict["key"], verdict["value"]) == ("verdict_pareto_everywhere", "Heavy tails")
    assert tier["text"] and verdict["text"]
    with pytest.raises(KeyError, match="no paper claim 'nope'"):
        paper.verdict_records("nope", REPRODUCED, "x")
    with pytest.raises(ValueError, match="is not one of"):
        paper.verdict_records("pareto_everywhere", "Reproduced", "x")
    with pytest.raises(ValueError, match="empty verdict"):
        paper.verdict_records("pareto_everywhere", SUBSTITUTE, "  ")


# -- the verdict functions, on hand-made records ------------------------------------------------
def _values(**numbers) -> dict:
    """``{key: {"value", "formatted"}}`` as ``verdicts.recorded`` returns it (formatted: str(value))."""
    return {k: {"value": v, "formatted": str(v)} for k, v in numbers.items()}


RQ1 = dict(paper_count_reached_models="2023-10-17", paper_count_reached_datasets="not reached",
           n_right_skewed=9, n_summary_rows=9, model_downloads_top1=0.989, model_likes_top1=0.81,
           dataset_downloads_top1=0.96, dataset_likes_top1=0.69, kw_n_significant=4, kw_n_tests=4,
           kw_max_eps2=0.057, n_fitted=9, n_exp_worse=9, n_gof_rejected=4)


def _tiers(records) -> dict:
    return {r["key"][5:]: r["value"] for r in records if r["key"].startswith("tier_")}


def _words(records) -> dict:
    return {r["key"][8:]: r["value"] for r in records if r["key"].startswith("verdict_")}


def test_rq1_verdicts_follow_the_numbers():
    records = verdicts.rq1(_values(**RQ1))
    tiers, words = _tiers(records), _words(records)
    assert tiers["models_top1_downloads_share"] == REPRODUCED  # 98.9% is 99% to the paper's precision
    assert tiers["license_collaboration_differences"] == SUBSTITUTE
    assert tiers["models_analysed"] == NOT_TESTABLE and "2023-10-17" in words["models_analysed"]
    assert "holds fewer datasets" in words["datasets_analysed"]
    assert tiers["pareto_everywhere"] == REPRODUCED and "4 of 9" in words["pareto_everywhere"]
    # the same measure disagreeing in July 2024 cannot refute a claim about another date
    off = verdicts.rq1(_values(**{**RQ1, "model_downloads_top1": 0.90, "n_right_skewed": 7, "dataset_likes_top1": 0.3,
                                  "n_exp_worse": 5}))
    assert set(_tiers(off).values()) <= set(TIERS)
    assert _tiers(off)["models_top1_downloads_share"] == NOT_TESTABLE
    assert "Differs in July 2024 (0.9)" in _words(off)["models_top1_downloads_share"]
    assert _tiers(off)["activity_right_skewed"] == NOT_TESTABLE and "7 of 9" in _words(off)["activity_right_skewed"]
    assert _tiers(off)["activity_extremely_imbalanced"] == NOT_TESTABLE
    assert _tiers(off)["pareto_everywhere"] == NOT_TESTABLE


def test_history_verdict_places_the_paper_against_the_listings():
    base = dict(models_2022_07_zero=0.31, models_2022_10_zero=0.45, models_latest_zero=0.495)
    words = _words(verdicts.history(_values(**base)))["models_zero_downloads_share"]
    assert "far above the path" in words
    inside = _words(verdicts.history(_values(**{**base, "models_latest_zero": 0.75})))
    assert "Within the range" in inside["models_zero_downloads_share"]


RQ2 = dict(any_owner_before_isolate_share=0.83, pr_rec_able=0.017, disc_rec_able=0.013, deriv_rec_able=0.003,
           rec_verdict_all="more common than the same degrees produce in every network",
           pr_rec_core=0.02, pr_rec_between=0.0, pr_rec_periphery=0.005, disc_rec_core=0.11,
           disc_rec_between=0.016, disc_rec_periphery=0.004, deriv_rec_core=0.037, deriv_rec_between=0.0005,
           deriv_rec_periphery=0.0056, pr_verdict=verdicts.LESS_CP,
           disc_verdict="denser in its core than its degrees alone produce", deriv_verdict=verdicts.LESS_CP,
           density_verdict_all="Every network is more core-periphery-like than random networks of its density",
           max_rho_sq="2.5%")


def test_rq2_verdicts_are_substitutes_and_follow_the_numbers():
    records = verdicts.rq2(_values(**RQ2))
    assert set(_tiers(records).values()) == {SUBSTITUTE}
    words = _words(records)
    assert words["network_isolates_share"].startswith("Most model owners")
    assert words["network_reciprocity_high"].startswith("Low on three other ties")
    assert ", above same-degree nulls" in words["network_reciprocity_high"]
    assert words["network_reciprocity_position_independent"].startswith("Depends on position in every network")
    assert "2 of 3 below same-degree nulls" in words["network_core_periphery"]
    flat = {**RQ2, **{f"{k}_rec_{p}": 0.3 for k in ("pr", "disc", "deriv") for p in ("core", "between", "periphery")},
            "pr_rec_able": 0.7, "rec_verdict_all": "no more common than the same degrees produce in any network",
            "any_owner_before_isolate_share": 0.2, "pr_verdict": "x", "deriv_verdict": "x"}
    words = _words(verdicts.rq2(_values(**flat)))
    assert words["network_reciprocity_position_independent"].startswith("About the same in every position")
    assert words["network_reciprocity_high"].startswith("High on three other ties")
    assert "no higher than same-degree nulls" in words["network_reciprocity_high"]
    assert words["network_isolates_share"].startswith("A minority of")
    assert "0 of 3 below" in words["network_core_periphery"]


def test_rq3_verdicts_label_the_census_and_derivation_as_substitutes():
    records = verdicts.rq3(_values(space_used_share=0.037, space_top1_share=0.81, top20_company=20))
    assert set(_tiers(records).values()) == {SUBSTITUTE}
    words = _words(records)
    assert "name-defined part of the Hub" in words["adoption_minority_models"]
    assert words["adoption_handful_companies"].startswith("Through derivation, Hub-wide: 20 of the 20")
    most = _words(verdicts.rq3(_values(space_used_share=0.6, space_top1_share=0.2, top20_company=3)))
    assert most["adoption_minority_models"].startswith("Does not agree")


def test_bot_direction_says_whether_counting_bots_reverses_the_comparison():
    flip = verdicts.license_bot_direction(_values(threads_perm_over_restr_nobots=0.49, threads_perm_over_restr_bots=0.56))
    keep = verdicts.license_bot_direction(_values(threads_perm_over_restr_nobots=0.52, threads_perm_over_restr_bots=0.56))
    assert flip[0]["value"].startswith("reverses") and keep[0]["value"].startswith("keeps")


def test_a_verdict_names_a_record_the_chapter_lacks():
    with pytest.raises(KeyError, match="'model_downloads_top1'"):
        verdicts.rq1(_values(**{k: v for k, v in RQ1.items() if k != "model_downloads_top1"}))


def test_every_claim_gets_its_verdict_from_the_page_named_in_the_claims_file():
    claims = paper.load_paper_claims()
    values = {"rq1_activity.md": _values(**RQ1), "rq2_network.md": _values(**RQ2),
              "history.md": _values(models_2022_07_zero=0.3, models_2022_10_zero=0.4, models_latest_zero=0.5),
              "rq3_adoption.md": _values(space_used_share=0.04, space_top1_share=0.8, top20_company=20)}
    for page, function in PAGE_FUNCTIONS.items():
        records = verdicts.untestable(claims) if function is None else function(values[page], claims)
        expected = set(claims.loc[claims["verdict_in"] == page, "key"])
        assert set(_tiers(records)) == expected == set(_words(records)), page
        source = (BOOK / page).read_text(encoding="utf-8")
        call = "verdicts.untestable(" if function is None else f"verdicts.{function.__name__}(verdicts.recorded(res))"
        assert call in source, f"{page} does not record its verdicts with {call}"
    assert set(claims["verdict_in"]) <= set(PAGE_FUNCTIONS)


def test_sensitivity_records_on_known_inputs():
    summary = pd.DataFrame({"n": [3, 3, 0], "mean": [2.0, 1.0, float("nan")], "median": [1.0, 1.0, float("nan")]})
    assert {r["key"]: r["value"] for r in verdicts.skew_records(summary)} == {"n_right_skewed": 1, "n_summary_rows": 2}
    narrow = pd.DataFrame({"alpha": [1.5, 2.0, None], "xmin": [3.0, 5.0, None]})
    wide = pd.DataFrame({"alpha": [1.5, 2.5, None], "xmin": [3.0, 5.0, None]})
    got = {r["key"]: r["value"] for r in verdicts.fit_range_records(narrow, wide)}
    assert got == {"n_fits_moved_by_range": 1, "max_alpha_moved_by_range": pytest.approx(0.5)}
    tests = pd.DataFrame({"epsilon_squared": [0.01, 0.04], "p": [0.5, 1e-9]})
    got = {r["key"]: r["value"] for r in verdicts.license_without_other_records(tests)}
    assert got == {"kw_max_eps2_no_other": 0.04, "kw_n_significant_no_other": 1}
    table = pd.DataFrame({
        "network": ["a", "a", "a", "b", "b", "b"],
        "bots": ["excluded", "included", "excluded"] * 2,
        "names": ["as on the Hub", "as on the Hub", "near-identical names merged"] * 2,
        "owner_before_isolate_share": [0.9, 0.8, 0.89, 0.5, 0.5, 0.45],
        "ratio_null": [5.0, 6.0, 4.0, 2.0, 3.0, 7.0]})
    got = {r["key"]: r["value"] for r in verdicts.network_sensitivity_records(table)}
    assert got == {"sens_reported_ratio_min": 2.0, "sens_reported_ratio_max": 5.0,
                   "sens_bots_owner_change": pytest.approx(10.0), "sens_bots_ratio_min": 3.0,
                   "sens_bots_ratio_max": 6.0, "sens_names_owner_change": pytest.approx(5.0),
                   "sens_names_ratio_min": 4.0, "sens_names_ratio_max": 7.0}
    conc = pd.DataFrame({"measure": ["adopters_excl_mass", "adopters_excl_mass", "root_adopters"],
                         "population": ["all", "adopted", "adopted"], "top10_share": [1.0, 0.8, 0.7]})
    got = {r["key"]: r["value"] for r in verdicts.mass_sensitivity_records(conc)}
    assert got == {"top10_adopters_excl_mass": 0.8, "top10_adopters_roots": 0.7}


# -- one quantity, one value --------------------------------------------------------------
def _record(numbers=(), texts=()):
    return {"numbers": [{"key": k, "value": v, "description": d} for k, v, d in numbers],
            "texts": [{"key": k, "value": v, "description": d} for k, v, d in texts]}


def test_quantity_conflicts_on_known_records():
    same = {"a": _record([("n", 10, "Models")]), "b": _record([("n", 10.0, "Models")])}
    assert consistency.quantity_conflicts(same) == []
    value = {"a": _record([("share", 0.514, "Bot share of all threads")]),
             "b": _record([("bots", 0.511, "Bot share of all threads")])}
    [msg] = consistency.quantity_conflicts(value)
    assert msg.startswith("description 'Bot share of all threads' has different values") and "b.bots: 0.511" in msg
    key = {"a": _record(texts=[("date", "2024-07-11", "Capture date")]),
           "b": _record(texts=[("date", "2024-07-09", "Capture date of the listing")])}
    problems = consistency.quantity_conflicts(key)
    assert any(p.startswith("key 'date' has different values") for p in problems)
    assert any(p.startswith("key 'date' has different descriptions") for p in problems)
    # within one chapter nothing is compared
    assert consistency.quantity_conflicts({"a": _record([("x", 1, "D"), ("y", 2, "D")])}) == []


# -- the pages' sources ----------------------------------------------------------------------
_PASTE = re.compile(r"\{glue:text\}`(?:(?P<page>[a-z0-9_]+\.md)::)?(?P<kind>tier|verdict)_(?P<key>[a-z0-9_]+)(?::s)?`")


def test_discussion_pastes_one_verdict_per_claim_from_the_page_that_tests_it():
    claims = paper.load_paper_claims().set_index("key")
    text = (BOOK / "discussion.md").read_text(encoding="utf-8")
    found: dict[tuple[str, str], list[str]] = {}
    for m in _PASTE.finditer(text):
        found.setdefault((m["kind"], m["key"]), []).append(m["page"] or "discussion.md")
    for key, row in claims.iterrows():
        for kind in ("tier", "verdict"):
            pages = found.get((kind, key), [])
            assert pages == [row["verdict_in"]], f"{kind} of {key!r} pasted from {pages}, expected once from " \
                                                 f"{row['verdict_in']}"
    assert {k for _, k in found} <= set(claims.index), "a pasted verdict names no claim"
    # every row of the claims table has a verdict: count the table's rows
    table = text[text.index(":name: tbl-discussion-claims"):]
    table = table[:table.index("```")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(claims)


def intro_sorting() -> dict[str, str]:
    """``{claim key: tier}`` from the introduction's ``% claims-tier <tier>: keys`` comments."""
    out = {}
    for line in (BOOK / "intro.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^% claims-tier (?P<tier>[^:]+): (?P<keys>.+)$", line)
        if m:
            assert m["tier"] in TIERS, f"intro sorts into an unknown tier {m['tier']!r}"
            for key in m["keys"].split():
                assert key not in out, f"intro sorts {key!r} twice"
                out[key] = m["tier"]
    return out


def test_intro_sorts_every_claim_once():
    assert set(intro_sorting()) == set(paper.load_paper_claims()["key"])


# -- provenance as the reference README tells it ----------------------------------------------
#: What the reference README says of a capture (a regular expression) -> what the data chapter must say.
CONVERSION_FACTS = [
    (r"Only\s+compression\s+was\s+applied", "compressed"),
    (r"rendered\s+`html`", "rendered HTML"), (r"avatar\s+URLs", "avatar URLs"), (r"the\s+`diff`", "diffs"),
    (r"Thread\s+`createdAt`\s+is\s+the\s+first\s+event", "first event's timestamp"),
    (r"4\s+MiB\s+or\s+more\s+was\s+not\s+available", "4 MiB or more"), (r"YAML\s+dumps", "YAML dumps"),
    (r"Repacked\s+from\s+zip\s+to\s+gzip-compressed\s+JSON\s+lines,\s+sorted\s+by\s+id;\s+records\s+unchanged",
     "sorted by id"),
    (r"\{0\.\.9,q\}\.zip", "{0..9,q}.zip"), (r"No\s+model\s+lists\s+more\s+than\s+100", "at most"),
    (r"Converted\s+from\s+the\s+R\s+data\s+file\s+to\s+CSV", "R data file to CSV"), (r"byte-identical", "byte for byte"),
]


def _sections(text: str) -> dict[str, str]:
    """The README's ``## <name>/`` sections, by capture folder name."""
    parts = re.split(r"^## ", text, flags=re.M)
    return {p.split("/", 1)[0].strip(): p for p in parts[1:] if "/" in p.split("\n", 1)[0]}


@pytest.mark.skipif(not README.is_file(), reason="the reference data's README is not beside the checkout")
def test_data_chapter_tells_the_provenance_the_reference_readme_tells():
    readme, chapter = README.read_text(encoding="utf-8"), (BOOK / "data.md").read_text(encoding="utf-8")
    provenance = re.sub(r"\s+", " ", chapter[chapter.index("(data-provenance)="):chapter.index("## Fields present and absent")])
    sections = _sections(readme)
    assert {"hub-lists-2024-07", "model-discussions-2024-01", "model-details-2024-07", "hub-history"} <= set(sections)
    for name, section in sections.items():
        assert f"`{name}`" in provenance, f"the data chapter has no provenance for {name}"
        for repo in re.findall(r"GitHub\s+`([\w.-]+/[\w.-]+)`", section):
            assert repo in provenance, f"{name}: source repository {repo} not named"
        for commit in re.findall(r"commit\s+`([0-9a-f]{40})`", section):
            assert commit[:8] in provenance, f"{name}: commit {commit[:8]} not named"
    for pattern, phrase in CONVERSION_FACTS:
        assert re.search(pattern, readme), f"the README no longer says {pattern!r}: update the data chapter and this test"
        assert phrase in provenance, f"the data chapter does not say {phrase!r} (README: {pattern!r})"
    for function in re.findall(r"^def (\w+)\(mirror", PREPARE.read_text(encoding="utf-8"), flags=re.M):
        assert f"`{function}`" in provenance, f"prepare.py's converter {function} is not named"


def test_no_page_calls_the_captures_unedited_hub_answers():
    pages = [p for p in BOOK.glob("*.md")] + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    for path in pages:
        text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        for phrase in ("exactly as the Hub sent", "as the Hub sent them", "never edited", "so this book does not "
                       "redistribute"):
            assert phrase not in text, f"{path.name} says {phrase!r}"


# -- the built book ----------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.book
def test_built_book_records_one_tier_per_claim_and_one_value_per_quantity():
    import _booksite
    from hubcommunity.build import toc_documents
    from hubcommunity.results import load_results

    result = _booksite.main_book()
    records = load_results(result.generated_dir)
    chapter_of = {}
    for page in toc_documents(_booksite.ROOT):
        m = re.search(r'ChapterResults\("([^"]+)"\)', page.read_text(encoding="utf-8"))
        if m:
            chapter_of[page.name] = m.group(1)
    claims = paper.load_paper_claims()
    recorded = {}
    for key, page in zip(claims["key"], claims["verdict_in"]):
        texts = {t["key"]: t["value"] for t in records[chapter_of[page]]["texts"]}
        assert texts.get(f"tier_{key}") in TIERS, f"{page} records no valid tier for {key!r}"
        assert texts.get(f"verdict_{key}"), f"{page} records no verdict for {key!r}"
        recorded[key] = texts[f"tier_{key}"]
    assert intro_sorting() == recorded, "the introduction sorts the claims unlike the chapters"
    assert consistency.quantity_conflicts(records) == []
