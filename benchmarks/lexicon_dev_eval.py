"""Accuracy of the lexicon baseline on the labelled development data (not shipped: see ../shared/data/README.md).

    .venv/bin/python benchmarks/lexicon_dev_eval.py ../shared/data

Binary sets (NSMC, Economy Watchers sign) use the sign of the score; the others the 3-class label.
Samples are seeded (3,000 rows) so the figures are reproducible.
"""
import csv, sys, random
from models.registry import load_sentiment
csv.field_size_limit(10**8)
m = load_sentiment("sentiment.lexicon.v1")
D = (sys.argv[1] if len(sys.argv) > 1 else "../shared/data").rstrip("/") + "/"
def rows(f): return list(csv.DictReader(open(D + f, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
def report(name, texts, golds, lang, binary=False):
    p = m.predict(texts, [lang] * len(texts))
    preds = p.labels
    if binary:  # NSMC: sign of the score, ties -> positive
        preds = ["negative" if s < 0 else "positive" for s in p.scores]
    acc = sum(a == b for a, b in zip(preds, golds)) / len(golds)
    labs = sorted(set(golds))
    f1s = []
    for l in labs:
        tp = sum(a == l and b == l for a, b in zip(preds, golds)); fp = sum(a == l and b != l for a, b in zip(preds, golds)); fn = sum(a != l and b == l for a, b in zip(preds, golds))
        f1s.append(0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    print(f"{name:38s} n={len(golds):5d} acc={acc:.3f} macroF1={sum(f1s)/len(f1s):.3f}")
random.seed(0)
fp = rows("en_ko_financial_phrasebank_train.tsv")
report("en financial phrasebank (3-class)", [r["text_en"] for r in fp], [r["label"] for r in fp], "en")
report("ko financial phrasebank (3-class)", [r["text_ko"] for r in fp], [r["label"] for r in fp], "ko")
tw = rows("en_tweets_valid.tsv"); report("en tweets (3-class)", [r["text"] for r in tw], [r["label"] for r in tw], "en")
mr = rows("ja_marc_valid.tsv"); report("ja MARC (3-class)", [r["text"] for r in mr], [r["label"] for r in mr], "ja")
ns = random.sample(rows("ko_nsmc_train.tsv"), 3000)
report("ko NSMC sample 3000 (binary, sign)", [r["text"] for r in ns], ["positive" if r["label"] == "1" else "negative" for r in ns], "ko", binary=True)
ew = [r for r in random.sample(rows("ja_economy_watchers_train.tsv"), 3000) if r["score"] != "0"]
report("ja Economy Watchers sample (sign, binary)", [r["text"] for r in ew], ["positive" if int(r["score"]) > 0 else "negative" for r in ew], "ja", binary=True)
