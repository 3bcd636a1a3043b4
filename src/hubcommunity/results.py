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
``$HUBCOMMUNITY_GENERATED_DIR``). The layout of ``results/`` and ``data/`` is the
layout of the published site (the build copies both), so every path in a results
JSON file is also a path in the site, stable from one build to the next::

    results/<chapter>.json              every number, table and figure with key, description, files
    data/<chapter>/<key>.svg            a figure's static drawing (vl-convert)
    data/<chapter>/<key>.csv            a figure's plotted data, or a table's data (every column)
    data/<chapter>/<key>.vl.json        a figure's Vega-Lite spec (data inlined)
    data/<chapter>/<key>.full.csv       the full data behind a figure whose plotted series are thinned
    cells/<chapter>/<key>.json          a table as displayed (headers, formatted cells, notes), read by
                                        {results-table}; not published
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

import numpy as np
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
    if _is_missing(value):
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        number = plain_number(value)
        return format_number(number, fmt)
    if hasattr(value, "item") and not isinstance(value, str):
        return _cell_text(value.item(), fmt)
    return str(value)


def _is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (a cell with no value)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: a value
        return False


#: A header that is an identifier, not words (``n_positive``, ``p_holm``, ``top1_share``), or ``index``.
#: (Wider than ``^[a-z]+(_[a-z0-9]+)+$``: digits before the first ``_`` count too.)
IDENTIFIER_HEADER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def is_identifier_header(text: str) -> bool:
    """True if ``text`` reads as a code identifier (``share_zero``) or is ``index``: not a
    header a reader can read. Such headers are refused by :meth:`ChapterResults.table`
    and by the browser test."""
    text = str(text).strip()
    return text == "index" or bool(IDENTIFIER_HEADER.match(text))


def table_frame(df: pd.DataFrame, key: str = "?") -> pd.DataFrame:
    """Return ``df`` with a meaningful index turned into columns and a positional one dropped.

    A named index (every level named) becomes the first column(s). An unnamed index of
    integers (a ``RangeIndex``, or what filtering left of one: 0, 1, 6, 7, ...) is
    positional and dropped. An unnamed index of labels raises ``ValueError``: name it
    (``df.rename_axis("model")``) so its column has a name.
    """
    names = list(df.index.names)
    if all(n is not None for n in names):
        return df.reset_index()
    if len(names) == 1 and (isinstance(df.index, pd.RangeIndex) or pd.api.types.is_integer_dtype(df.index)):
        return df.reset_index(drop=True)
    raise ValueError(
        f"table {key!r}: its index holds labels but has no name; name it "
        "(df.rename_axis('model')) or make it a column (df.reset_index(names='model'))"
    )


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """For each column of ``frame``: True if it holds numbers (booleans are not numbers)
    and at least one value; such columns are right-aligned and never wrapped in the page."""
    out = []
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            out.append(False)
        elif pd.api.types.is_numeric_dtype(series):
            out.append(bool(series.notna().any()))
        else:
            values = [v for v in series if not _is_missing(v)]
            out.append(bool(values) and all(
                isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_)) for v in values))
    return out


def table_cells(df: pd.DataFrame, formats: dict[str, str] | None = None) -> dict:
    """Return ``{"columns": [...], "rows": [[str, ...], ...], "numeric": [bool, ...]}``:
    ``df`` as displayed (see :func:`table_frame` for the index).

    ``formats`` maps column names to ``str.format`` patterns; other numbers use
    :func:`default_format`. ``numeric`` says which columns hold numbers
    (:func:`numeric_columns`).
    """
    formats = formats or {}
    frame = table_frame(df)
    columns = [str(c) for c in frame.columns]
    rows = [
        [_cell_text(value, formats.get(col)) for col, value in zip(frame.columns, row)]
        for row in frame.itertuples(index=False, name=None)
    ]
    return {"columns": columns, "rows": rows, "numeric": numeric_columns(frame)}


def _row_name(cells: list[str], numeric: list[bool]) -> str:
    """A row's name for a note: its non-numeric cells, joined by spaces."""
    return " ".join(c for c, is_num in zip(cells, numeric) if not is_num and c).strip()


