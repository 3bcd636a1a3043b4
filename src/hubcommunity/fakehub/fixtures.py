"""Deterministic fixture data for the fake Hub: repositories, commits, discussions.

:func:`generate_fixture` builds a small Hub (a few hundred repositories by
default) from a seed. Every record has the shape the real Hub API sends:

- repositories: the objects of ``GET /api/{models,datasets,spaces}`` with every
  ``expand`` field the collector asks for (``_id, id, author, likes, downloads,
  downloadsAllTime, createdAt, lastModified, tags, pipeline_tag, library_name,
  gated, private, sha``; spaces ``sdk`` and ``models`` and no downloads);
- commits: ``{id, title, message, authors: [{user, avatar}], date}`` newest first,
  as ``GET /api/{type}s/{repo}/commits/main`` sends them;
- discussions: the details objects of ``GET /api/{type}s/{repo}/discussions/{num}``
  (``repo, num, title, status, author, createdAt, isPullRequest, changes,
  filesWithConflicts, events``).

The returned :class:`HubFixture` also names the repositories that fail on
purpose (discussions disabled, gated commit history, pull requests whose
details are gone), so tests can assert exact counts.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

REPO_TYPES = ("model", "dataset", "space")

#: Organisations that own popular models (used for spaces' ``models`` links).
ORGS = ("meta-llama", "google", "stabilityai", "mistralai", "openai", "TheBloke", "bigscience")
BOTS = ("SFconvertbot", "librarian-bot")
LICENSES = ("apache-2.0", "mit", "cc-by-4.0", "openrail", "llama2", "gpl-3.0", "cc-by-nc-4.0", "other")
PIPELINE_TAGS = (
    "text-generation", "text-classification", "image-classification", "text-to-image",
    "automatic-speech-recognition", "fill-mask", "feature-extraction", "object-detection",
)
LIBRARIES = ("transformers", "diffusers", "peft", "sentence-transformers", "timm", "gguf")
SDKS = ("gradio", "streamlit", "docker", "static")
EPOCH = datetime(2022, 1, 1, tzinfo=timezone.utc)


def iso(ts: datetime) -> str:
    """Format a UTC datetime the way the Hub does: ``2023-05-01T12:00:00.000Z``."""
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def fake_sha(*parts: object) -> str:
    """A 40-hex-digit id derived from ``parts`` (stable across runs and platforms)."""
    return hashlib.sha1("\x00".join(map(str, parts)).encode()).hexdigest()


def object_id(*parts: object) -> str:
    """A 24-hex-digit Mongo-style ``_id`` derived from ``parts``."""
    return fake_sha("oid", *parts)[:24]


@dataclass
class HubFixture:
    """A small deterministic Hub.

    Attributes:
        repos: ``{repo_type: [repository object, ...]}`` in listing order.
        commits: ``{(repo_type, repo_id): [commit object, newest first]}``.
        discussions: ``{(repo_type, repo_id): [details object, by num]}``.
        discussions_disabled: repositories whose discussions list answers 403.
        gated_commits: repositories whose commit history answers 401 (gated).
        missing_threads: ``{(repo_type, repo_id, num)}`` whose details answer 404.
        users: every user name that appears as a commit author or event author.
    """

    seed: int
    repos: dict[str, list[dict]] = field(default_factory=dict)
    commits: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    discussions: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    discussions_disabled: set[tuple[str, str]] = field(default_factory=set)
    gated_commits: set[tuple[str, str]] = field(default_factory=set)
    missing_threads: set[tuple[str, str, int]] = field(default_factory=set)
    users: set[str] = field(default_factory=set)

    def repo(self, repo_type: str, repo_id: str) -> dict | None:
        """The repository object for ``repo_id`` or ``None``."""
        return self._index().get((repo_type, repo_id))

    def _index(self) -> dict[tuple[str, str], dict]:
        if not hasattr(self, "_idx"):
            self._idx = {(t, r["id"]): r for t, rs in self.repos.items() for r in rs}
        return self._idx

    def touch(self, repo_type: str, repo_id: str, author: str = "user000") -> dict:
        """Add a new commit to ``repo_id`` (new ``sha`` and ``lastModified``); return the commit.

        Used to make a "later" Hub for incremental-collection tests.
        """
        commits = self.commits[(repo_type, repo_id)]
        last = datetime.strptime(commits[0]["date"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        commit = {
            "id": fake_sha("touch", repo_type, repo_id, len(commits)),
            "title": "Update after the first capture",
            "message": "",
            "authors": [{"user": author, "avatar": _avatar(author)}],
            "date": iso(last + timedelta(days=1)),
        }
        commits.insert(0, commit)
        repo = self.repo(repo_type, repo_id)
        repo["sha"], repo["lastModified"] = commit["id"], commit["date"]
        return commit

    def add_threads(self, repo_type: str, repo_id: str, n: int, seed: int = 0) -> list[dict]:
        """Give ``repo_id`` ``n`` more discussion threads (numbered after its last); return them.

        Deterministic in ``seed``. Used for repositories with thousands of threads
        (one real model had 3,006 in January 2024), whose thread details keep every
        worker of the collector busy.
        """
        rng = random.Random(f"{self.seed}:{seed}:{repo_type}:{repo_id}:{n}")
        key = (repo_type, repo_id)
        threads = self.discussions.setdefault(key, [])
        repo = self.repo(repo_type, repo_id)
        created = datetime.strptime(repo["createdAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        users = sorted(u for u in self.users if u.startswith("user")) or ["user000"]
        owner = repo_id.split("/")[0]
        owner_user = owner if owner in users else users[0]
        start = max((t["num"] for t in threads), default=0)
        new = [_thread(rng, repo_type, repo_id, owner_user, users, created, num)
               for num in range(start + 1, start + n + 1)]
        threads.extend(new)
        for t in new:
            self.users.update(e["author"]["name"] for e in t["events"])
        return new

    def n_repos(self, repo_type: str) -> int:
        """Number of repositories of ``repo_type`` in the listing."""
        return len(self.repos.get(repo_type, []))

    def expected_commit_records(self, repo_types=REPO_TYPES) -> int:
        """Repositories whose commit history is readable (one ``commits`` record each)."""
        return sum(
            1 for t in repo_types for r in self.repos.get(t, []) if (t, r["id"]) not in self.gated_commits
        )

    def expected_threads(self, repo_types=REPO_TYPES) -> int:
        """Discussion threads whose details are readable (one ``discussions`` record each)."""
        return sum(
            1
            for (t, rid), threads in self.discussions.items()
            if t in repo_types and (t, rid) not in self.discussions_disabled
            for d in threads
            if (t, rid, d["num"]) not in self.missing_threads
        )

    def space_model_links(self) -> set[tuple[str, str]]:
        """All (space_id, model_id) pairs from the spaces' ``models`` field."""
        return {(s["id"], m) for s in self.repos.get("space", []) for m in s.get("models", [])}


