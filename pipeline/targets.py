"""Which countries (JP, KR, US, KP, CN) a sentence is about: a gazetteer, checked by NER where there is one.

Gazetteer (pipeline/gazetteer.toml): terms per country and language, matched only where both ends
fall on word boundaries — whole words in English (case-sensitive), Sudachi token boundaries in
Japanese, Kiwi morpheme boundaries in Korean with no particle inside the match. The longest term
at a position wins, so a blocker such as "Washington Post" hides "Washington".

Office and home words: 外相 or 대통령 right after another name are that name's (韓国の外相, 트럼프
대통령); home words (政府, 정부, 国内) name the outlet's own country — by default the language's
(Japanese -> JP, Korean -> KR), or the one passed per text. English has none.

NER (optional, any `EntityTagger`; models/ner.py wraps spaCy): a term inside an entity with a veto
label is dropped (日本生命 tagged as a company, "Mr. Washington" as a person); an ambiguous term counts
only inside an entity with a confirm label (北 tagged as a country); an entity with a confirm label
whose whole text is a term the matching missed adds a mention of its own. NER runs only on texts
where some term occurs as a plain substring: elsewhere it could neither veto, confirm nor add.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Protocol

from pipeline.tokenize import _sudachi, chunks, kiwi

COUNTRIES = ("CN", "JP", "KP", "KR", "US")
KINDS = ("names", "short", "demonyms", "seats", "bodies", "people", "ambiguous")
_KO_NOMINAL = frozenset({"NNP", "NNG", "NNB", "NR", "NP", "SH", "SL", "SN", "XPN", "XSN", "XR"})
_KO_SHORT = frozenset({"NNP", "SH"})
_PERSON_LABELS = frozenset({"PERSON", "Person"})
_VETOED_KINDS = frozenset({"names", "short", "demonyms", "seats", "people"})
_QUALIFIER_GAP = re.compile(r"[\s・の의]*|'s\s*|’s\s*")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")


class GazetteerError(ValueError):
    """The gazetteer file is malformed; the message names the entry to fix."""


@dataclass(frozen=True)
class Entity:
    """A named entity found by a tagger: character offsets into the text and the tagger's label."""

    text: str
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Mention:
    """One country named in a text, by which words, found how ("gazetteer" or "ner")."""

    country: str
    text: str
    start: int
    end: int
    via: str


class EntityTagger(Protocol):
    """Named entities per text, in input order; a language it does not support gets empty lists."""

    def entities(self, texts: Sequence[str], lang: str) -> list[list[Entity]]: ...


@dataclass(frozen=True)
class Term:
    text: str
    countries: tuple[str, ...]  # sorted; () for a blocker or a home word
    kind: str  # one of KINDS, "compound", "home" (the outlet's own country) or "ignore"


@dataclass(frozen=True)
class NerRules:
    confirm: frozenset[str]
    veto: frozenset[str]