def _names_sentence(names: list[str], limit: int = 8) -> str:
    """``a, b and c`` (at most ``limit`` names, then ``and N more``)."""
    names = [n for n in names if n]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


#: Default note under a table for the rows it does not show (``{n}``, ``{rows}``, ``{names}``).
HIDDEN_ROWS_NOTE = "Not shown: {n} {rows} without data in these captures ({names}); the CSV has every row."


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
        rows: Any = None,
        rows_note: str | None = None,
        notes: str | list[str] | None = None,
        notes_from: str | None = None,
    ) -> pd.DataFrame:
        """Glue ``df`` under ``key``; write its CSV (every row and column) and the cells the
        page shows, which ``{results-table}`` draws (see CONTRIBUTING.md, "Tables").

        - ``formats``: column -> ``str.format`` pattern for displayed numbers (others are
          formatted like prose numbers, :func:`default_format`).
        - ``labels``: column -> header shown in the page, human words with the unit
          (``{"share_zero": "Zero (%)"}``); the CSV keeps the column names. One dict may
          serve several tables (names of absent columns are ignored). A displayed header
          that is still an identifier (``share_zero``, ``index``) raises ``ValueError``.
        - ``show``: the columns the page displays, in order (default: all). Leave long
          text (sources, rationales) to the CSV or to ``notes_from``.
        - ``rows``: boolean mask (one per row of ``df``) of the rows the page displays.
          Rows whose displayed numbers are all missing are left out too. The page says in
          one note how many rows it leaves out and which (``rows_note`` replaces the
          default :data:`HIDDEN_ROWS_NOTE`; ``{n}``, ``{rows}`` and ``{names}`` in it are
          replaced, any other braces are kept, so MyST roles such as ``{numref}`` work).
        - ``notes``: sentence(s) shown under the table (MyST inline markup allowed).
        - ``notes_from``: a column whose non-empty texts are shown as notes under the table,
          each after its row's name (its displayed text cells); usually a column left out
          by ``show``.

        A named index becomes a column; an unnamed integer index is dropped
        (:func:`table_frame`). Returns ``df``.
        """
        check_key(key)
        if not isinstance(df, pd.DataFrame):
            raise ValueError(f"table {key!r} must be a pandas DataFrame, got {type(df).__name__}")
        frame = table_frame(df, key)
        labels = labels or {}
        for what, names in (("show=", list(show or [])), ("notes_from=", [notes_from] if notes_from else [])):
            missing = [c for c in names if c not in frame.columns]
            if missing:
                raise ValueError(f"table {key!r}: {what} names columns it does not have: {missing} "
                                 f"(columns: {[str(c) for c in frame.columns]})")
        shown = frame[list(show)] if show is not None else frame
        fields = [str(c) for c in shown.columns]
        headers = [str(labels.get(c, c)) for c in shown.columns]
        bad = [(f, h) for f, h in zip(fields, headers) if is_identifier_header(h)]
        if bad:
            field, header = bad[0]
            raise ValueError(
                f"table {key!r}: column {field!r} would be shown under the identifier {header!r}; "
                f"give it a header with its unit in labels= (e.g. labels={{{field!r}: 'Share of zeros (%)'}}) "
                "or leave it out of the page with show="
            )
        cells = table_cells(shown, formats)
        keep = self._rows_shown(key, frame, rows, cells)
        hidden = [i for i, k in enumerate(keep) if not k]
        note_lines = [notes] if isinstance(notes, str) else list(notes or [])
        if notes_from:
            for i, text in enumerate(frame[notes_from]):
                if keep[i] and not _is_missing(text) and str(text).strip():
                    name = _row_name(cells["rows"][i], cells["numeric"])
                    note_lines.append(f"{name}: {str(text).strip()}" if name else str(text).strip())
        if hidden:
            template = rows_note if rows_note is not None else HIDDEN_ROWS_NOTE
            names = [_row_name(cells["rows"][i], cells["numeric"]) for i in hidden]
            fields = {"{n}": str(len(hidden)), "{rows}": "row" if len(hidden) == 1 else "rows",
                      "{names}": _names_sentence(names)}
            note_lines.append(re.sub(r"\{n\}|\{rows\}|\{names\}", lambda m: fields[m.group(0)], template))
        displayed = {
            "key": key,
            "chapter": self.chapter,
            "description": description,
            "columns": headers,
            "fields": fields,
            "numeric": cells["numeric"],
            "rows": [r for r, k in zip(cells["rows"], keep) if k],
            "n_rows": int(len(frame)),
            "hidden_rows": len(hidden),
            "notes": note_lines,
        }
        csv_path = self._data_path(key, ".csv")
        _write_text(csv_path, frame.to_csv(index=False))
        _write_text(self.directory / "cells" / self.chapter / f"{key}.json",
                    json.dumps(displayed, indent=1, ensure_ascii=False))
        self.tables[key] = {
            "key": key,
            "description": description,
            "rows": int(len(frame)),
            "columns": headers,
            "fields": fields,
            "csv": self._site_path(csv_path),
        }
        _glue(key, df)
        return df

    @staticmethod
    def _rows_shown(key: str, frame: pd.DataFrame, rows: Any, cells: dict) -> list[bool]:
        """Which rows of ``frame`` the page shows: ``rows`` (a boolean mask, default all),
        less the rows whose displayed numeric cells are all empty."""
        if rows is None:
            keep = [True] * len(frame)
        else:
            keep = [bool(v) for v in (rows.tolist() if hasattr(rows, "tolist") else list(rows))]
            if len(keep) != len(frame):
                raise ValueError(f"table {key!r}: rows= has {len(keep)} values for {len(frame)} rows")
        numeric = [i for i, is_num in enumerate(cells["numeric"]) if is_num]
        if numeric:
            for i, row in enumerate(cells["rows"]):
                if all(row[j] == "" for j in numeric):
                    keep[i] = False
        return keep

    def _data_path(self, key: str, suffix: str) -> Path:
        """``<output>/data/<chapter>/<key><suffix>``: a published file (same path in the site)."""
        return self.directory / "data" / self.chapter / f"{key}{suffix}"

    def _site_path(self, path: Path) -> str:
        """``path`` relative to the output directory, which is its path in the site."""
        return path.relative_to(self.directory).as_posix()

    # -- figures -----------------------------------------------------------------
    def figure(
        self,
        key: str,
        chart: Any,
        *,
        data: pd.DataFrame | None = None,
        description: str = "",
        full_data: pd.DataFrame | None = None,
        regenerate: str | None = None,
    ) -> Any:
        """Glue ``chart`` (drawn offline in the site) under ``key``; write SVG, CSV and spec.

        ``chart``: an Altair chart. ``data``: the frame to offer as CSV (default: the
        chart's own DataFrame). A figure whose plotted series are thinned (a CCDF on a
        log grid, a Lorenz curve at 201 points) also gives what it was thinned from:
        ``full_data``, written as ``<key>.full.csv`` (for a distribution, its exact
        frequency table -- one row per series and distinct value with its count -- is
        lossless and small), and/or ``regenerate``, the exact code that rebuilds it from
        the tables (recorded in the results JSON and shown under the figure by
        ``{downloads}``). Returns ``chart``.
        """
        check_key(key)
        if data is None:
            data = getattr(chart, "data", None)
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"figure {key!r}: pass data= (a DataFrame) to offer the chart's data as CSV")
        if full_data is not None and not isinstance(full_data, pd.DataFrame):
            raise ValueError(f"figure {key!r}: full_data= must be a DataFrame, got {type(full_data).__name__}")
        spec = render.to_spec(chart)
        svg = render.to_svg(spec)
        files = {"svg": self._data_path(key, ".svg"), "csv": self._data_path(key, ".csv"),
                 "spec": self._data_path(key, ".vl.json")}
        _write_text(files["svg"], svg)
        _write_text(files["csv"], data.to_csv(index=False))
        _write_text(files["spec"], json.dumps(spec, indent=1))
        if full_data is not None:
            files["full_csv"] = self._data_path(key, ".full.csv")
            _write_text(files["full_csv"], table_frame(full_data, key).to_csv(index=False))
        self.figures[key] = {
            "key": key,
            "description": description,
            "rows": int(len(data)),
            **{kind: self._site_path(p) for kind, p in files.items()},
        }
        if full_data is not None:
            self.figures[key]["full_rows"] = int(len(full_data))
        if regenerate:
            self.figures[key]["regenerate"] = str(regenerate)
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
