"""Label mappings and the train/dev split of the labelled sets, on small files written by the test."""

import pytest

from models.sentiment_data import DEV, TRAIN, MissingData, load, split_of

HEADERS = {
    "ko_nsmc_train.tsv": ("id\ttext\tlabel\trating", ["1\t최고의 영화\t1\t10", "2\t시간 낭비\t0\t1", "3\t \t0\t2"]),
    "ja_economy_watchers_train.tsv": ("id\tyear_month\tmark\tscore\ttext",
                                      ["a\t201306\t◎\t2\t売上が伸びた", "b\t201306\t□\t0\t変わらない",
                                       "c\t201306\t×\t-2\t客が来ない"]),
    "en_ko_financial_phrasebank_train.tsv": ("id\tlabel\ttext_en\ttext_ko",
                                             ["0\tpositive\tProfit rose.\t이익이 늘었다.",
                                              "1\tnegative\tSales fell.\t매출이 줄었다."]),
    "ja_marc_valid.tsv": ("text\tlabel", ["最高です\tpositive", "普通\tneutral", "壊れた\tnegative"]),
    "ja_chabsa_sentences.tsv": ("doc_id\tcompany\tsentence_id\tsentence\tn_opinions\tsentence_label",
                                ["E1\tX\t0\t増収となった\t1\tpositive", "E1\tX\t1\t増減あり\t2\tmixed",
                                 "E2\tY\t0\t減収となった\t1\tnegative"]),
    "en_tweets_valid.tsv": ("text\tlabel", ["great day\tpositive"]),
}


