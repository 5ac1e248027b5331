"""Emerging issues: the day's relevant articles that no taxonomy topic claimed, clustered into candidate topics.

Raw multilingual-e5 vectors cluster by language first, so each language's mean is subtracted before HDBSCAN
("leaf" selection: the finest stable clusters, so that two issues are not merged into their common parent),
and clusters of one story in different languages are then joined. A candidate needs two outlets or more (an
outlet repeating itself is not an issue) and some cohesion. Its top terms per language come from class-based
TF-IDF (c-TF-IDF, as in BERTopic) over content words, the unclustered articles forming one more class so
that the day's common words rank low.

On the demo corpus (synthetic, en/ja/ko, its taxonomy topics standing in for issues), 72 articles at a time:
purity 0.50 and 3 % of clusters multilingual on raw vectors, 0.82 and 89 % with these defaults; 504 at a
time: 0 % multilingual and 3.6 candidates per topic raw, 69 % and 1.8 (purity 0.98 both).
A topic needs min_cluster_size articles in the input: at ~24 articles a day over 16 topics, one day is too
thin and a trailing window of a few days is what makes candidates appear.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from pipeline.tokenize import UnsupportedLanguage, kiwi, tokens

MIN_LANG_ARTICLES = 5  # fewer articles of a language than this: centred on the mean of all articles


class EmergingInputError(ValueError):
    """The inputs of find_emerging do not line up."""


@dataclass(frozen=True)
class EmergingTopic:
    """A candidate new topic of one day: articles of at least two outlets that no taxonomy topic claimed."""

    day: date
    rank: int  # 1 = largest cluster of the day
    article_ids: tuple[str, ...]  # every member, nearest the centroid first
    outlets: tuple[str, ...]  # most articles first
    source_countries: tuple[str, ...]  # most articles first
    langs: tuple[str, ...]  # most articles first
    terms: dict[str, tuple[str, ...]]  # lang -> top terms, best first (languages without a tokenizer: none)
    examples: tuple[str, ...]  # the first article_ids: what an analyst reads first
    cohesion: float  # mean cosine between two members, embeddings centred per language (0: as alike as any two)
    label: str  # the top terms of each language
    model_name: str  # the embedding model the clusters were found with

    @property
    def cluster_id(self) -> str:
        """Stable within the day: 2026-11-30-c1 is the day's largest candidate."""
        return f"{self.day.isoformat()}-c{self.rank}"

    @property
    def n_articles(self) -> int:
        return len(self.article_ids)

    @property
    def n_outlets(self) -> int:
        return len(self.outlets)


class ContentWords(Protocol):
    """A swappable term extractor: the words of a text that can name an issue."""

    def __call__(self, text: str, lang: str) -> list[str]: ...


def find_emerging(day: date, ids: Sequence[str], texts: Sequence[str], langs: Sequence[str], sources: Sequence[str],
                  source_countries: Sequence[str], embeddings: np.ndarray, *, model_name: str,
                  min_cluster_size: int = 4, min_samples: int = 2, min_outlets: int = 2, min_cohesion: float = 0.1,
                  min_membership: float = 0.5, join_cosine: float = 0.2, max_topics: int = 20, n_terms: int = 10,
                  n_examples: int = 5, words: ContentWords | None = None) -> list[EmergingTopic]:
    """Candidate topics among the articles (unit embeddings, one row each), largest first; the same for the
    same articles in any order. A candidate has min_cluster_size articles or more from min_outlets outlets or
    more, more alike than min_cohesion (mean pairwise cosine after centring); members HDBSCAN holds weakly
    (membership below min_membership: strays that fell out of the cluster early) are left out. Clusters
    that share no language and whose centroids have a cosine of join_cosine or more are one story told in
    several languages, and are joined. Fewer articles than min_cluster_size: none."""
    _check(ids, texts, langs, sources, source_countries, embeddings)
    if len(ids) < max(min_cluster_size, min_samples + 1, 2):
        return []
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    ids, texts, langs, sources, countries = ([seq[i] for i in order]
                                             for seq in (ids, texts, langs, sources, source_countries))
    vectors = centred(np.asarray(embeddings, dtype=np.float64)[order], langs)
    labels = joined_across_languages(vectors, cluster(vectors, min_cluster_size, min_samples, min_membership),
                                     langs, join_cosine)
    found = candidates(labels, vectors, sources, min_cluster_size, min_outlets, min_cohesion)[:max_topics]
    terms = top_terms(texts, langs, labels, [c for c, _, _ in found], n_terms, words or content_words)
    return [_topic(day, rank, [ids[i] for i in members], [langs[i] for i in members],
                   [sources[i] for i in members], [countries[i] for i in members], terms[c], cohesion,
                   n_examples, model_name)
            for rank, (c, members, cohesion) in enumerate(found, start=1)]