def _heavy_tail(rng: random.Random, zero_share: float, scale: float) -> int:
    """A count that is 0 with probability ``zero_share``, else Pareto-distributed (alpha 1.2)."""
    if rng.random() < zero_share:
        return 0
    return int(scale * (rng.paretovariate(1.2) - 1)) + 1


def _user_pool(rng: random.Random, n: int) -> list[str]:
    return [f"user{i:03d}" for i in range(n)]


def _avatar(user: str) -> str:
    return f"https://cdn-avatars.huggingface.co/v1/production/uploads/{fake_sha('avatar', user)[:12]}.png"


def _commits_for(rng: random.Random, repo_type: str, repo_id: str, owner_user: str, users: list[str],
                 created: datetime, multi: bool) -> list[dict]:
    """A commit history: single-author (the owner) or multi-author, newest first."""
    n = rng.randint(1, 9)
    helpers = rng.sample(users, k=3)
    commits = []
    ts = created
    for i in range(n):
        if i == 0:
            authors = [owner_user]
            title = "initial commit"
        elif multi:
            authors = [rng.choice([owner_user, *helpers])]
            if rng.random() < 0.2:  # a co-authored commit
                extra = rng.choice(helpers)
                if extra not in authors:
                    authors.append(extra)
            title = f"Update README.md ({i})"
        else:
            authors = [owner_user]
            title = f"Upload model files ({i})"
        if rng.random() < 0.03 and i > 0:
            authors = []  # the Hub sends an empty list when the author account is gone
        ts = ts + timedelta(hours=rng.randint(1, 400), seconds=rng.randint(0, 59))
        commits.append({
            "id": fake_sha("commit", repo_type, repo_id, i),
            "title": title,
            "message": "" if rng.random() < 0.5 else f"{title}\n\nDetails of change {i}.",
            "authors": [{"user": a, "avatar": _avatar(a)} for a in authors],
            "date": iso(ts),
        })
    commits.reverse()  # the Hub lists newest first
    return commits