@pytest.fixture
def data(tmp_path):
    for name, (header, rows) in HEADERS.items():
        (tmp_path / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return tmp_path


def test_labels_are_mapped_to_three_classes_and_every_row_lands_in_exactly_one_split(data):
    rows = [r for r in load(data, TRAIN, caps={}) + load(data, DEV, caps={}) if not r.dataset.startswith("news_")]
    got = {(r.dataset, r.text): r.label for r in rows}
    assert got[("ko_nsmc", "최고의 영화")] == "positive" and got[("ko_nsmc", "시간 낭비")] == "negative"
    assert got[("ja_economy_watchers", "変わらない")] == "neutral"
    assert got[("ja_economy_watchers", "客が来ない")] == "negative"
    assert got[("ko_financial_phrasebank", "매출이 줄었다.")] == "negative"
    assert ("ja_chabsa", "増減あり") not in got  # "mixed" is dropped
    assert ("ko_nsmc", "") not in got  # blank texts are dropped
    assert len(rows) == len({(r.dataset, r.text) for r in rows}) == 15
    assert all(r.split == DEV for r in rows if r.dataset == "en_tweets")


def test_news_tone_rows_are_training_only_and_no_real_news_evaluation_text_is_among_them(data):
    from models.news_eval import read

    tone = [r for r in load(data, TRAIN, caps={}) if r.dataset in ("news_tone", "news_real")]
    assert len(tone) > 1000 and {r.lang for r in tone} == {"en", "ja", "ko"}
    assert {r.label for r in tone} == {"negative", "neutral", "positive"}
    assert not any(r.dataset.startswith("news_") for r in load(data, DEV, caps={}))
    evaluation = {" ".join(it.text.split()) for it in read(None)}
    assert len(evaluation) > 900
    assert not evaluation & {" ".join(r.text.split()) for r in tone}


def test_repeats_take_a_set_several_times_and_refuse_bad_counts(data):
    from models.sentiment_data import train_repeats

    once = load(data, TRAIN, caps={})
    thrice = load(data, TRAIN, caps={}, repeats=train_repeats(["news_tone=3"]))
    count = lambda rows, name: sum(r.dataset == name for r in rows)  # noqa: E731
    assert count(thrice, "news_tone") == 3 * count(once, "news_tone")
    assert count(thrice, "ko_nsmc") == count(once, "ko_nsmc")
    for bad in ("news_tone=0", "news=2", "news_tone"):
        with pytest.raises(ValueError, match="SET=N"):
            train_repeats([bad])


def test_a_translation_pair_never_straddles_the_split(data):
    rows = load(data, TRAIN, caps={}) + load(data, DEV, caps={})
    split = {r.text: r.split for r in rows if r.dataset.endswith("financial_phrasebank")}
    assert split["Profit rose."] == split["이익이 늘었다."] and split["Sales fell."] == split["매출이 줄었다."]


def test_the_split_is_a_stable_hash_near_its_share():
    keys = [f"nsmc:{i}" for i in range(5000)]
    assert [split_of(k, 10) for k in keys[:50]] == [split_of(k, 10) for k in keys[:50]]
    share = sum(split_of(k, 10) == DEV for k in keys) / len(keys)
    assert 0.08 < share < 0.12


def test_a_missing_file_names_the_folder(tmp_path):
    with pytest.raises(MissingData, match=str(tmp_path)):
        load(tmp_path, TRAIN)


def test_train_caps_take_set_overrides_and_zero_means_every_row(data):
    from models.sentiment_data import TRAIN_CAPS, train_caps

    caps = train_caps(["ko_nsmc=0", "ja_economy_watchers=4000", "ja_marc=7"])
    assert "ko_nsmc" not in caps and caps["ja_economy_watchers"] == 4000 and caps["ja_marc"] == 7
    assert caps["ja_chabsa"] == TRAIN_CAPS["ja_chabsa"] and train_caps([]) == TRAIN_CAPS
    one = load(data, TRAIN, caps=train_caps(["ja_economy_watchers=1"]))
    assert sum(r.dataset == "ja_economy_watchers" for r in one) == 1
    for bad in ("nsmc=10", "ko_nsmc", "ko_nsmc=-1", "ko_nsmc=many"):
        with pytest.raises(ValueError, match="SET=ROWS"):
            train_caps([bad])


def test_train_sentiment_refuses_a_bad_cap_before_loading_anything(data, tmp_path):
    from typer.testing import CliRunner

    from tremor.cli import app

    result = CliRunner().invoke(app, ["train", "sentiment", "--data", str(data), "--out", str(tmp_path / "out"),
                                      "--cap", "nsmc=10"])
    assert result.exit_code == 2 and "SET=ROWS" in result.output
    assert not (tmp_path / "out").exists()


def test_train_sentiment_refuses_an_init_it_cannot_continue_and_an_unknown_precision(data, tmp_path):
    import json

    from typer.testing import CliRunner

    from models.e5_classifier import ADAPTER_FILES, lora_target
    from tremor.cli import app

    init = tmp_path / "init"
    init.mkdir()
    for name in ADAPTER_FILES:
        (init / name).write_text("{}")
    (init / "adapter_config.json").write_text(json.dumps({"r": 16, "lora_alpha": 32, "target_modules": lora_target(8)}))
    command = ["train", "sentiment", "--data", str(data), "--out", str(tmp_path / "out"), "--init", str(init)]
    narrower = CliRunner(env={"COLUMNS": "300"}).invoke(app, command + ["--top-layers", "6"])
    assert narrower.exit_code == 2 and "larger --top-layers" in narrower.output
    fp16 = CliRunner().invoke(app, command + ["--top-layers", "8", "--precision", "fp16"])
    assert fp16.exit_code == 2 and "fp32 or bf16" in fp16.output
    missing = CliRunner(env={"COLUMNS": "300"}).invoke(app, command[:-1] + [str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "artefacts missing" in missing.output
    assert not (tmp_path / "out").exists()


def test_train_average_refuses_a_single_pass_before_loading_anything(data, tmp_path):
    from typer.testing import CliRunner

    from tremor.cli import app

    runner, options = CliRunner(env={"COLUMNS": "300"}), ["--data", str(data), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, ["train", "average", str(tmp_path / "nothing"), *options])
    assert result.exit_code == 2 and "at least two passes" in result.output
    missing = runner.invoke(app, ["train", "average", str(tmp_path / "a"), str(tmp_path / "b"), *options])
    assert missing.exit_code == 2 and "artefacts missing" in missing.output
    assert not (tmp_path / "out").exists()


def test_skip_leaves_sets_out_and_names_an_unknown_one(data):
    rows = load(data, TRAIN, caps={}, skip=("news_tone", "news_real"))
    assert rows and not any(r.dataset.startswith("news_") for r in rows)
    with pytest.raises(ValueError, match="unknown set"):
        load(data, TRAIN, skip=("news",))