def candidates(labels: np.ndarray, vectors: np.ndarray, sources: Sequence[str], min_size: int, min_outlets: int,
               min_cohesion: float) -> list[tuple[int, np.ndarray, float]]:
    """(label, member positions nearest the centroid first, cohesion) of the clusters that qualify, largest
    first (then the tighter, then the one holding the earliest position)."""
    found = []
    for c in sorted(set(labels.tolist()) - {-1}):
        members = np.flatnonzero(labels == c)
        nearest, cohesion = by_closeness(vectors[members])
        n_outlets = len({sources[i] for i in members})
        if len(members) >= min_size and n_outlets >= min_outlets and cohesion >= min_cohesion:
            found.append((c, members[nearest], cohesion))
    return sorted(found, key=lambda f: (-len(f[1]), -f[2], int(min(f[1]))))


def _topic(day: date, rank: int, ids: list[str], langs: list[str], sources: list[str], countries: list[str],
           terms: dict[str, tuple[str, ...]], cohesion: float, n_examples: int, model_name: str) -> EmergingTopic:
    member_langs = _by_count(langs)
    terms = {lang: terms[lang] for lang in member_langs if terms.get(lang)}
    return EmergingTopic(day=day, rank=rank, article_ids=tuple(ids), outlets=_by_count(sources),
                         source_countries=_by_count(countries), langs=member_langs, terms=terms,
                         examples=tuple(ids[:n_examples]), cohesion=cohesion, label=label(terms, member_langs),
                         model_name=model_name)


def _check(ids, texts, langs, sources, countries, embeddings) -> None:
    n = len(ids)
    lengths = {"texts": len(texts), "langs": len(langs), "sources": len(sources), "source_countries": len(countries),
               "embeddings": len(embeddings)}
    if any(length != n for length in lengths.values()):
        raise EmergingInputError(f"one value per article expected ({n} ids), got {lengths}; pass aligned sequences")
    if len(set(ids)) != n:
        raise EmergingInputError("article ids repeat; deduplicate the articles before clustering them")
    if n and (np.ndim(embeddings) != 2 or not np.all(np.isfinite(embeddings))):
        raise EmergingInputError("embeddings must be a finite (n_articles, dim) array; re-embed the articles")


def centred(vectors: np.ndarray, langs: Sequence[str]) -> np.ndarray:
    """Unit rows after subtracting each language's mean (the overall mean for a language with few articles)."""
    langs_arr = np.asarray(langs, dtype=object)
    out = vectors - vectors.mean(axis=0)
    for lang in sorted(set(langs)):
        mask = langs_arr == lang
        if mask.sum() >= MIN_LANG_ARTICLES:
            out[mask] = vectors[mask] - vectors[mask].mean(axis=0)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def cluster(vectors: np.ndarray, min_cluster_size: int, min_samples: int, min_membership: float) -> np.ndarray:
    """HDBSCAN labels (-1: noise, and members weaker than min_membership); euclidean on unit rows ranks
    pairs as cosine does."""
    from sklearn.cluster import HDBSCAN  # imported here: warehouse reads EmergingTopic without sklearn

    model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, metric="euclidean",
                    cluster_selection_method="leaf", copy=True)
    labels = model.fit_predict(vectors)
    return np.where(model.probabilities_ >= min_membership, labels, -1)