def _author_obj(name: str, *, is_owner: bool = False, is_bot: bool = False) -> dict:
    return {
        "avatarUrl": _avatar(name),
        "fullname": name.replace("-", " ").title(),
        "name": name,
        "type": "user",
        "isPro": False,
        "isHf": False,
        "isHfAdmin": False,
        "isMod": False,
        "isOwner": is_owner,
        "isOrgMember": is_owner,
        "followerCount": 0 if is_bot else 3,
    }


def _thread(rng: random.Random, repo_type: str, repo_id: str, owner_user: str, users: list[str],
            created: datetime, num: int) -> dict:
    """One discussion thread (or pull request) with its events, as the details endpoint sends it."""
    is_pr = rng.random() < 0.45
    opener = rng.choice(BOTS) if rng.random() < 0.4 else rng.choice(users)
    ts = created + timedelta(days=rng.randint(1, 300), seconds=rng.randint(0, 3599))
    status = rng.choice(("open", "closed", "merged") if is_pr else ("open", "closed"))
    events = [{
        "id": object_id("event", repo_id, num, 0),
        "author": _author_obj(opener, is_bot=opener in BOTS),
        "createdAt": iso(ts),
        "type": "comment",
        "data": {"edited": False, "hidden": False, "latest": {"raw": f"Opening #{num}", "html": f"<p>Opening #{num}</p>",
                 "updatedAt": iso(ts)}, "numEdits": 0, "editors": [opener], "editorAvatarUrls": [],
                 "reactions": [], "isReport": False},
    }]
    if is_pr:
        ts = ts + timedelta(minutes=rng.randint(1, 60))
        events.append({
            "id": object_id("event", repo_id, num, "c"),
            "author": _author_obj(opener, is_bot=opener in BOTS),
            "createdAt": iso(ts),
            "type": "commit",
            "data": {"subject": "Adding safetensors variant", "oid": fake_sha("prcommit", repo_id, num)},
        })
    for k in range(rng.randint(0, 3)):
        who = rng.choice([owner_user, *rng.sample(users, 2)])
        ts = ts + timedelta(hours=rng.randint(1, 72))
        events.append({
            "id": object_id("event", repo_id, num, k + 1),
            "author": _author_obj(who, is_owner=who == owner_user),
            "createdAt": iso(ts),
            "type": "comment",
            "data": {"edited": False, "hidden": False, "latest": {"raw": f"Reply {k}", "html": f"<p>Reply {k}</p>",
                     "updatedAt": iso(ts)}, "numEdits": 0, "editors": [who], "editorAvatarUrls": [],
                     "reactions": [], "isReport": False},
        })
    if status != "open":
        ts = ts + timedelta(hours=1)
        events.append({
            "id": object_id("event", repo_id, num, "s"),
            "author": _author_obj(owner_user, is_owner=True),
            "createdAt": iso(ts),
            "type": "status-change",
            "data": {"status": status},
        })
    thread = {
        "repo": {"name": repo_id, "type": repo_type},
        "num": num,
        "title": ("Adding `safetensors` variant of this model" if opener == "SFconvertbot"
                  else "Librarian Bot: Add base_model information to model" if opener == "librarian-bot"
                  else f"Question {num} about {repo_id.split('/')[1]}"),
        "status": status,
        "author": _author_obj(opener, is_bot=opener in BOTS),
        "createdAt": events[0]["createdAt"],
        "isPullRequest": is_pr,
        "events": events,
        "pinned": False,
        "locked": False,
    }
    if is_pr:
        thread["changes"] = {"base": "refs/heads/main"}
        if status == "merged":
            thread["changes"]["mergeCommitId"] = fake_sha("merge", repo_id, num)
        thread["filesWithConflicts"] = []
    return thread


def _threads_for(rng: random.Random, repo_type: str, repo_id: str, owner_user: str, users: list[str],
                 created: datetime) -> list[dict]:
    """Discussion threads with events; bots open a good share of them (as on the real Hub)."""
    n = rng.choice((0, 0, 0, 1, 1, 2, 3, 5))
    return [_thread(rng, repo_type, repo_id, owner_user, users, created, num) for num in range(1, n + 1)]


def listing_item_of(thread: dict) -> dict:
    """The object for ``thread`` in ``GET /api/{type}s/{repo}/discussions`` (no events)."""
    item = {k: thread[k] for k in ("num", "author", "repo", "title", "status", "createdAt", "isPullRequest", "pinned")}
    item["numComments"] = sum(1 for e in thread["events"] if e["type"] == "comment")
    item["topReactions"] = []
    return item


