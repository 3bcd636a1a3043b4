"""Static checks of the book's pages (fast, no build): labels, captions, citations, cross-references.

Every page listed in ``_toc.yml`` is parsed with the same MyST markdown parser the
build uses (``myst_parser``'s markdown-it setup), and:

* every figure (``{figure}``, ``{glue:figure}``) has a ``:name:`` label and a caption;
* every table directive (``{table}``, ``{list-table}``, ``{csv-table}``,
  ``{results-table}``) has a ``:name:`` label and a caption;
* labels are unique in the book;
* every ``{cite}`` key is in ``book/references.bib``;
* every ``{numref}``/``{ref}`` target is a label defined somewhere in the book,
  every ``{doc}`` target is a page of the book;
* every cross-page glue (``{glue:text}`page.md::key:fmt```) names a page of the book
  and ends with a format spec (myst-nb 1.4 mis-splits ``page.md::key`` without one).

The publishing workflow is parsed and checked to build with the README's command.
The rendered site is checked by the build/browser tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"

FIGURE_DIRECTIVES = {"figure", "glue:figure"}
TABLE_DIRECTIVES = {"table", "list-table", "csv-table", "results-table"}
CITE_ROLES = {"cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "cite:ct", "cite:cp", "cite:year", "cite:author"}
# Directives whose body is MyST markdown (parsed recursively for roles and nested directives).
_FENCE_INFO = re.compile(r"^\{(?P<name>[a-zA-Z0-9_:.-]+)\}\s*(?P<arg>.*)$")
_LABELLED_REF = re.compile(r"^.*<(?P<target>[^<>]+)>\s*$", re.S)


# -- parsing -------------------------------------------------------------------------------
@dataclass
class Directive:
    """One ``{name} argument`` fence: its options and body, where it is (file, line)."""

    name: str
    argument: str
    options: dict
    body: str
    where: str


@dataclass
class Page:
    """What a page defines and uses."""

    docname: str
    path: Path
    directives: list[Directive] = field(default_factory=list)
    targets: list[tuple[str, str]] = field(default_factory=list)  # (label, where)
    roles: list[tuple[str, str, str]] = field(default_factory=list)  # (role, content, where)


def _parser():
    config = MdParserConfig(enable_extensions={"colon_fence", "dollarmath", "amsmath", "substitution"})
    return create_md_parser(config, DocutilsRenderer)


def split_directive(content: str) -> tuple[dict, str]:
    """Return ``(options, body)`` of a directive's content (``:key: value`` lines or a YAML block)."""
    lines = content.splitlines()
    options: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            options = yaml.safe_load("\n".join(lines[1:end])) or {}
            return options, "\n".join(lines[end + 1 :]).strip()
    i = 0
    while i < len(lines) and re.match(r"^:[A-Za-z0-9_-]+:", lines[i]):
        key, _, value = lines[i][1:].partition(":")
        options[key] = value.strip()
        i += 1
    return options, "\n".join(lines[i:]).strip()


def parse_myst(text: str, path: Path, page: Page, line_offset: int = 0) -> None:
    """Collect directives, targets and roles of MyST ``text`` into ``page`` (recursively)."""
    for token in _parser().parse(text):
        line = (token.map[0] if token.map else 0) + 1 + line_offset
        where = f"{path.relative_to(ROOT)}:{line}"
        if token.type == "myst_target":
            page.targets.append((token.content.strip(), where))
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "myst_role":
                    page.roles.append((child.meta["name"], child.content, where))
        elif token.type in ("fence", "colon_fence"):
            match = _FENCE_INFO.match(token.info.strip())
            if not match:
                continue
            name = match.group("name")
            if name in ("code-cell", "raw", "code", "code-block", "math"):
                continue
            options, body = split_directive(token.content)
            page.directives.append(Directive(name, match.group("arg").strip(), options, body, where))
            if options.get("name"):
                page.targets.append((str(options["name"]), where))
            if body:
                parse_myst(body, path, page, line_offset=line)
            if match.group("arg") and name in TABLE_DIRECTIVES:
                parse_myst(match.group("arg"), path, page, line_offset=line - 1)


def toc_docnames(toc: dict) -> list[str]:
    """Return every page of a Jupyter Book ``_toc.yml`` (root first), in order."""
    out = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                out.append(entry["file"])
            for key in ("sections", "chapters"):
                walk(entry.get(key))
            for part in entry.get("parts", []):
                walk(part.get("chapters"))

    for key in ("chapters", "sections"):
        walk(toc.get(key))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", d) for d in out]


def load_pages() -> dict[str, Page]:
    """Parse every page of ``_toc.yml``; raise AssertionError naming a missing file."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = {}
    for docname in toc_docnames(toc):
        path = ROOT / f"{docname}.md"
        assert path.exists(), f"_toc.yml lists {docname!r} but {path.relative_to(ROOT)} does not exist"
        page = Page(docname, path)
        parse_myst(path.read_text(encoding="utf-8"), path, page)
        pages[docname] = page
    return pages


def resolve_doc(current: str, target: str) -> str:
    """Return the docname a ``{doc}`` / glue page path points to, from page ``current``."""
    target = re.sub(r"\.(md|ipynb)$", "", target.strip())
    if target.startswith("/"):
        return target.lstrip("/")
    parts = Path(current).parent.joinpath(target).parts
    stack: list[str] = []
    for part in parts:
        if part == "..":
            if stack:
                stack.pop()
        elif part != ".":
            stack.append(part)
    return "/".join(stack)


def role_target(content: str) -> str:
    """Return the target of ``text <target>`` role content, or the content itself."""
    match = _LABELLED_REF.match(content)
    return (match.group("target") if match else content).strip()


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    return load_pages()


# -- the parser itself, on a page with known answers ---------------------------------------
KNOWN = """\
# Title

(sec-a)=
## A

See {numref}`fig-a`, {ref}`the section <sec-a>` and {doc}`../other`; {cite:p}`k1,k2`.
Pasted {glue:text}`rq1.md::n_models:s`.

```{glue:figure} fig-a
:name: fig-a

The caption {cite}`k3`.
```

```{table} A table
:name: tbl-a

| a |
|---|
| 1 |
```

:::{figure} x.png
---
name: fig-b
---
:::

```{code-cell} python3
# {cite}`not-a-citation`
```
"""


def test_parser_finds_what_a_known_page_holds(tmp_path):
    path = ROOT / "book" / "_known.md"  # only its name is used
    page = Page("book/known", path)
    parse_myst(KNOWN, path, page)
    assert [(d.name, d.options.get("name"), bool(d.body)) for d in page.directives] == [
        ("glue:figure", "fig-a", True),
        ("table", "tbl-a", True),  # body: the markdown table; caption: the argument
        ("figure", "fig-b", False),
    ]
    assert [t for t, _ in page.targets] == ["sec-a", "fig-a", "tbl-a", "fig-b"]
    roles = [(r, c) for r, c, _ in page.roles]
    assert ("cite:p", "k1,k2") in roles and ("cite", "k3") in roles
    assert ("glue:text", "rq1.md::n_models:s") in roles
    assert not any("not-a-citation" in c for _, c in roles)
    assert role_target("the section <sec-a>") == "sec-a"
    assert resolve_doc("book/known", "../other") == "other"
    assert resolve_doc("book/discussion", "rq1_activity.md") == "book/rq1_activity"


# -- the checks (pure functions of parsed pages; each returns a list of problems) --------------
def label_caption_problems(pages: dict[str, Page]) -> list[str]:
    """Figures and tables without a ``:name:`` label or without a caption."""
    problems = []
    for page in pages.values():
        for d in page.directives:
            if d.name in FIGURE_DIRECTIVES:
                caption = d.body
            elif d.name in TABLE_DIRECTIVES:
                # docutils tables take their caption (title) from the argument; the
                # body is the table itself. {results-table} may also put it in the body.
                caption = d.argument or (d.body if d.name == "results-table" else "")
            else:
                continue
            if not d.options.get("name"):
                problems.append(f"{d.where}: {{{d.name}}} has no :name: label")
            if not caption:
                problems.append(f"{d.where}: {{{d.name}}} has no caption")
    return problems


def duplicate_label_problems(pages: dict[str, Page]) -> list[str]:
    """Labels defined twice in the book."""
    seen: dict[str, str] = {}
    problems = []
    for page in pages.values():
        for label, where in page.targets:
            if label in seen:
                problems.append(f"{where}: label {label!r} already defined at {seen[label]}")
            seen.setdefault(label, where)
    return problems


def cite_problems(pages: dict[str, Page], keys: set[str]) -> list[str]:
    """``{cite}`` keys that are not in the bibliography."""
    return [
        f"{where}: unknown citation key {key.strip()!r}"
        for page in pages.values()
        for role, content, where in page.roles
        if role in CITE_ROLES
        for key in content.split(",")
        if key.strip() not in keys
    ]


def ref_problems(pages: dict[str, Page]) -> list[str]:
    """``{numref}``/``{ref}`` targets that are no label, ``{doc}`` targets that are no page."""
    labels = {label for page in pages.values() for label, _ in page.targets}
    problems = []
    for page in pages.values():
        for role, content, where in page.roles:
            target = role_target(content)
            if role in ("numref", "ref") and target not in labels:
                problems.append(f"{where}: {{{role}}} target {target!r} is not a label in the book")
            if role == "doc" and resolve_doc(page.docname, target) not in pages:
                problems.append(f"{where}: {{doc}} target {target!r} is not a page in _toc.yml")
    return problems


def glue_problems(pages: dict[str, Page]) -> list[str]:
    """Cross-page glue naming no page of the book, or ``{glue:text}`` without a format spec."""
    problems = []
    for page in pages.values():
        for role, content, where in page.roles:
            if not role.startswith("glue") or "::" not in content:
                continue
            doc, _, rest = content.partition("::")
            if resolve_doc(page.docname, doc) not in pages:
                problems.append(f"{where}: pastes from {doc!r}, which is not a page in _toc.yml")
            if role == "glue:text" and ":" not in rest:
                problems.append(f"{where}: {{glue:text}}`{content}` needs a format spec (e.g. ':s')")
            if role == "glue":
                # across pages, myst-nb pastes text/plain as code with its quotes: use {glue:text}
                problems.append(f"{where}: use {{glue:text}}`{content}:s` to paste from another page")
    return problems


BAD = """# Bad

