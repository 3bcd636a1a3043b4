"""`python -m hubcommunity.fakehub`: a fake Hub a reader can collect from offline."""

import json
import subprocess
import sys
import urllib.request

import argparse
import pytest

from hubcommunity.fakehub.__main__ import parse_rate


def test_parse_rate():
    assert parse_rate("200/2") == (200, 2.0)
    with pytest.raises(argparse.ArgumentTypeError, match="Q/W"):
        parse_rate("200")


def test_served_listing_and_rate_limit_headers():
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubcommunity.fakehub", "--models", "7", "--rate", "50/10"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("fake Hub serving on http://127.0.0.1:")
        url = line.split()[4]
        with urllib.request.urlopen(f"{url}/api/models?limit=1000", timeout=10) as response:
            models = json.load(response)
            policy = response.headers.get("RateLimit-Policy")
        assert len(models) == 7
        assert policy is not None and "q=50" in policy and "w=10" in policy
    finally:
        proc.terminate()
        proc.wait(timeout=10)
