"""The chapter-facing results API: glue every quoted number, table and figure, and record it.

A chapter makes one :class:`ChapterResults`, calls :meth:`~ChapterResults.number`,
:meth:`~ChapterResults.table` and :meth:`~ChapterResults.figure` as it computes, and
:meth:`~ChapterResults.save` in its last cell::

    from hubcommunity.results import ChapterResults
    res = ChapterResults("rq1")
    res.number("models_zero_downloads_share", 0.731, unit="share of models",
               description="Models with 0 downloads in the 30 days before capture",
               fmt="{:.1%}")
    res.table("tbl-rq1-summary", df, description="...")
    res.figure("fig-rq1-ccdf", chart, data=df, description="...")
    res.save()

Each call *glues* (``myst_nb.glue``, hidden) the value under its key, so prose can
paste it, and writes files under :func:`output_dir` (``_build/generated`` for the
book; each build points it at its own directory through
``$HUBCOMMUNITY_GENERATED_DIR``)::

    results/<chapter>.json              every number, table and figure with key, description
    figures/<chapter>/<key>.svg         static drawing (vl-convert)
    figures/<chapter>/<key>.csv         the data drawn
    figures/<chapter>/<key>.vl.json     the Vega-Lite spec (data inlined)
    tables/<chapter>/<key>.csv          the table's data
    tables/<chapter>/<key>.json         the table as displayed (formatted cells), for {results-table}
    deps/<chapter>.json                 in a book build only: the modules and files the chapter
                                        used, with sha256 (hubcommunity.chapterdeps)

How the markdown shows them is documented in CONTRIBUTING.md ("The chapter-facing API").
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from hubcommunity import chapterdeps, paths
from hubcommunity.figures import render

#: Environment variable naming the directory generated files go to (set by the build).
GENERATED_ENV = "HUBCOMMUNITY_GENERATED_DIR"

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def output_dir() -> Path:
    """Return where chapters write generated files: ``$HUBCOMMUNITY_GENERATED_DIR``
    if set (each book build sets it beside its own execution cache), else
    :func:`hubcommunity.paths.generated_dir` (``_build/generated``)."""
    env = os.environ.get(GENERATED_ENV)
    return Path(env).resolve() if env else paths.generated_dir()


def check_key(key: str, what: str = "key") -> str:
    """Return ``key`` if it is a usable name (letters, digits, ``_.-``), else raise ValueError."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(
            f"{what} {key!r} must start with a letter or digit and contain only "
            "letters, digits, '_', '.', '-'"
        )
    return key


def plain_number(value: Any, key: str = "?") -> int | float:
    """Return ``value`` as a plain Python ``int`` or ``float`` (numpy scalars converted).

    Booleans become ints. Raises ``ValueError`` for NaN/inf or non-numbers: a
    number quoted in prose must exist.
    """
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        try:
            value = value.item()  # numpy scalar, 0-d array
        except (ValueError, TypeError):
            pass
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"number {key!r} is {value}; only finite numbers can be quoted")
        return value
    raise ValueError(f"number {key!r} is not a number: {value!r} ({type(value).__name__})")


def default_format(value: int | float) -> str:
    """Format a number for prose: ints with thousands separators (``12,345``);
    floats with three significant digits below 1,000 (``0.731``) and none above (``12,346``)."""
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def format_number(value: int | float, fmt: str | None = None, key: str = "?") -> str:
    """Return ``value`` formatted with ``fmt`` (a ``str.format`` pattern such as
    ``"{:.1%}"``), or :func:`default_format` when ``fmt`` is None."""
    if fmt is None:
        return default_format(value)
    try:
        return fmt.format(value)
    except (ValueError, IndexError, KeyError) as exc:
        raise ValueError(f"number {key!r}: format {fmt!r} does not apply to {value!r}: {exc}") from exc


class Text:
    """A glued string that pastes as itself.

    Its ``text/plain`` is the quoted ``repr`` (myst-nb's ``{glue:text}`` literal-evals
    it, so ``760,000`` is not read as a tuple) and the output asks
    ``{glue}`` to strip the quotes (``strip_text_quotes``).
    """

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        return {"text/plain": repr(self.text)}, {"strip_text_quotes": True}

    def __repr__(self) -> str:
        return self.text


def _glue(key: str, obj: Any) -> None:
    """Glue ``obj`` under ``key`` without displaying it (a no-op outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book
        return
    if get_ipython() is None:
        return
    from myst_nb import glue

    glue(key, obj, display=False)


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _cell_text(value: Any, fmt: str | None) -> str:
    """Format one table cell for display: numbers like prose, missing as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        number = plain_number(value)
        return format_number(number, fmt)
    if hasattr(value, "item") and not isinstance(value, str):
        return _cell_text(value.item(), fmt)
    return str(value)


