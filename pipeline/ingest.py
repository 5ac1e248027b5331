"""From input files to a batch of unique Articles and the rows rejected on the way."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.dedup import unique_articles
from pipeline.files import RawRow, ReadLimits, read_rows
from pipeline.records import Article, Rejected
from pipeline.sources import Source
from pipeline.validate import Limits, reject, to_article


@dataclass(frozen=True)
class Batch:
    articles: list[Article]
    rejected: list[Rejected]
    duplicates: int  # exact copies (URL or content) inside the batch
    unreadable: list[Rejected] = field(default_factory=list)  # files not read to their end (also in `rejected`)


class NoInputFiles(FileNotFoundError):
    """A configured path or pattern matched no file."""


def expand(patterns: Iterable[str]) -> list[Path]:
    """Files named by paths or glob patterns, in order, each once; a pattern matching nothing is an error."""
    paths: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(str(pattern))) if glob.has_magic(str(pattern)) else [str(pattern)]
        matched = [m for m in matched if Path(m).is_file()]
        if not matched:
            raise NoInputFiles(f"no input file matches {pattern!r}")
        paths += [Path(m) for m in matched if Path(m) not in paths]
    return paths


def read_batch(paths: Sequence[Path], registry: dict[str, Source], limits: Limits,
               read_limits: ReadLimits = ReadLimits(), max_bad_rows: int = 10_000) -> Batch:
    """Every row of every file validated; good rows deduplicated as they come (memory holds unique articles
    only), bad ones kept with their reason. A file with more than `max_bad_rows` bad rows is not read further (it
    is not a file of articles, or a bomb of bad rows)."""
    rejected: list[Rejected] = []
    unreadable: list[Rejected] = []
    unique, duplicates = unique_articles(_good_rows(paths, registry, limits, read_limits, max_bad_rows,
                                                    rejected, unreadable))
    return Batch(unique, rejected + unreadable, duplicates, unreadable)


def _good_rows(paths: Sequence[Path], registry: dict[str, Source], limits: Limits, read_limits: ReadLimits,
               max_bad_rows: int, rejected: list[Rejected], unreadable: list[Rejected]) -> Iterator[Article]:
    """The articles of the files, in order; the rest appended to `rejected` (bad rows) or `unreadable` (files)."""
    for path in paths:
        bad = 0
        for row in read_rows(path, read_limits):
            if bad == max_bad_rows:
                unreadable.append(reject(RawRow(str(path), row.line_no, b""), f"more than {max_bad_rows:,} bad "
                                         "rows: stopped reading there (is it a file of articles?)"))
                break
            result = to_article(row, registry, limits)
            if isinstance(result, Article):
                yield result
                continue
            bad += 1
            (unreadable if row.whole_file else rejected).append(result)
