"""Tables the CLI prints, readable at any width, on a terminal or in a pipe (80 columns there).

No value is ever cut. Each column gets a width of its own: narrow columns (dates, codes, counts: every value
at most KEY_WIDTH characters) the width of their longest value, so they are never wrapped; wider ones at
least WRAPPED_WIDTH, wrapped at spaces and folded where a word is longer. Headers wrap at spaces and after
underscores (source_country over two lines). When even that does not fit, every row is printed as a block of `column | value` lines instead (psql's expanded mode)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

KEY_WIDTH = 12  # a column whose values are this narrow is printed whole: 2025-08-01, KR, warning, -0.123
WRAPPED_WIDTH = 12  # the least a wider column is given


def print_rows(console: Console, columns: Sequence[str], rows: Sequence[Sequence], title: str | None = None,
               hint: str = "") -> None:
    """Print rows under their columns as a table when it fits the console's width, else one block per row
    followed by `hint` (e.g. `--format csv`)."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    room = console.width - 3 * len(columns) - 1  # borders and padding: 3 per column, and one
    widths = column_widths(columns, cells, room)
    if widths is None:
        _print_blocks(console, columns, cells, title, hint)
        return
    table = Table(title=title)
    for header, width in zip(columns, widths, strict=True):
        table.add_column(wrap_header(header, width), width=width, overflow="fold")
    for row in cells:
        table.add_row(*(Text(v) for v in row))
    console.print(table)


def column_widths(headers: Sequence[str], cells: Sequence[Sequence[str]], room: int) -> list[int] | None:
    """Widths (padding and borders excluded) summing to at most `room`, or None when the columns cannot fit:
    each column starts at its widest value or header, and the widest of those above their least give way
    first."""
    columns = [[row[i] for row in cells] for i in range(len(headers))]
    values = [max([_width(v) for v in column] + [1]) for column in columns]
    natural = [max(v, _width(h)) for v, h in zip(values, headers, strict=True)]
    words = [max(map(cell_len, _header_pieces(h)), default=0) for h in headers]
    least = [max(v, w) if v <= KEY_WIDTH else min(n, max(WRAPPED_WIDTH, w))
             for v, w, n in zip(values, words, natural, strict=True)]
    if sum(least) > room:
        return None
    widths = [min(n, room) for n in natural]
    while sum(widths) > room:
        i = max(range(len(widths)), key=lambda j: widths[j] - least[j])
        widths[i] -= min(widths[i] - least[i], sum(widths) - room)
    return widths


def wrap_header(header: str, width: int) -> str:
    """The header broken into lines of at most `width` at spaces and after underscores (longer pieces fold)."""
    lines: list[str] = []
    for word in header.split():
        for i, piece in enumerate(_header_pieces(word)):
            joined = (lines[-1] + ("" if i else " ") + piece) if lines else piece
            if lines and cell_len(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(piece)
    return "\n".join(lines)


def _header_pieces(header: str) -> list[str]:
    return [piece for word in header.split() for piece in re.findall(r"[^_]+_*|_+", word)]


def _width(value: str) -> int:
    return max((cell_len(line) for line in value.splitlines()), default=0)


def _print_blocks(console: Console, columns: Sequence[str], cells: list[list[str]], title: str | None,
                  hint: str) -> None:
    if title:
        console.print(Text(title, style="bold"))
    pad = max(cell_len(c) for c in columns)
    for n, row in enumerate(cells, 1):
        console.print(Text(f"-[ row {n} ]-", style="dim"))
        for column, value in zip(columns, row, strict=True):
            console.print(Text(f"{column:<{pad}} | {value}", overflow="fold"))
    if hint:
        console.print(Text(hint, style="dim"))
