"""The labelled sentiment sets in ../shared/data, mapped to three classes and split train/dev.

The files are not shipped (see that folder's README); pass their folder on the command line.
Label mappings (the same for training and for evaluation):

* ko_nsmc (movie reviews, 0/1): 0 -> negative, 1 -> positive. No neutral rows; it is
  evaluated as binary (the model's negative vs positive probability).
* ja_economy_watchers (score -2..2): the sign of the score: <0 negative, 0 neutral, >0 positive.
* financial_phrasebank (en + ko, parallel): its labels. A pair goes to the same split in both
  languages, so a translation of a training sentence is never a development sentence.
* ja_marc (1/3/5 stars as negative/neutral/positive): its labels.
* ja_chabsa (sentence labels derived from securities-report opinions): positive/negative/neutral
  rows; "mixed" and blank rows are dropped. Split by document.
* en_tweets (SemEval-2017): development only, never trained on (out-of-domain English check).
* news_tone and news_real (models/tone_data/train.jsonl, shipped with the code): news sentences and
  headlines in en/ja/ko labelled for the *tone of relations news* (models/tone_data/guideline.md),
  kept only where two independent annotators gave the same label — news_tone written for the
  purpose, news_real verbatim from real news of events outside the real-news evaluation set.
  Training only: that evaluation set (models/tone_data/news_eval.jsonl, models/news_eval.py) is
  never read here.

The split is a hash of a stable key (row id, pair id, document id or text), so it never changes
between runs or machines. Development rows are never used for training, nor for fitting the
calibration temperature (that uses a held-back slice of the training split).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
TONE_DIR = Path(__file__).resolve().parent / "tone_data"
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
TRAIN, DEV = "train", "dev"


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    label: str
    dataset: str
    split: str


class MissingData(FileNotFoundError):
    """A labelled file the command needs is not in the data folder."""


def split_of(key: str, dev_percent: int) -> str:
    bucket = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "big") % 100
    return DEV if bucket < dev_percent else TRAIN


def _rows(folder: Path, name: str) -> Iterator[dict]:
    path = folder / name
    if not path.is_file():
        raise MissingData(f"{path} not found: pass the folder holding the labelled .tsv files (--data)")
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


def _nsmc(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "ko_nsmc_train.tsv"):
        if r["text"] and r["text"].strip():
            yield Example(r["text"].strip(), "ko", "positive" if r["label"] == "1" else "negative", "ko_nsmc",
                          split_of("nsmc:" + r["id"], 10))


def _economy_watchers(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "ja_economy_watchers_train.tsv"):
        score = int(r["score"])
        label = "negative" if score < 0 else "positive" if score > 0 else "neutral"
        yield Example(r["text"].strip(), "ja", label, "ja_economy_watchers", split_of("ew:" + r["id"], 10))


def _phrasebank(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "en_ko_financial_phrasebank_train.tsv"):
        split = split_of("fpb:" + r["id"], 20)
        yield Example(r["text_en"].strip(), "en", r["label"], "en_financial_phrasebank", split)
        yield Example(r["text_ko"].strip(), "ko", r["label"], "ko_financial_phrasebank", split)


def _marc(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "ja_marc_valid.tsv"):
        if r["label"] in LABEL_ID:
            yield Example(r["text"].strip(), "ja", r["label"], "ja_marc", split_of("marc:" + r["text"], 20))


def _chabsa(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "ja_chabsa_sentences.tsv"):
        if r["sentence_label"] in LABEL_ID and r["sentence"].strip():
            yield Example(r["sentence"].strip(), "ja", r["sentence_label"], "ja_chabsa",
                          split_of("chabsa:" + r["doc_id"], 10))


def _tweets(folder: Path) -> Iterator[Example]:
    for r in _rows(folder, "en_tweets_valid.tsv"):
        if r["label"] in LABEL_ID:
            yield Example(r["text"].strip(), "en", r["label"], "en_tweets", DEV)


def tone_train_rows() -> Iterator[dict]:
    """The rows of models/tone_data/train.jsonl (tone, and for real sentences topics and targets); none if the
    file is missing."""
    path = TONE_DIR / "train.jsonl"
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def _news_tone(folder: Path) -> Iterator[Example]:
    """The relations-tone training sentences shipped in models/tone_data (not read from `folder`)."""
    for r in tone_train_rows():
        if r["label"] in LABEL_ID and r["text"].strip():
            yield Example(r["text"].strip(), r["lang"], r["label"],
                          "news_real" if r.get("source") == "real" else "news_tone", TRAIN)


READERS = (_nsmc, _economy_watchers, _phrasebank, _marc, _chabsa, _tweets, _news_tone)

# How many rows of each set training takes (seeded sample), bounded by what 2 CPU cores train in
# well under an hour; every other training row is left unused, never moved to dev.
TRAIN_CAPS = {"ko_nsmc": 12000, "ja_economy_watchers": 8000, "ja_chabsa": 3000}
# How many development rows the evaluation reads (seeded sample) — enough for +-1-2 point figures.
DEV_CAPS = {"ko_nsmc": 2000, "ja_economy_watchers": 2000}


TRAINED_SETS = ("ko_nsmc", "ja_economy_watchers", "ja_chabsa", "ja_marc", "en_financial_phrasebank",
                "ko_financial_phrasebank", "news_tone", "news_real")


def train_repeats(overrides: Iterable[str]) -> dict[str, int]:
    """"SET=N" items as {set: N}: the training split of SET is taken N times (N >= 1)."""
    out: dict[str, int] = {}
    for item in overrides:
        name, _, times = item.partition("=")
        if name not in TRAINED_SETS or not times.isdigit() or int(times) < 1:
            raise ValueError(f"{item!r}: expected SET=N (N >= 1) with SET one of {', '.join(sorted(TRAINED_SETS))}")
        out[name] = int(times)
    return out


def train_caps(overrides: Iterable[str]) -> dict[str, int]:
    """TRAIN_CAPS with "SET=ROWS" overrides applied (ROWS 0 = every training row of that set)."""
    caps = dict(TRAIN_CAPS)
    known = set(TRAINED_SETS)
    for item in overrides:
        name, _, rows = item.partition("=")
        if name not in known or not rows.isdigit():
            raise ValueError(f"{item!r}: expected SET=ROWS with SET one of {', '.join(sorted(known))}")
        if int(rows) == 0:
            caps.pop(name, None)
        else:
            caps[name] = int(rows)
    return caps


def check_sets(names: Iterable[str]) -> None:
    """ValueError naming any of `names` that is not a training set."""
    unknown = set(names) - set(TRAINED_SETS)
    if unknown:
        raise ValueError(f"unknown set(s) {', '.join(sorted(unknown))}: choose from {', '.join(TRAINED_SETS)}")


def load(folder: Path | str, split: str, caps: dict[str, int] | None = None, seed: int = 13,
         repeats: dict[str, int] | None = None, skip: Iterable[str] = ()) -> list[Example]:
    """Every example of `split` from every set not in `skip`, each set capped by a seeded sample and taken
    `repeats[set]` times (default once)."""
    check_sets(skip)
    folder = Path(folder)
    caps = (TRAIN_CAPS if split == TRAIN else DEV_CAPS) if caps is None else caps
    out: list[Example] = []
    for read in READERS:
        by_set: dict[str, list[Example]] = {}
        for ex in read(folder):
            if ex.split == split and ex.text:
                by_set.setdefault(ex.dataset, []).append(ex)
        for name, rows in by_set.items():
            if name in skip:
                continue
            cap = caps.get(name)
            if cap is not None and len(rows) > cap:
                rows = random.Random(f"{seed}:{name}").sample(rows, cap)
            out.extend(rows * (repeats or {}).get(name, 1))
    return out
