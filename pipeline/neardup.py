"""Near-duplicate detection: syndicated copies of one story (wire copy run by several outlets, an
outlet's re-post under a new URL) found with MinHash LSH over character shingles, which work the
same for English, Japanese and Korean (no word segmentation needed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.records import Article, StoryCopy

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class NearDupConfig:
    threshold: float = 0.7  # estimated Jaccard similarity from which two texts are one story
    shingle_chars: int = 5
    num_perm: int = 128
    min_shingles: int = 20  # shorter texts (a bare headline) are left to exact deduplication


@dataclass(frozen=True)
class Stories:
    kept: list[Article]  # one article per story, new ones only
    copies: list[StoryCopy]  # the other carriers of a kept or already stored story
    known: int  # articles already stored (same id), dropped silently


def shingles(text: str, k: int) -> set[bytes]:
    """Character k-grams of the case-folded text with spaces and punctuation removed."""
    folded = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())
    return {folded[i : i + k].encode() for i in range(len(folded) - k + 1)}


def group_stories(new: Sequence[Article], stored: Sequence[Article], config: NearDupConfig = NearDupConfig()
                  ) -> Stories:
    """Keep one article per story. Stored articles always stay the story; among new ones the
    earliest published (then the longest) is the story and later carriers become its copies."""
    stored_ids = {a.id for a in stored}
    fresh = sorted((a for a in new if a.id not in stored_ids), key=lambda a: (a.published_at, -len(a.text), a.id))
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    hashes = _minhashes([*stored, *fresh], config)
    for article in stored:
        if article.id in hashes:
            lsh.insert(article.id, hashes[article.id])
    kept: list[Article] = []
    copies: list[StoryCopy] = []
    for article in fresh:
        signature = hashes.get(article.id)
        story, similarity = _best_match(lsh, signature, hashes, config.threshold) if signature else (None, 0.0)
        if story is None:
            kept.append(article)
            if signature is not None:
                lsh.insert(article.id, signature)
        else:
            copies.append(StoryCopy(story, article.id, article.url, article.source, article.source_country,
                                    article.published_at, round(similarity, 3)))
    return Stories(kept, copies, len(new) - len(fresh))


def _minhashes(articles: Sequence[Article], config: NearDupConfig) -> dict[str, LeanMinHash]:
    sets = {a.id: shingles(f"{a.title}\n{a.text}", config.shingle_chars) for a in articles}
    sets = {key: value for key, value in sets.items() if len(value) >= config.min_shingles}
    signatures = MinHash.bulk(list(sets.values()), num_perm=config.num_perm)
    return {key: LeanMinHash(signature) for key, signature in zip(sets, signatures, strict=True)}


def _best_match(lsh: MinHashLSH, signature: LeanMinHash, hashes: dict[str, LeanMinHash],
                threshold: float) -> tuple[str | None, float]:
    """The indexed story most similar to `signature` at or above the threshold (LSH gives candidates;
    their estimated Jaccard decides; ties go to the earliest indexed)."""
    best: tuple[str | None, float] = (None, 0.0)
    for candidate in lsh.query(signature):
        similarity = signature.jaccard(hashes[candidate])
        if similarity >= threshold and similarity > best[1]:
            best = (candidate, similarity)
    return best
