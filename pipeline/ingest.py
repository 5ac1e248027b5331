"""From input files to a batch of unique Articles and the rows rejected on the way."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.dedup import unique_articles
from pipeline.files import read_rows
from pipeline.records import Article, Rejected
from pipeline.sources import Source
from pipeline.validate import Limits, to_article


@dataclass(frozen=True)
class Batch:
    articles: list[Article]
    rejected: list[Rejected]
    duplicates: int  # exact copies (URL or content) inside the batch


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


def read_batch(paths: Sequence[Path], registry: dict[str, Source], limits: Limits) -> Batch:
    """Every row of every file validated; good rows deduplicated, bad ones kept with their reason."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for path in paths:
        for row in read_rows(path):
            result = to_article(row, registry, limits)
            (rejected if isinstance(result, Rejected) else articles).append(result)
    unique, duplicates = unique_articles(articles)
    return Batch(unique, rejected, duplicates)
