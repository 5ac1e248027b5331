-- Issue 4: topic confidences and evidence, country targets, target-aware sentiment, and indicators per
-- source country → target country × topic.

-- Topic assignment: which model assigned the topics, and per topic its confidence, keywords and
-- prototype cosine: {"forced_labour": {"confidence": 0.93, "keywords": ["徴用工"], "similarity": 0.88}}.
ALTER TABLE article_scores ADD COLUMN topic_model VARCHAR;      -- e.g. topics.e5-keyword.v1@1; NULL before 006
ALTER TABLE article_scores ADD COLUMN topic_evidence JSON;

-- Countries each sentence is about (JP, KR, US, KP, CN), from NER and the gazetteer.
ALTER TABLE sentence_scores ADD COLUMN targets VARCHAR[];      -- NULL: scored before targets existed

-- Sentiment toward each country an article talks about: the sentences that mention it, rolled up.
CREATE TABLE article_targets (
    article_id       VARCHAR NOT NULL,
    model_name       VARCHAR NOT NULL,       -- the sentiment model
    target_country   VARCHAR NOT NULL,
    day              DATE NOT NULL,
    n_sentences      INTEGER NOT NULL,       -- sentences that mention the target
    mentions         VARCHAR[] NOT NULL,     -- the words that named it, e.g. ['Tokyo', 'Japanese']
    sentiment_label  VARCHAR,
    sentiment_score  DOUBLE,
    p_negative       DOUBLE,
    p_neutral        DOUBLE,
    p_positive       DOUBLE,
    model_version    VARCHAR NOT NULL,
    PRIMARY KEY (article_id, model_name, target_country)
);

-- Embeddings of each article's headline and lead (the topic model's input), kept for the emerging-issue
-- step's trailing window and for analysts' similarity searches (list_cosine_similarity).
CREATE TABLE article_embeddings (
    article_id  VARCHAR NOT NULL,
    model_name  VARCHAR NOT NULL,            -- the encoder, e.g. embedding.e5-small.v1
    day         DATE NOT NULL,
    vector      FLOAT[384] NOT NULL,         -- unit length: a dot product is a cosine
    PRIMARY KEY (article_id, model_name)
);

-- daily_indicators gains target_country ('all' = the article's overall sentiment, as before).
CREATE TABLE daily_indicators_006 (
    day             DATE NOT NULL,
    topic           VARCHAR NOT NULL,
    source_country  VARCHAR NOT NULL,
    target_country  VARCHAR NOT NULL,         -- country the sentiment is toward, or 'all'
    lang            VARCHAR NOT NULL,
    model_name      VARCHAR NOT NULL,
    n_articles      INTEGER NOT NULL,
    n_scored        INTEGER NOT NULL,
    n_negative      INTEGER NOT NULL,
    n_outlets       INTEGER NOT NULL,
    mean_sentiment  DOUBLE,
    share_negative  DOUBLE,
    baseline_mean   DOUBLE,
    baseline_std    DOUBLE,
    baseline_days   INTEGER NOT NULL,
    z_negative      DOUBLE,
    evidence        VARCHAR[] NOT NULL,
    computed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (day, topic, source_country, target_country, lang, model_name)
);
INSERT INTO daily_indicators_006
SELECT day, topic, source_country, 'all', lang, model_name, n_articles, n_scored, n_negative, n_outlets,
       mean_sentiment, share_negative, baseline_mean, baseline_std, baseline_days, z_negative, evidence, computed_at
FROM daily_indicators;
DROP TABLE daily_indicators;
ALTER TABLE daily_indicators_006 RENAME TO daily_indicators;

-- Analysts: who says what about whom.
CREATE VIEW target_sentiment AS
SELECT a.day, a.source, a.source_country, a.lang, t.target_country, s.topics, t.sentiment_label,
       t.sentiment_score, t.p_negative, t.p_neutral, t.p_positive, t.n_sentences, t.mentions, a.title, a.url,
       t.model_name, t.model_version, t.article_id
FROM article_targets t
JOIN articles a ON a.id = t.article_id
JOIN article_scores s ON s.article_id = t.article_id AND s.model_name = t.model_name;