{numref}`fig-missing` {doc}`nowhere` {cite}`k1, nokey` {glue:text}`rq1.md::n` {glue:text}`gone.md::n:s` {glue}`rq1.md::m`

```{figure} x.png
```

```{table}
:name: tbl-dup

| a |
|---|
```

```{list-table} Caption
:name: tbl-dup

* - a
```
"""


def test_the_checks_report_each_kind_of_problem():
    path = ROOT / "book" / "_bad.md"
    bad = Page("book/bad", path)
    parse_myst(BAD, path, bad)
    rq1 = Page("book/rq1", ROOT / "book" / "rq1.md")
    pages = {"book/bad": bad, "book/rq1": rq1}
    strip = lambda problems: [p.split(": ", 1)[1] for p in problems]  # noqa: E731
    assert strip(label_caption_problems(pages)) == [
        "{figure} has no :name: label",
        "{figure} has no caption",
        "{table} has no caption",
    ]
    assert strip(duplicate_label_problems(pages)) == ["label 'tbl-dup' already defined at book/_bad.md:8"]
    assert strip(cite_problems(pages, {"k1"})) == ["unknown citation key 'nokey'"]
    assert strip(ref_problems(pages)) == [
        "{numref} target 'fig-missing' is not a label in the book",
        "{doc} target 'nowhere' is not a page in _toc.yml",
    ]
    assert strip(glue_problems(pages)) == [
        "{glue:text}`rq1.md::n` needs a format spec (e.g. ':s')",
        "pastes from 'gone.md', which is not a page in _toc.yml",
        "use {glue:text}`rq1.md::m:s` to paste from another page",
    ]


# -- the book ------------------------------------------------------------------------------
def test_every_toc_page_parses(pages):
    assert pages, "_toc.yml lists no pages"


def test_every_figure_and_table_has_a_label_and_a_caption(pages):
    assert label_caption_problems(pages) == []


def test_labels_are_unique_in_the_book(pages):
    assert duplicate_label_problems(pages) == []


def test_every_cite_key_is_in_references_bib(pages):
    if not any(role in CITE_ROLES for page in pages.values() for role, _, _ in page.roles):
        pytest.skip("no page cites anything yet")
    assert BIB.exists(), "pages use {cite} but book/references.bib does not exist"
    assert cite_problems(pages, set(parse_file(str(BIB), "bibtex").entries)) == []


def test_every_numref_ref_and_doc_target_exists(pages):
    assert ref_problems(pages) == []


def test_cross_page_glue_names_a_page_and_a_format(pages):
    assert glue_problems(pages) == []


def test_references_bib_parses_and_holds_the_book_sources():
    if not BIB.exists():
        pytest.skip("book/references.bib not created yet")
    entries = parse_file(str(BIB), "bibtex").entries
    wanted = {
        "osborne2024community", "osborne2024hfhubmining", "stalnaker2025mlsupplychain", "toma2025answering",
        "hfquestionanswer2024", "clauset2009powerlaw", "alstott2014powerlaw",
        "borgatti2000coreperiphery", "hagberg2008networkx", "dunn1964multiple", "holm1979simple",
        "kruskal1952ranks", "tomczak2014effectsize", "vanderplas2018altair", "jupyterbook2020",
    }
    present = wanted & set(entries)
    if "clauset2009powerlaw" not in present:
        pytest.skip("the book's bibliography entries are not in references.bib yet")
    assert sorted(wanted - present) == []
    for key in wanted:
        fields = entries[key].fields
        assert fields.get("title") and fields.get("year"), f"{key}: needs a title and a year"


# -- publishing ----------------------------------------------------------------------------
def test_publish_workflow_builds_with_make_book_and_deploys_pages():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    build = workflow["jobs"]["build"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert any(line.strip() == "make book" for run in runs for line in run.splitlines())
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


# -- results files ---------------------------------------------------------------------------
def test_reproducibility_links_every_chapters_results_file(pages):
    """The appendix links ``results/<id>.json`` for exactly the chapters that write one."""
    if "book/reproducibility" not in pages:
        pytest.skip("the reproducibility appendix is not in _toc.yml")
    written = {
        match.group(1)
        for page in pages.values()
        for match in re.finditer(r'ChapterResults\(\s*"([^"]+)"', page.path.read_text(encoding="utf-8"))
    }
    text = pages["book/reproducibility"].path.read_text(encoding="utf-8")
    linked = set(re.findall(r'href="\.\./results/([^"/]+)\.json"', text)) - {"index"}
    assert sorted(written - linked) == [], "chapters whose results file the appendix does not link"
    assert sorted(linked - written) == [], "links to results files no chapter writes"


# -- code cells: folded, one click away ---------------------------------------------------
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<body>.*?)^```\s*$", re.S | re.M)
#: Calls a cell may end with without ``;``: they show what they are meant to show.
_SHOWING_CALLS = {"display", "print"}


def code_cells(text: str) -> list[tuple[int, list[str], str]]:
    """``(line, tags, source)`` of every ``{code-cell}`` of a MyST notebook page."""
    cells = []
    for match in _CELL.finditer(text):
        options, source = split_directive(match.group("body"))
        tags = options.get("tags", [])
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.strip("[]").split(",") if t.strip()]
        cells.append((text.count("\n", 0, match.start()) + 1, list(tags), source))
    return cells


def is_bookkeeping(source: str) -> bool:
    """True if a cell only imports, creates the ``ChapterResults``, records with
    ``record_all(...)`` or saves (``res.save()``): the cells a chapter may remove entirely."""
    import ast

    def call_name(node) -> str:
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
        return ""

    for stmt in ast.parse(source).body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.Assign) and call_name(stmt.value) == "ChapterResults":
            continue
        if isinstance(stmt, ast.Expr) and call_name(stmt.value) in ("record_all", "save"):
            continue
        return False
    return True


def stray_output(source: str) -> bool:
    """True if the cell's last statement is an expression whose value the notebook would
    display (not ended with ``;``, not a ``display``/``print`` call)."""
    import ast

    body = ast.parse(source).body
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _SHOWING_CALLS:
        return False
    last_line = source.rstrip().splitlines()[-1]
    return not last_line.split("#")[0].rstrip().endswith(";")


def code_cell_problems(path: Path) -> list[str]:
    """Cells removed although they compute (use ``hide-input``), and folded cells that would
    print stray output under the toggle."""
    problems = []
    for line, tags, source in code_cells(path.read_text(encoding="utf-8")):
        where = f"{path.relative_to(ROOT) if ROOT in path.parents else path.name}:{line}"
        if "remove-cell" in tags and not is_bookkeeping(source):
            problems.append(f"{where}: a remove-cell cell computes; tag it hide-input (only imports, "
                            "ChapterResults(...), record_all(...) and res.save() may be removed)")
        if "hide-input" in tags and stray_output(source):
            problems.append(f"{where}: a hide-input cell ends with an expression: end it with ';' or an assignment")
    return problems


CELLS = '''
```{code-cell} ipython3
:tags: [remove-cell]

from hubcommunity.results import ChapterResults
res = ChapterResults("x")
```

```{code-cell} ipython3
:tags: [remove-cell]

t = load_tables()
```

```{code-cell} ipython3
:tags: [hide-input]

res.table("tbl-a", df)
```

```{code-cell} ipython3
:tags: [hide-input]

res.table("tbl-a", df);
```

```{code-cell} ipython3
:tags: [remove-cell]

record_all(res, records)
res.save();
```
'''


def test_code_cell_checks_on_known_cells(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(CELLS)
    assert [(line, tags) for line, tags, _ in code_cells(CELLS)] == [
        (2, ["remove-cell"]), (9, ["remove-cell"]), (15, ["hide-input"]), (21, ["hide-input"]), (27, ["remove-cell"])]
    assert [p.split(": ", 1)[1][:30] for p in code_cell_problems(page)] == [
        "a remove-cell cell computes; t", "a hide-input cell ends with an"]
    assert [p.split(":")[1] for p in code_cell_problems(page)] == ["9", "15"]


def test_code_cells_are_folded_not_removed(pages):
    """Code one click away: analysis cells are hide-input; only bookkeeping cells are removed;
    a folded cell shows no stray output."""
    problems = [p for page in pages.values() if page.path.read_text(encoding="utf-8").count("{code-cell}")
                for p in code_cell_problems(page.path)]
    assert problems == []
