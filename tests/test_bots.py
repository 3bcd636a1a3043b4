"""The bot list and the bot signals."""

import pandas as pd
import pytest

from hubcommunity.analysis.bots import BOT_NAME_PATTERN, bot_accounts, bot_activity, bot_candidates, load_bots


def test_bot_list_is_valid_and_has_the_known_bots():
    table = load_bots()
    assert {"SFconvertbot", "librarian-bot"} <= set(table["account"])
    assert (table["evidence"].str.len() > 20).all()
    assert bot_accounts() == frozenset(table["account"])


@pytest.mark.parametrize("content, message", [
    ("account,kind\nx,bot\n", "columns"),
    ("account,kind,evidence\nx,robot,name\n", ":2: kind"),
    ("account,kind,evidence\nx,bot,\n", ":2: account 'x' has no evidence"),
    ("account,kind,evidence\nx,bot,a\nx,bot,b\n", "duplicated"),
])
def test_bad_bot_file_names_the_line(tmp_path, content, message):
    path = tmp_path / "bots.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_bots(path)


def test_name_pattern():
    for name in ["librarian-bot", "SFconvertbot", "my_bot", "bot89", "autoevaluator"]:
        assert BOT_NAME_PATTERN.search(name), name
    for name in ["bottleneck", "abbott", "RobbieTheRobot", "botany-lab"]:
        assert not BOT_NAME_PATTERN.search(name), name


def threads():
    rows = [("o/m", i, True, "merged" if i % 2 else "open", "convert-bot", "Add safetensors") for i in range(150)]
    rows += [("o/m", 200 + i, True, "open", "scripter", "Add paper link") for i in range(120)]
    rows += [("o/m", 400 + i, False, "open", "person", f"question {i}") for i in range(130)]
    return pd.DataFrame(rows, columns=["repo_id", "num", "is_pull_request", "status", "opener", "title"])


def test_bot_candidates_signals():
    c = bot_candidates(threads(), listed={"convert-bot"}).set_index("account")
    assert list(c.index) == ["convert-bot", "scripter"]  # "person" varies its titles
    assert c.loc["convert-bot", ["name_signal", "scripted_signal", "listed"]].tolist() == [True, True, True]
    assert c.loc["scripter", ["name_signal", "scripted_signal", "listed"]].tolist() == [False, True, False]
    assert c.loc["scripter", "top_title_share"] == 1.0


def test_bot_activity():
    events = pd.DataFrame({"type": ["comment", "comment", "commit"], "author": ["convert-bot"] * 3})
    a = bot_activity(threads(), events, ["convert-bot"]).iloc[0]
    assert a["threads_opened"] == 150 and a["prs_opened"] == 150 and a["prs_merged"] == 75
    assert a["comments"] == 2 and a["share_of_threads"] == pytest.approx(150 / 400)


@pytest.mark.slow
def test_every_listed_bot_acts_in_the_reference_discussions(tmp_path):
    """The evidence in data/bots.csv points at the January 2024 capture: check it holds there."""
    from hubcommunity import paths, snapshot
    from hubcommunity.tables import load_tables

    src = paths.shared_reference_dir()
    if not (src / "model-discussions-2024-01").is_dir():
        pytest.skip(f"reference captures not found at {src}")
    dirs = snapshot.link_reference(src, tmp_path)
    t = load_tables([d for d in dirs if d.name == "model-discussions-2024-01"], workers=2)
    bots = sorted(bot_accounts())
    activity = bot_activity(t.discussions, t.discussion_events, bots).set_index("account")
    assert ((activity["threads_opened"] + activity["comments"]) > 0).all(), activity
    # the two bots named in the capture's README opened about half of all threads
    assert activity.loc[["SFconvertbot", "librarian-bot"], "share_of_threads"].sum() > 0.4
    # the Hub does not mark them: every event author is a "user"
    events = t.discussion_events[t.discussion_events["author"].isin(bots)]
    assert set(events["author_type"].dropna()) == {"user"}
    cands = bot_candidates(t.discussions, listed=frozenset(bots)).set_index("account")
    for name in ("SFconvertbot", "librarian-bot", "leaderboard-pr-bot", "model-sizer-bot"):
        assert cands.loc[name, "scripted_signal"], name