def generate_fixture(seed: int = 0, n_models: int = 120, n_datasets: int = 40, n_spaces: int = 60,
                     n_users: int = 40) -> HubFixture:
    """Build a :class:`HubFixture` from ``seed`` (same seed, same Hub, byte for byte).

    About 5% of repositories have discussions disabled (403), 5% of models are
    gated with a commit history that answers 401, and about one pull request in
    twenty has details that answer 404.
    """
    rng = random.Random(seed)
    users = _user_pool(rng, n_users)
    fx = HubFixture(seed=seed)
    counts = {"model": n_models, "dataset": n_datasets, "space": n_spaces}
    model_ids: list[str] = []
    for repo_type in REPO_TYPES:
        items = []
        for i in range(counts[repo_type]):
            owner = rng.choice(ORGS) if rng.random() < 0.35 else rng.choice(users)
            name = f"{repo_type}-{i:04d}"
            repo_id = f"{owner}/{name}"
            created = EPOCH + timedelta(days=rng.randint(0, 600), seconds=rng.randint(0, 86399))
            multi = rng.random() < 0.3
            owner_user = owner if owner in users else rng.choice(users)
            commits = _commits_for(rng, repo_type, repo_id, owner_user, users, created, multi)
            last_modified = commits[0]["date"]
            tags = []
            if rng.random() < 0.8:
                tags.append(f"license:{rng.choice(LICENSES)}")
            obj: dict = {"_id": object_id(repo_type, repo_id), "id": repo_id, "author": owner}
            if repo_type == "model":
                pipeline = rng.choice(PIPELINE_TAGS) if rng.random() < 0.7 else None
                library = rng.choice(LIBRARIES) if rng.random() < 0.75 else None
                if library:
                    tags.insert(0, library)
                if pipeline:
                    tags.append(pipeline)
                if model_ids and rng.random() < 0.3:
                    base = rng.choice(model_ids[:20])
                    relation = rng.choice(("finetune", "adapter", "quantized", "merge"))
                    tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
                tags.append("region:us")
                downloads = _heavy_tail(rng, 0.7, 50)
                obj.update({
                    "likes": _heavy_tail(rng, 0.6, 3), "downloads": downloads,
                    "downloadsAllTime": downloads + _heavy_tail(rng, 0.5, 200),
                    "private": False, "gated": rng.choice((False,) * 8 + ("auto", "manual")),
                    "pipeline_tag": pipeline, "library_name": library,
                })
                if obj["pipeline_tag"] is None:
                    del obj["pipeline_tag"]
                if obj["library_name"] is None:
                    del obj["library_name"]
                model_ids.append(repo_id)
            elif repo_type == "dataset":
                tags += ["size_categories:1K<n<10K", "region:us"]
                downloads = _heavy_tail(rng, 0.6, 40)
                obj.update({"likes": _heavy_tail(rng, 0.6, 2), "downloads": downloads,
                            "downloadsAllTime": downloads + _heavy_tail(rng, 0.5, 100),
                            "private": False, "gated": False, "disabled": False})
            else:
                sdk = rng.choice(SDKS)
                tags += [sdk, "region:us"]
                popular = model_ids[:10]
                used = sorted({rng.choice(popular) if rng.random() < 0.7 else rng.choice(model_ids)
                               for _ in range(rng.choice((0, 1, 1, 2, 3)))})
                obj.update({"likes": _heavy_tail(rng, 0.5, 5), "private": False, "sdk": sdk,
                            "models": used, "disabled": False})
            obj.update({"tags": tags, "createdAt": iso(created), "lastModified": last_modified,
                        "sha": commits[0]["id"]})
            items.append(obj)
            fx.commits[(repo_type, repo_id)] = commits
            threads = _threads_for(rng, repo_type, repo_id, owner_user, users, created)
            if threads:
                fx.discussions[(repo_type, repo_id)] = threads
            for t in threads:
                if t["isPullRequest"] and rng.random() < 0.05:
                    fx.missing_threads.add((repo_type, repo_id, t["num"]))
            if rng.random() < 0.05:
                fx.discussions_disabled.add((repo_type, repo_id))
            if repo_type == "model" and obj.get("gated") == "manual":
                fx.gated_commits.add((repo_type, repo_id))
            for c in commits:
                fx.users.update(a["user"] for a in c["authors"])
            for t in threads:
                fx.users.update(e["author"]["name"] for e in t["events"])
        fx.repos[repo_type] = items
    return fx