@dataclass(frozen=True)
class Gazetteer:
    version: str
    terms: Mapping[str, Mapping[str, Term]]  # lang -> surface -> term
    ner: Mapping[str, NerRules]  # lang -> how that language's entity labels are used
    homes: Mapping[str, str]  # lang -> the country its home words mean when the outlet's is not given

    def term(self, text: str, lang: str) -> Term | None:
        return self.terms.get(lang, {}).get(text)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read pipeline/gazetteer.toml (or `path`)."""
    raw = path.read_bytes() if path else files("pipeline").joinpath("gazetteer.toml").read_bytes()
    table = tomllib.loads(raw.decode())
    found: dict[str, dict[str, tuple[set[str], str]]] = defaultdict(dict)
    for lang, word, codes, kind in _entries(table):
        _add(found[lang], word, codes, kind)
    terms = {lang: {w: Term(w, tuple(sorted(c)), k) for w, (c, k) in by_word.items()}
             for lang, by_word in found.items()}
    ner = {lang: NerRules(frozenset(r.get("confirm", ())), frozenset(r.get("veto", ())))
           for lang, r in table.get("ner", {}).items()}
    homes = {lang: home.get("country", "") for lang, home in table.get("home", {}).items()}
    if unknown := set(homes.values()) - set(COUNTRIES):
        raise GazetteerError(f"[home] names unknown countries {sorted(unknown)}; use one of {', '.join(COUNTRIES)}")
    return Gazetteer(str(table.get("version", "")), terms, ner, homes)


def _entries(table: dict) -> Iterator[tuple[str, str, set[str], str]]:
    """(lang, word, countries, kind) for every word of the gazetteer's tables."""
    for country, by_lang in table.get("countries", {}).items():
        if country not in COUNTRIES:
            raise GazetteerError(f"unknown country {country!r} in [countries]; use one of {', '.join(COUNTRIES)}")
        for lang, by_kind in by_lang.items():
            if unknown := set(by_kind) - set(KINDS):
                raise GazetteerError(f"unknown kind {sorted(unknown)} in [countries.{country}.{lang}]; "
                                     f"use one of {', '.join(KINDS)}")
            yield from ((lang, word, {country}, kind) for kind, words in by_kind.items() for word in words)
    for lang, compounds in table.get("compounds", {}).items():
        for word, codes in compounds.items():
            if unknown := set(codes) - set(COUNTRIES):
                raise GazetteerError(f"compound {word!r} ({lang}) names unknown countries {sorted(unknown)}")
            yield lang, word, set(codes), "compound"
    for lang, home in table.get("home", {}).items():
        yield from ((lang, word, set(), "home") for word in home.get("terms", ()))
    for lang, words in table.get("ignore", {}).items():
        yield from ((lang, word, set(), "ignore") for word in words)


def _add(by_word: dict[str, tuple[set[str], str]], word: str, countries: set[str], kind: str) -> None:
    if word in by_word:
        known, known_kind = by_word[word]
        if known_kind != kind:
            raise GazetteerError(f"{word!r} is listed as both {known_kind} and {kind}; keep one")
        if not (known and countries) or known & countries:
            raise GazetteerError(f"{word!r} is listed twice as {kind}; keep one")
        known |= countries
    else:
        by_word[word] = (set(countries), kind)


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    term: Term


class TargetFinder:
    """Mentions of the target countries in each text, in text order."""

    def __init__(self, gazetteer: Gazetteer, ner: EntityTagger | None = None):
        self.gazetteer, self.ner = gazetteer, ner
        ner_name = "" if ner is None else "+" + getattr(ner, "name", type(ner).__name__)
        self.version = f"gazetteer-{gazetteer.version}{ner_name}"  # store it with the targets found
        self._index = {lang: _index(terms, lang) for lang, terms in gazetteer.terms.items()}
        self._probe = {lang: re.compile("|".join(re.escape(s) for s in sorted(
            {s for entries in index.values() for s, _ in entries}, key=len, reverse=True)), re.IGNORECASE)
            for lang, index in self._index.items()}

    def find(self, texts: Sequence[str], langs: Sequence[str],
             homes: Sequence[str | None] | None = None) -> list[tuple[Mention, ...]]:
        """Mentions per text, in input order. `homes`: the outlet's country per text, which home words
        (政府, 정부) name; None (for all or one text) takes the language's default from the gazetteer,
        and a code that is no target ("" or "GB") makes home words name nothing."""
        if len(texts) != len(langs) or (homes is not None and len(homes) != len(texts)):
            raise ValueError(f"{len(texts)} texts, {len(langs)} languages, {'no' if homes is None else len(homes)} "
                             "homes; pass one language (and home, if any) per text")
        out: list[tuple[Mention, ...]] = [()] * len(texts)
        by_lang: dict[str, list[int]] = defaultdict(list)
        for i, lang in enumerate(langs):
            by_lang[lang].append(i)
        for lang, idx in by_lang.items():
            default = self.gazetteer.homes.get(lang, "")
            home = [default if homes is None or homes[i] is None else homes[i] for i in idx]
            for i, mentions in zip(idx, self._find_lang([texts[i] for i in idx], lang, home), strict=True):
                out[i] = mentions
        return out

    def _find_lang(self, texts: list[str], lang: str, homes: list[str]) -> list[tuple[Mention, ...]]:
        if lang not in self._index:
            return [()] * len(texts)
        probe = self._probe[lang]
        todo = [i for i, text in enumerate(texts) if probe.search(text)]
        matches = dict(zip(todo, _match_all([texts[i] for i in todo], lang, self._index[lang]), strict=True))
        rules = self.gazetteer.ner.get(lang)
        entities: dict[int, list[Entity]] = {}
        if self.ner is not None and rules is not None and todo:
            entities = dict(zip(todo, self.ner.entities([texts[i] for i in todo], lang), strict=True))
        return [self._mentions(texts[i], matches.get(i, []), entities.get(i), rules, lang, homes[i])
                for i in range(len(texts))]

    def _mentions(self, text: str, matches: list[_Match], entities: list[Entity] | None,
                  rules: NerRules | None, lang: str, home: str) -> tuple[Mention, ...]:
        kept = [_at_home(m, home) for m in _attribute(text, matches)]
        kept = [m for m in kept if m.term.countries]
        if entities is None or rules is None:
            kept = [m for m in kept if m.term.kind != "ambiguous"]
            return _to_mentions(text, kept, [])
        kept = [m for m in kept if _passes(m, entities, rules)]
        taken = [(m.start, m.end) for m in matches]
        extra = [_Match(e.start, e.end, t) for e in entities if e.label in rules.confirm
                 and not any(s < e.end and e.start < t_end for s, t_end in taken)
                 and (t := self._entity_term(e, lang)) is not None]
        return _to_mentions(text, kept, extra)

    def _entity_term(self, entity: Entity, lang: str) -> Term | None:
        name = _POSSESSIVE.sub("", _LEADING_THE.sub("", entity.text.strip()))
        term = self.gazetteer.term(name, lang) or (self.gazetteer.term(name.title(), lang) if lang == "en" else None)
        return term if term is not None and term.countries else None


