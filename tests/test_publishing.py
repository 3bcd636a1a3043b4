import pytest

from hubcommunity.publishing import LAUNCH_BUTTONS, theme_options


def test_local_build_has_no_repository_or_launch_buttons():
    assert theme_options({}) == ({}, None)
    assert theme_options({"HUBCOMMUNITY_REPOSITORY_URL": "  "}) == ({}, None)


def test_publishing_build_gets_repository_and_launch_buttons():
    options, baseurl = theme_options({
        "HUBCOMMUNITY_REPOSITORY_URL": "https://github.com/someone/hub-book/",
        "HUBCOMMUNITY_BASEURL": "https://someone.github.io/hub-book",
    })
    assert options["repository_url"] == "https://github.com/someone/hub-book"
    assert options["repository_branch"] == "main"
    assert options["use_repository_button"] and options["launch_buttons"] == LAUNCH_BUTTONS
    assert baseurl == "https://someone.github.io/hub-book/"


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "https://github.com/only-owner", "github.com/a/b"])
def test_repository_url_must_be_a_github_repository(url):
    with pytest.raises(ValueError, match="HUBCOMMUNITY_REPOSITORY_URL"):
        theme_options({"HUBCOMMUNITY_REPOSITORY_URL": url})