def table_cells(df: pd.DataFrame, formats: dict[str, str] | None = None) -> dict:
    """Return ``{"columns": [...], "rows": [[str, ...], ...]}``: ``df`` as displayed.

    A named index (or a non-default one) becomes the first column. ``formats``
    maps column names to ``str.format`` patterns; other numbers use
    :func:`default_format`.
    """
    formats = formats or {}
    frame = df
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        frame = df.reset_index()
    columns = [str(c) for c in frame.columns]
    rows = [
        [_cell_text(value, formats.get(col)) for col, value in zip(frame.columns, row)]
        for row in frame.itertuples(index=False, name=None)
    ]
    return {"columns": columns, "rows": rows}


class ChapterResults:
    """Everything one chapter quotes: numbers, tables and figures, glued and recorded.

    ``chapter`` is the chapter id (``"rq1"``), used as the results file name
    (``results/<chapter>.json``) and the directory of its figures and tables.
    Glue names are the keys as given (myst-nb glue is per document, so numbers
    need no chapter prefix; figure and table keys become Sphinx labels and must
    be unique in the book, hence the ``fig-<chapter>-...`` convention).
    """

    def __init__(self, chapter: str, directory: Path | str | None = None):
        self.chapter = check_key(chapter, "chapter id")
        self.directory = Path(directory) if directory is not None else output_dir()
        # Inside a book build: record the files this chapter opens (see chapterdeps).
        chapterdeps.start()
        self.numbers: dict[str, dict] = {}
        self.texts: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}
        self.figures: dict[str, dict] = {}

    # -- numbers -----------------------------------------------------------------
    def number(
        self,
        key: str,
        value: Any,
        *,
        unit: str = "",
        description: str = "",
        fmt: str | None = None,
    ) -> str:
        """Glue ``value`` as formatted text under ``key`` and record it; return the text.

        ``value``: a finite int/float (numpy scalars accepted, stored as plain
        Python numbers). ``fmt``: a ``str.format`` pattern (``"{:.1%}"``,
        ``"{:,}"``); default :func:`default_format`. ``unit`` and ``description``
        go into the results JSON. Calling again with the same key replaces it.
        """
        check_key(key)
        plain = plain_number(value, key)
        text = format_number(plain, fmt, key)
        self.numbers[key] = {
            "key": key,
            "value": plain,
            "formatted": text,
            "unit": unit,
            "description": description,
        }
        _glue(key, Text(text))
        return text

    def text(self, key: str, value: str, *, description: str = "") -> str:
        """Glue a short string (a capture date, a snapshot name) under ``key``; record it."""
        check_key(key)
        value = str(value)
        self.texts[key] = {"key": key, "value": value, "description": description}
        _glue(key, Text(value))
        return value

    # -- tables ------------------------------------------------------------------
    def table(
        self,
        key: str,
        df: pd.DataFrame,
        *,
        description: str = "",
        formats: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        show: list[str] | None = None,
    ) -> pd.DataFrame:
        """Glue ``df`` (pandas' HTML) under ``key``; write its CSV and displayed cells.

        The numbered table in the page is ``{results-table}`` (see CONTRIBUTING.md),
        which reads ``tables/<chapter>/<key>.json``. ``formats``: column -> format
        pattern for the displayed cells. ``labels``: column -> header shown in the
        page (human words with units, e.g. ``{"share_zero": "Zero (%)"}``); the CSV
        keeps the column names. ``show``: the columns displayed in the page, in
        order (default: all); the CSV always has every column. Returns ``df``.
        """
        check_key(key)
        if not isinstance(df, pd.DataFrame):
            raise ValueError(f"table {key!r} must be a pandas DataFrame, got {type(df).__name__}")
        base = self.directory / "tables" / self.chapter
        csv_path = base / f"{key}.csv"
        frame = df if isinstance(df.index, pd.RangeIndex) and df.index.name is None else df.reset_index()
        _write_text(csv_path, frame.to_csv(index=False))
        shown = frame
        if show is not None:
            missing = [c for c in show if c not in frame.columns]
            if missing:
                raise ValueError(f"table {key!r}: show= names columns it does not have: {missing}")
            shown = frame[list(show)]
        unknown = [c for c in (labels or {}) if c not in frame.columns]
        if unknown:
            raise ValueError(f"table {key!r}: labels= names columns it does not have: {unknown}")
        cells = table_cells(shown, formats)
        cells["fields"] = list(cells["columns"])
        cells["columns"] = [(labels or {}).get(c, c) for c in cells["columns"]]
        cells.update({"key": key, "chapter": self.chapter, "description": description})
        _write_text(base / f"{key}.json", json.dumps(cells, indent=1, ensure_ascii=False))
        self.tables[key] = {
            "key": key,
            "description": description,
            "rows": int(len(df)),
            "columns": cells["columns"],
            "fields": cells["fields"],
            "csv": csv_path.relative_to(self.directory).as_posix(),
        }
        _glue(key, df)
        return df

    # -- figures -----------------------------------------------------------------
    def figure(
        self,
        key: str,
        chart: Any,
        *,
        data: pd.DataFrame | None = None,
        description: str = "",
    ) -> Any:
        """Glue ``chart`` (drawn offline in the site) under ``key``; write SVG, CSV and spec.

        ``chart``: an Altair chart. ``data``: the frame to offer as CSV (default:
        the chart's own DataFrame). Returns ``chart`` (display it when working
        interactively).
        """
        check_key(key)
        if data is None:
            data = getattr(chart, "data", None)
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"figure {key!r}: pass data= (a DataFrame) to offer the chart's data as CSV")
        spec = render.to_spec(chart)
        svg = render.to_svg(spec)
        base = self.directory / "figures" / self.chapter
        files = {
            "svg": base / f"{key}.svg",
            "csv": base / f"{key}.csv",
            "spec": base / f"{key}.vl.json",
        }
        _write_text(files["svg"], svg)
        _write_text(files["csv"], data.to_csv(index=False))
        _write_text(files["spec"], json.dumps(spec, indent=1))
        self.figures[key] = {
            "key": key,
            "description": description,
            "rows": int(len(data)),
            **{kind: p.relative_to(self.directory).as_posix() for kind, p in files.items()},
        }
        _glue(key, render.ChartDisplay(key, spec))
        return chart

    # -- the record ----------------------------------------------------------------
    def as_dict(self) -> dict:
        """Return the results record (what :meth:`save` writes) as plain JSON-ready data."""
        from hubcommunity import __version__ as package_version

        return {
            "chapter": self.chapter,
            "package_version": package_version,
            "numbers": list(self.numbers.values()),
            "texts": list(self.texts.values()),
            "tables": list(self.tables.values()),
            "figures": list(self.figures.values()),
        }

    def save(self) -> Path:
        """Write ``results/<chapter>.json`` under the output directory; return its path.

        Inside a book build it also writes ``deps/<chapter>.json``: the package
        modules loaded and the files read, with their sha256, so the next build
        re-executes this chapter only when one of them changes
        (:mod:`hubcommunity.chapterdeps`).
        """
        path = self.directory / "results" / f"{self.chapter}.json"
        text = json.dumps(self.as_dict(), indent=1, ensure_ascii=False, allow_nan=False)
        _write_text(path, text + "\n")
        chapterdeps.write(self.directory, self.chapter)
        return path