def joined_across_languages(vectors: np.ndarray, labels: np.ndarray, langs: Sequence[str],
                            join_cosine: float) -> np.ndarray:
    """Labels with clusters of one story in different languages joined: pairs by decreasing centroid cosine,
    from join_cosine up, whose groups have no language in common (a language: a quarter of the members
    or more). A group thus holds at most one cluster per language, and two multilingual clusters never join."""
    found = sorted(set(labels.tolist()) - {-1})
    centroids = np.stack([vectors[labels == c].mean(axis=0) for c in found]) if found else np.zeros((0, 1))
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    group = {c: c for c in found}
    group_langs = {c: _main_langs([langs[i] for i in np.flatnonzero(labels == c)]) for c in found}
    cosines = centroids @ centroids.T
    pairs = [(-round(float(cosines[i, j]), 9), a, b) for i, a in enumerate(found) for j, b in enumerate(found)
             if a < b and cosines[i, j] >= join_cosine]
    for _, a, b in sorted(pairs):
        keep, gone = sorted((group[a], group[b]))
        if keep == gone or group_langs[keep] & group_langs[gone]:
            continue
        group = {c: keep if g == gone else g for c, g in group.items()}
        group_langs[keep] |= group_langs.pop(gone)
    return np.array([group[c] if c != -1 else -1 for c in labels.tolist()], dtype=int)


def _main_langs(langs: list[str]) -> set[str]:
    counts = Counter(langs)
    return {lang for lang, n in counts.items() if n * 4 >= len(langs)}


def by_closeness(vectors: np.ndarray) -> tuple[list[int], float]:
    """Member positions nearest the centroid first (ties by position), and the mean cosine between two members
    (unlike the mean cosine to the centroid, not inflated in small clusters by each member's share of it)."""
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    cosines = vectors @ centroid
    nearest = sorted(range(len(vectors)), key=lambda i: (-round(float(cosines[i]), 9), i))
    n = len(vectors)
    if n < 2:
        return nearest, 1.0
    pairwise = (float(np.sum(vectors.sum(axis=0) ** 2)) - n) / (n * (n - 1))  # mean cosine over pairs i != j
    return nearest, round(pairwise, 4)


def top_terms(texts: Sequence[str], langs: Sequence[str], labels: np.ndarray, wanted: Sequence[int], n_terms: int,
              words: ContentWords) -> dict[int, dict[str, tuple[str, ...]]]:
    """cluster -> lang -> its n_terms best terms by c-TF-IDF among that language's articles (every cluster
    a class, and the unclustered articles one more)."""
    out: dict[int, dict[str, tuple[str, ...]]] = {c: {} for c in wanted}
    for lang in sorted(set(langs)):
        docs = [i for i, doc_lang in enumerate(langs) if doc_lang == lang]
        if not any(int(labels[i]) in out for i in docs):
            continue
        try:
            doc_words = [words(texts[i], lang) for i in docs]
        except UnsupportedLanguage:
            continue
        for c, ranked in class_tfidf(doc_words, [int(labels[i]) for i in docs], n_terms).items():
            if c in out:
                out[c][lang] = ranked
    return out


def class_tfidf(doc_words: Sequence[Sequence[str]], classes: Sequence[int],
                n_terms: int) -> dict[int, tuple[str, ...]]:
    """Per class, its best terms by c-TF-IDF (BERTopic's): tf = the term's share of the class's words,
    idf = log(1 + mean words per class / the term's count in all classes). A document counts a word once
    (so that one article repeating a name does not make it the cluster's term); ties go to the term
    repeated most, then alphabetically."""
    binary: dict[int, Counter] = {}
    raw: dict[int, Counter] = {}
    for found, c in zip(doc_words, classes):
        binary.setdefault(c, Counter()).update(set(found))
        raw.setdefault(c, Counter()).update(found)
    total = sum(binary.values(), Counter())
    mean_words = sum(total.values()) / len(binary)
    ranked = {}
    for c, counts in binary.items():
        size = sum(counts.values())
        score = {t: round(n / size * float(np.log(1 + mean_words / total[t])), 12) for t, n in counts.items()}
        ranked[c] = tuple(sorted(score, key=lambda t: (-score[t], -raw[c][t], t))[:n_terms])
    return ranked


