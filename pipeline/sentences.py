"""Articles cut into sentences for scoring, and sentence predictions rolled up to the article.

Segmentation: spaCy's rule-based sentencizer for English (blank pipeline) and Japanese (blank
pipeline on Sudachi tokens, splitting after 。！？ and their ASCII forms), Kiwi's
``split_into_sents`` for Korean; any other language is one span. The title, when there is one, is
sentence 0. At most ``max_sentences`` spans per article are scored (the lead of a news story
carries its stance; the cap bounds the cost of very long texts).

Roll-up: the article's probabilities are the mean of its sentences' probabilities; its label is
the most probable class and its score P(positive) - P(negative). For a model without
probabilities (the lexicon baseline) the score is the mean sentence score and the label the
majority sentence label (ties -> neutral).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.records import Article
from pipeline.tokenize import chunks, kiwi

MAX_SENTENCES = 40


@dataclass(frozen=True)
class Sentence:
    article_id: str
    index: int  # 0 = title when the article has one
    start: int  # character offsets into the title (index 0) or the body
    end: int
    text: str
    lang: str


@dataclass(frozen=True)
class ArticleSentiment:
    label: str | None
    score: float  # NaN when the label is None
    probs: tuple[float, float, float] | None


def spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, stripped, none empty."""
    if not text.strip():
        return []
    if lang == "ko":
        raw = [(s.start, s.end) for s in kiwi().split_into_sents(text)]
    elif lang in ("en", "ja"):
        raw = []
        offset = 0
        for chunk in chunks(text):
            doc = _sentencizer(lang)(chunk)
            raw += [(offset + s.start_char, offset + s.end_char) for s in doc.sents]
            offset += len(chunk)
    else:
        raw = [(0, len(text))]
    out = []
    for start, end in raw:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + len(piece.rstrip())))
    return out


def load() -> None:
    """Load the sentence splitters now rather than at the first text of their language (Kiwi reads its model
    then: ~1.7 s here)."""
    for lang, text in (("ko", "첫 문장이다. 둘째 문장이다."), ("ja", "最初の文。次の文。"), ("en", "One. Two.")):
        spans(text, lang)


def split_articles(articles: Sequence[Article], max_sentences: int = MAX_SENTENCES) -> list[Sentence]:
    out: list[Sentence] = []
    for article in articles:
        found = [(0, 0, len(article.title), article.title)] if article.title and article.title.strip() else []
        body_start = len(found)
        for i, (start, end) in enumerate(spans(article.text, article.lang)):
            found.append((body_start + i, start, end, article.text[start:end]))
        out += [Sentence(article.id, idx, start, end, text.strip(), article.lang)
                for idx, start, end, text in found[:max_sentences]]
    return out


def roll_up(article_ids: Sequence[str], sentences: Sequence[Sentence], labels: Sequence[str | None],
            scores: Sequence[float], probs: np.ndarray | None) -> list[ArticleSentiment]:
    """One ArticleSentiment per article id, in order, from its sentences' predictions."""
    members: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        members.setdefault(s.article_id, []).append(i)
    return roll_up_groups([members.get(article_id, []) for article_id in article_ids], labels, scores, probs)


def roll_up_groups(groups: Sequence[Sequence[int]], labels: Sequence[str | None], scores: Sequence[float],
                   probs: np.ndarray | None) -> list[ArticleSentiment]:
    """One ArticleSentiment per group of sentence positions (an article's, or those naming a country)."""
    out = []
    for group in groups:
        idx = [i for i in group if labels[i] is not None]
        if not idx:
            out.append(ArticleSentiment(None, float("nan"), None))
        elif probs is not None:
            mean = probs[idx].mean(axis=0)
            label = ("negative", "neutral", "positive")[int(np.argmax(mean))]
            out.append(ArticleSentiment(label, float(mean[2] - mean[0]), tuple(float(p) for p in mean)))
        else:
            counts = Counter(labels[i] for i in idx).most_common()
            top = [lab for lab, n in counts if n == counts[0][1]]
            label = top[0] if len(top) == 1 else "neutral"
            out.append(ArticleSentiment(label, float(np.mean([scores[i] for i in idx])), None))
    return out


@lru_cache(maxsize=2)
def _sentencizer(lang: str):
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp
