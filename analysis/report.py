"""The report: one list of blocks rendered twice, as report.md and a self-contained report.html.

Blocks are headings, paragraphs, tables (polars) and figures (PNG files in the same folder; the
HTML embeds them as base64 so it can be mailed or archived alone).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

MAX_TABLE_ROWS = 60


@dataclass
class Report:
    """An ordered list of ('heading' | 'text' | 'table' | 'figure', payload) blocks."""

    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        """Add a section heading (level 2) or subsection heading (level 3)."""
        self.blocks.append(("heading", (text, level)))

    def text(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(("text", text))

    def table(self, table: pl.DataFrame, caption: str = "") -> None:
        """Add a table (the first ``MAX_TABLE_ROWS`` rows; the Parquet file has them all)."""
        self.blocks.append(("table", (table, caption)))

    def figure(self, png: Path, caption: str) -> None:
        """Add a figure from a PNG file written beside the report."""
        self.blocks.append(("figure", (png, caption)))


def fmt(value: object) -> str:
    """A cell: floats with 3 significant digits, nulls and nan as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _rows(table: pl.DataFrame) -> tuple[list[str], list[list[str]], int]:
    shown = table.head(MAX_TABLE_ROWS)
    return shown.columns, [[fmt(v) for v in row] for row in shown.iter_rows()], table.height


def to_markdown(report: Report) -> str:
    """The report as Markdown (figures linked by file name)."""
    out = [f"# {report.title}", ""]
    for kind, payload in report.blocks:
        if kind == "heading":
            text, level = payload  # type: ignore[misc]
            out += [f"{'#' * level} {text}", ""]
        elif kind == "text":
            out += [str(payload), ""]
        elif kind == "table":
            table, caption = payload  # type: ignore[misc]
            cols, rows, n = _rows(table)
            if caption:
                out += [f"*{caption}*", ""]
            out.append("| " + " | ".join(cols) + " |")
            out.append("|" + "---|" * len(cols))
            out += ["| " + " | ".join(r) + " |" for r in rows]
            if n > len(rows):
                out.append(f"\n({n - len(rows)} more rows in the Parquet file)")
            out.append("")
        elif kind == "figure":
            png, caption = payload  # type: ignore[misc]
            out += [f"![{caption}]({png.name})", "", f"*{caption}*", ""]
    return "\n".join(out)


def to_html(report: Report) -> str:
    """The report as one HTML page with the figures embedded (base64 PNG)."""
    esc = html.escape
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
           f"<title>{esc(report.title)}</title>",
           "<style>body{font-family:sans-serif;max-width:70em;margin:auto;padding:1em}"
           "table{border-collapse:collapse;font-size:small}td,th{border:1px solid #ccc;"
           "padding:2px 6px;text-align:right}img{max-width:100%}</style>",
           "</head><body>", f"<h1>{esc(report.title)}</h1>"]
    for kind, payload in report.blocks:
        if kind == "heading":
            text, level = payload  # type: ignore[misc]
            out.append(f"<h{level}>{esc(text)}</h{level}>")
        elif kind == "text":
            out.append(f"<p>{esc(str(payload))}</p>")
        elif kind == "table":
            table, caption = payload  # type: ignore[misc]
            cols, rows, n = _rows(table)
            out.append("<table>")
            if caption:
                out.append(f"<caption>{esc(caption)}</caption>")
            out.append("<tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows]
            out.append("</table>")
            if n > len(rows):
                out.append(f"<p>({n - len(rows)} more rows in the Parquet file)</p>")
        elif kind == "figure":
            png, caption = payload  # type: ignore[misc]
            data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
            out.append(f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{esc(caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


def write(report: Report, folder: Path) -> tuple[Path, Path]:
    """Write report.md and report.html into ``folder``; return their paths."""
    md, page = folder / "report.md", folder / "report.html"
    md.write_text(to_markdown(report), encoding="utf-8")
    page.write_text(to_html(report), encoding="utf-8")
    return md, page


def text_table(table: pl.DataFrame, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The table as aligned plain text for the terminal."""
    cols, rows, _ = _rows(table.head(max_rows))
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    if table.height > max_rows:
        lines.append(f"({table.height - max_rows} more rows)")
    return "\n".join(lines)