def label(terms: dict[str, tuple[str, ...]], langs: Sequence[str], per_lang: int = 2) -> str:
    """'whaling, fin whale / 捕鯨, ナガスクジラ': the top terms of each language, most-written language first."""
    return " / ".join(", ".join(terms[lang][:per_lang]) for lang in langs if terms.get(lang))


def _by_count(values) -> tuple[str, ...]:
    counts = Counter(values)
    return tuple(sorted(counts, key=lambda v: (-counts[v], v)))


# --- content words ------------------------------------------------------------------------------------------

_CLAUSE = r"\.,;:!?\"“”‘’()\[\]{}<>«»、。，．・：；！？「」『』（）【】〈〉《》…—–/|"
_EN_BREAK = re.compile(f"[{_CLAUSE}]+")  # clause ends: no word pair across them
_JA_BREAK = re.compile(f"[\\s{_CLAUSE}]+")  # and spaces, which Japanese text has only between phrases
_EN_WORD = re.compile(r"^[a-z][a-z0-9\-]*[a-z0-9]$")
_EN_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])")  # K-pop stays one word: spaCy would split it
_JA_NOUNISH = re.compile(r"^[a-z0-9\u3400-\u4dbf\u4e00-\u9fff\u30a1-\u30fa\u30fc々〆ヵヶ]+$")
_JA_NUMERAL = re.compile(r"^[0-9〇一二三四五六七八九十百千万億兆]+$")
_KO_NOUN_TAGS = {"NNG", "NNP", "SL", "SH"}
_EN_STOP = frozenset("""said says told according mr ms also would could new year years week day today yesterday
    monday tuesday wednesday thursday friday saturday sunday percent""".split())  # beside sklearn's stop words
_JA_STOP = frozenset("今回 今年 昨年 来年 同日 記者 関係 方針 必要 可能 状況 予定".split())
_KO_STOP = frozenset("""이번 관련 당시 이날 현재 지난해 올해 내년 최근 가운데 경우 때문 이후 이상 정도 기자 뉴스 사진 오늘
    대해 통해 위해""".split())


def content_words(text: str, lang: str) -> list[str]:
    """Words that can name an issue, lower-cased: nouns and noun compounds (ja, ko), non-stopwords and their
    adjacent pairs (en). Numbers, particles, endings and one-character words are left out."""
    text = unicodedata.normalize("NFKC", text)
    if lang == "en":
        return _words_en(text)
    if lang == "ja":
        return _words_ja(text)
    if lang == "ko":
        return _words_ko(text)
    raise UnsupportedLanguage(f"no content words for language {lang!r}; supported: en, ja, ko")


def _words_en(text: str) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out = []
    for segment in _EN_BREAK.split(_EN_HYPHEN.sub("_", text)):
        previous = None
        for token in (t.replace("_", "-") for t in tokens(segment, "en")):
            keep = bool(_EN_WORD.match(token)) and token not in ENGLISH_STOP_WORDS and token not in _EN_STOP
            if keep:
                out.append(token)
                if previous:
                    out.append(f"{previous} {token}")
            previous = token if keep else None
    return out


def _words_ja(text: str) -> list[str]:
    out = []
    for segment in _JA_BREAK.split(text):
        run: list[str] = []
        for token in [*tokens(segment, "ja"), ""]:
            if _JA_NOUNISH.match(token) and not _JA_NUMERAL.match(token):
                run.append(token)
                continue
            out.extend(_pieces_and_compound(run, _JA_STOP))
            run = []
    return out


def _words_ko(text: str) -> list[str]:
    out, run, end = [], [], -1
    for token in kiwi().tokenize(text):
        if token.tag not in _KO_NOUN_TAGS or token.start != end:
            out.extend(_pieces_and_compound(run, _KO_STOP))
            run = []
        if token.tag in _KO_NOUN_TAGS:
            run.append(token.form.lower())
        end = token.start + token.len
    return out + _pieces_and_compound(run, _KO_STOP)


def _pieces_and_compound(run: list[str], stop: frozenset[str]) -> list[str]:
    """The nouns of a run of adjacent nouns (two characters or more), and the run joined when 2–4 long."""
    out = [p for p in run if len(p) >= 2 and p not in stop]
    if 2 <= len(run) <= 4:
        out.append("".join(run))
    return out