# -- reading results back ---------------------------------------------------------------
def load_results(directory: Path | str | None = None) -> dict[str, dict]:
    """Return ``{chapter: record}`` for every ``results/*.json`` under ``directory``
    (default :func:`output_dir`). Raises ``ValueError`` naming a file that is not valid JSON."""
    base = Path(directory) if directory is not None else output_dir()
    records = {}
    for path in sorted((base / "results").glob("*.json")):
        try:
            records[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    return records


def register_cli(subparsers) -> None:
    """Add ``hubcommunity results [CHAPTER] [--dir DIR] [--json]``: print quoted numbers."""
    parser = subparsers.add_parser(
        "results", help="print the numbers the book quotes (from the last build's results JSON)"
    )
    parser.add_argument("chapter", nargs="?", help="chapter id (default: all)")
    parser.add_argument("--dir", type=Path, default=None, help="generated directory (default: _build/generated)")
    parser.add_argument("--json", action="store_true", help="print the raw JSON records")
    parser.set_defaults(func=_cli_results)


def _cli_results(args) -> int:
    """Print results records; exit 2 with a hint when there are none."""
    records = load_results(args.dir)
    if args.chapter:
        records = {k: v for k, v in records.items() if k == args.chapter}
    if not records:
        where = args.dir or output_dir()
        print(f"No results under {where}/results: build the book first (make book).")
        return 2
    if args.json:
        print(json.dumps(records, indent=1, ensure_ascii=False))
        return 0
    for chapter, record in records.items():
        print(f"[{chapter}]")
        for item in record.get("numbers", []):
            unit = f" ({item['unit']})" if item.get("unit") else ""
            print(f"  {item['key']} = {item['formatted']}{unit}  [{item['value']!r}]")
    return 0
