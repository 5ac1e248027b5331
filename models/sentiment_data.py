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

The split is a hash of a stable key (row id, pair id, document id or text), so it never changes
between runs or machines. Development rows are never used for training, nor for fitting the
calibration temperature (that uses a held-back slice of the training split).
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
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


READERS = (_nsmc, _economy_watchers, _phrasebank, _marc, _chabsa, _tweets)

# How many rows of each set training takes (seeded sample), bounded by what 2 CPU cores train in
# well under an hour; every other training row is left unused, never moved to dev.
TRAIN_CAPS = {"ko_nsmc": 12000, "ja_economy_watchers": 8000, "ja_chabsa": 3000}
# How many development rows the evaluation reads (seeded sample) — enough for +-1-2 point figures.
DEV_CAPS = {"ko_nsmc": 2000, "ja_economy_watchers": 2000}


def train_caps(overrides: Iterable[str]) -> dict[str, int]:
    """TRAIN_CAPS with "SET=ROWS" overrides applied (ROWS 0 = every training row of that set)."""
    caps = dict(TRAIN_CAPS)
    known = {"ko_nsmc", "ja_economy_watchers", "ja_chabsa", "ja_marc", "en_financial_phrasebank",
             "ko_financial_phrasebank"}
    for item in overrides:
        name, _, rows = item.partition("=")
        if name not in known or not rows.isdigit():
            raise ValueError(f"{item!r}: expected SET=ROWS with SET one of {', '.join(sorted(known))}")
        if int(rows) == 0:
            caps.pop(name, None)
        else:
            caps[name] = int(rows)
    return caps


def load(folder: Path | str, split: str, caps: dict[str, int] | None = None, seed: int = 13) -> list[Example]:
    """Every example of `split` from every set, each set capped by a seeded sample."""
    folder = Path(folder)
    caps = (TRAIN_CAPS if split == TRAIN else DEV_CAPS) if caps is None else caps
    out: list[Example] = []
    for read in READERS:
        by_set: dict[str, list[Example]] = {}
        for ex in read(folder):
            if ex.split == split and ex.text:
                by_set.setdefault(ex.dataset, []).append(ex)
        for name, rows in by_set.items():
            cap = caps.get(name)
            if cap is not None and len(rows) > cap:
                rows = random.Random(f"{seed}:{name}").sample(rows, cap)
            out.extend(rows)
    return out
