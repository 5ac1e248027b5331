"""Language identification from the text itself (lingua, offline), restricted to the languages we expect,
with the script rules lingua cannot know.

* Kana is written only in Japanese and hangul only in Korean, so a text with a share of either is that
  language, whatever a statistical detector says.
* Han characters alone (a Japanese headline of nouns such as 「韓国大統領、竹島上陸」, without a single kana)
  look Chinese to lingua. Such a text keeps the language its row or outlet declares when that is ja or ko,
  unless it is written in simplified Chinese forms.
* A declared language is otherwise kept unless the detector is confident the text is another one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

CANDIDATES = {"en": Language.ENGLISH, "ja": Language.JAPANESE, "ko": Language.KOREAN, "zh": Language.CHINESE}
UNDETERMINED = "und"
# The detector's confidence above which its answer overrides a declared language.
OVERRIDE_CONFIDENCE = 0.9
# Share of the letters that must be kana (or hangul) for the script to decide the language.
SCRIPT_SHARE = 0.05

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Common simplified-Chinese forms that Japanese and Korean do not write (their forms: 們, 這, 對/対, 韓 …): two of
# them make a Han-only text Chinese whatever it declares.
_SIMPLIFIED = frozenset("们这说对时没为发问过还进经现实开门见车东头书读买卖语话认让议协题边达样该华习电龙员亚韩军后从众业产决统总织领导谈")


@lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*CANDIDATES.values()).build()


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of the text's language. `declared` (the row's `lang`, or its outlet's language) is kept
    when the text says nothing, when it is Han characters only and `declared` is ja or ko, and whenever the
    detector is not confident of another language."""
    declared = declared.strip().lower() if declared and declared.strip() else None
    sample = text[:2000].encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot reach lingua
    letters = sum(ch.isalpha() for ch in sample)
    if not letters:
        return declared or UNDETERMINED
    kana, hangul, han = (len(p.findall(sample)) for p in (_KANA, _HANGUL, _HAN))
    if hangul >= SCRIPT_SHARE * letters and hangul >= kana:
        return "ko"
    if kana >= SCRIPT_SHARE * letters:
        return "ja"
    if han >= 0.5 * letters and declared in ("ja", "ko"):
        return "zh" if sum(ch in _SIMPLIFIED for ch in sample) >= 2 else declared
    confidences = _detector().compute_language_confidence_values(sample)
    if not confidences:
        return declared or UNDETERMINED
    best = confidences[0]
    found = best.language.iso_code_639_1.name.lower()
    if declared is None or found == declared or best.value >= OVERRIDE_CONFIDENCE:
        return found
    return declared