def countries(mentions: Iterable[Mention]) -> tuple[str, ...]:
    """The distinct countries of `mentions`, sorted."""
    return tuple(sorted({m.country for m in mentions}))


def target_f1(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> dict:
    """Micro precision, recall and F1 over (text, country) pairs, the share of texts whose set is
    exactly right, and the same three figures per country."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sets but {len(pred)} predicted; pass one of each per text")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for g, p in zip(gold, pred, strict=True):
        for c in g | p:
            per[c][0 if c in g and c in p else 1 if c in p else 2] += 1
    tp, fp, fn = (sum(v[k] for v in per.values()) for k in range(3))
    exact = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else float("nan")
    return {**_prf(tp, fp, fn), "exact": exact, "n": len(gold),
            "per_country": {c: {**_prf(*per[c]), "support": per[c][0] + per[c][2]} for c in sorted(per)}}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"precision": precision, "recall": recall, "f1": f1}


def _index(terms: Mapping[str, Term], lang: str) -> dict[str, list[tuple[str, Term]]]:
    """First character -> (surface, term), longest surface first; English terms also in capitals."""
    by_first: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    for surface, term in terms.items():
        variants = {surface}
        if lang == "en" and len(surface) >= 4:
            variants.add(surface.upper())
        for v in variants:
            by_first[v[0]].append((v, term))
    return {first: sorted(entries, key=lambda e: -len(e[0])) for first, entries in by_first.items()}


@dataclass(frozen=True)
class _Units:
    """Where words start and end in a text, and (Korean) the tag of each morpheme by its span."""

    starts: frozenset[int]
    ends: frozenset[int]
    tags: tuple[tuple[int, int, str], ...] = ()


def _match_all(texts: list[str], lang: str, index: dict[str, list[tuple[str, Term]]]) -> list[list[_Match]]:
    return [_match(text, units, lang, index) for text, units in zip(texts, _units(texts, lang), strict=True)]


def _units(texts: list[str], lang: str) -> Iterable[_Units]:
    if lang == "ja":
        return (_ja_units(text) for text in texts)
    if lang == "ko":
        return (_ko_units(text, morphs) for text, morphs in zip(texts, kiwi().tokenize(texts), strict=True))
    return (_en_units(text) for text in texts)


def _en_units(text: str) -> _Units:
    word = [c.isalnum() for c in text] + [False]
    starts = frozenset(i for i in range(len(text)) if word[i] and (i == 0 or not word[i - 1]))
    return _Units(starts, frozenset(i for i in range(1, len(text) + 1) if not word[i]))


def _ja_units(text: str) -> _Units:
    starts, ends, offset = set(), set(), 0
    for chunk in chunks(text):
        for m in _sudachi().tokenize(chunk):
            starts.add(offset + m.begin())
            ends.add(offset + m.end())
        offset += len(chunk)
    return _Units(frozenset(starts), frozenset(ends))


def _ko_units(text: str, morphs) -> _Units:
    spans = tuple((m.start, m.start + m.len, m.tag) for m in morphs)
    spaces = [i for i, c in enumerate(text) if c.isspace()]  # Kiwi keeps some names with a space as one morpheme
    starts = {s for s, _, _ in spans} | {i + 1 for i in spaces}
    ends = {e for _, e, _ in spans} | set(spaces)
    return _Units(frozenset(starts), frozenset(ends), spans)


def _match(text: str, units: _Units, lang: str, index: dict[str, list[tuple[str, Term]]]) -> list[_Match]:
    out, i = [], 0
    while i < len(text):
        found = None
        if i in units.starts:
            found = next((_Match(i, i + len(s), t) for s, t in index.get(text[i], ()) if text.startswith(s, i)
                          and i + len(s) in units.ends and _fits(i, i + len(s), t, units, lang)), None)
        if found is None:
            i += 1
        else:
            out.append(found)
            i = found.end
    return out


def _fits(start: int, end: int, term: Term, units: _Units, lang: str) -> bool:
    """Language-specific checks beyond the boundaries: a short form must be a whole token (a proper
    noun in Korean); a Korean match must hold no particle or ending."""
    if lang == "ja" and term.kind in ("short", "ambiguous"):
        return not any(start < b < end for b in units.starts)
    if lang != "ko":
        return True
    inside = [tag for s, e, tag in units.tags if start <= s and e <= end]
    if term.kind in ("short", "ambiguous"):
        return len(inside) == 1 and inside[0] in _KO_SHORT
    return all(tag in _KO_NOMINAL for tag in inside)


def _attribute(text: str, matches: list[_Match]) -> list[_Match]:
    """Drop an office or home word named right after another name ("中国外務省", "미 국방부", "韓国政府",
    "트럼프 대통령"): it is that name's, which the preceding match already counts (or, for a country
    the gazetteer only lists to block, does not)."""
    out = []
    for prev, m in zip([None, *matches], matches, strict=False):
        qualified = (prev is not None and m.term.kind in ("bodies", "home")
                     and _QUALIFIER_GAP.fullmatch(text[prev.end:m.start]) is not None)
        if not qualified:
            out.append(m)
    return out


def _at_home(m: _Match, home: str) -> _Match:
    if m.term.kind != "home":
        return m
    return _Match(m.start, m.end, Term(m.term.text, (home,) if home in COUNTRIES else (), "home"))


def _passes(m: _Match, entities: list[Entity], rules: NerRules) -> bool:
    """An ambiguous term needs an entity with a confirm label over it. A place or people word falls
    when an entity with a veto label covers it (日本 in 日本生命, Company), a person's name only to a
    non-person label; offices, home words and compounds are not vetoed (ginza calls 経済産業相 a Company)."""
    if m.term.kind == "ambiguous":
        return any(e.label in rules.confirm for e in entities if e.start < m.end and m.start < e.end)
    if m.term.kind not in _VETOED_KINDS:
        return True
    return not any(e.label in rules.veto and not (m.term.kind == "people" and e.label in _PERSON_LABELS)
                   for e in entities if e.start <= m.start and m.end <= e.end)


def _to_mentions(text: str, found: list[_Match], extra: list[_Match]) -> tuple[Mention, ...]:
    tagged = [(m, "ner" if m.term.kind == "ambiguous" else "gazetteer") for m in found] + [(m, "ner") for m in extra]
    return tuple(Mention(c, text[m.start:m.end], m.start, m.end, via)
                 for m, via in sorted(tagged, key=lambda t: (t[0].start, t[0].end)) for c in m.term.countries)
