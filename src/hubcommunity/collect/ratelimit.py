"""The Hub's rate-limit headers, per bucket, and which bucket a request counts against.

The Hub limits requests per fixed window of 5 minutes, separately for three
*buckets* (Hub documentation, "Hub Rate limits",
https://huggingface.co/docs/hub/rate-limits, tiers as of September 2025):

- ``api``: the Hub API (``/api/...``: listings, repository info, commits, discussions);
- ``resolvers``: file downloads (any URL with a ``/resolve/`` segment);
- ``pages``: the web pages of huggingface.co.

Every answer says where the caller stands, following the IETF draft
"RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers, version 9),
naming the bucket the request counted against::

    RateLimit: "api";r=489;t=189                      489 requests left, window resets in 189 s
    RateLimit-Policy: "fixed window";"api";q=500;w=300  500 requests per 300 s

The draft allows a list of such items (comma-separated) when a request counts
against several policies; :func:`parse_rate_limits` and :func:`parse_policies`
return every item, keyed by bucket name. (``huggingface_hub.utils.parse_ratelimit_headers``
reads only the first item and drops the bucket name of the policy.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

#: The Hub's buckets, as documented (see the module docstring).
BUCKETS = ("api", "resolvers", "pages")

#: Requests per 5-minute window of the Hub API bucket per plan (Hub documentation, September 2025).
API_TIERS = {"anonymous": 500, "free": 1000, "PRO": 2500, "Team": 3000, "Enterprise": 6000}
TIER_WINDOW_SECONDS = 300.0


@dataclass(frozen=True)
class Policy:
    """A fixed-window quota: ``quota`` requests per ``window`` seconds."""

    quota: int
    window: float

    @property
    def rate(self) -> float:
        """Allowed requests per second."""
        return self.quota / self.window

    def text(self) -> str:
        """E.g. ``"1,000 per 5 min"``."""
        minutes = self.window / 60
        span = f"{minutes:g} min" if self.window >= 60 and minutes == int(minutes) else f"{self.window:g} s"
        return f"{self.quota:,} per {span}"


@dataclass(frozen=True)
class Remaining:
    """Where a client stands in a bucket's window: ``remaining`` requests, ``reset`` seconds to go."""

    remaining: int
    reset: float


def bucket_of(path_or_url: str) -> str:
    """The documented bucket of a request: ``resolvers``, ``api`` or ``pages``.

    Args:
        path_or_url: the request path (``/api/models``) or absolute URL.
    """
    path = re.sub(r"^[a-z]+://[^/]+", "", path_or_url).split("?", 1)[0]
    if "/resolve/" in path:
        return "resolvers"
    if path.startswith("/api/") or path == "/api":
        return "api"
    return "pages"


_REPO_API = re.compile(r"^/api/(models|datasets|spaces)(?:/[^/]+/[^/]+(?P<rest>/.*)?)?$")


def route_of(path_or_url: str) -> str:
    """A request's *route*: its documented bucket and the kind of endpoint, e.g. ``"api:discussion"``.

    Requests of one route are assumed to count against the same buckets (the
    scheduler learns which from their answers), so endpoints that a server puts
    in a bucket of their own (say, thread details) are paced apart from the
    others. Kinds: ``list`` (listings), ``repo`` (repository info), ``commits``,
    ``discussions`` (the list), ``discussion`` (one thread), other API paths their
    second segment (``api:whoami-v2``); ``resolvers:file`` and ``pages:page`` otherwise.
    """
    path = re.sub(r"^[a-z]+://[^/]+", "", path_or_url).split("?", 1)[0]
    bucket = bucket_of(path)
    m = _REPO_API.match(path)
    if bucket != "api":
        kind = "file" if bucket == "resolvers" else "page"
    elif m is None:
        kind = (path.strip("/").split("/") + [""])[1] or "root"
    elif m.group(0).count("/") == 2:
        kind = "list"
    else:
        parts = (m.group("rest") or "").strip("/").split("/")
        kind = "repo" if parts == [""] else "discussion" if parts[0] == "discussions" and len(parts) > 1 \
            else parts[0]
    return f"{bucket}:{kind}"


def bucket_of_route(route: str) -> str:
    """The documented bucket of a route from :func:`route_of` (``"api:commits"`` -> ``"api"``)."""
    return route.split(":", 1)[0]


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


def _items(value: str) -> list[tuple[list[str], dict[str, str]]]:
    """Split a header value into items: (quoted strings in order, parameters)."""
    out = []
    for item in _split_outside_quotes(value, ","):
        names, params = [], {}
        for piece in _split_outside_quotes(item, ";"):
            if piece.startswith('"') and piece.endswith('"') and len(piece) >= 2:
                names.append(piece[1:-1])
            elif "=" in piece:
                key, _, val = piece.partition("=")
                params[key.strip().lower()] = val.strip().strip('"')
            else:
                names.append(piece)  # a bare token name
        out.append((names, params))
    return out


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def parse_rate_limits(headers: Mapping[str, str]) -> dict[str, Remaining]:
    """Every ``RateLimit`` item as ``{bucket: Remaining}`` (empty when absent or unreadable).

    An item without a name counts as bucket ``"default"``; items without both
    ``r`` and ``t`` are skipped.
    """
    value = _header(headers, "ratelimit")
    out: dict[str, Remaining] = {}
    if not value:
        return out
    for names, params in _items(value):
        try:
            out[names[0] if names else "default"] = Remaining(int(params["r"]), float(params["t"]))
        except (KeyError, ValueError):
            continue
    return out


def parse_policies(headers: Mapping[str, str]) -> dict[str, Policy]:
    """Every ``RateLimit-Policy`` item as ``{bucket: Policy}`` (empty when absent or unreadable).

    The bucket is the item's last quoted name: the Hub writes
    ``"fixed window";"api";q=500;w=300`` (policy type, then bucket), the draft ``"api";q=500;w=300``.
    """
    value = _header(headers, "ratelimit-policy")
    out: dict[str, Policy] = {}
    if not value:
        return out
    for names, params in _items(value):
        try:
            quota, window = int(params["q"]), float(params["w"])
        except (KeyError, ValueError):
            continue
        if quota > 0 and window > 0:
            out[names[-1] if names else "default"] = Policy(quota, window)
    return out


def format_rate_limits(items: Mapping[str, Remaining]) -> str:
    """The ``RateLimit`` header value for ``items`` (the Hub's format; the fake Hub sends it)."""
    return ", ".join(f'"{name}";r={max(0, rem.remaining)};t={int(rem.reset)}' for name, rem in items.items())


def format_policies(items: Mapping[str, Policy]) -> str:
    """The ``RateLimit-Policy`` header value for ``items`` (the Hub's format)."""
    return ", ".join(f'"fixed window";"{name}";q={p.quota};w={p.window:g}' for name, p in items.items())
