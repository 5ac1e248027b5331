"""Language identification from the text itself (lingua, offline), restricted to the languages we expect."""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

CANDIDATES = {"en": Language.ENGLISH, "ja": Language.JAPANESE, "ko": Language.KOREAN, "zh": Language.CHINESE}
UNDETERMINED = "und"


@lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*CANDIDATES.values()).build()


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of the text's language; the declared one only when the text says nothing."""
    sample = text[:2000]
    found = _detector().detect_language_of(sample) if sample.strip() else None
    if found is None:
        return (declared or UNDETERMINED).lower()
    return found.iso_code_639_1.name.lower()

