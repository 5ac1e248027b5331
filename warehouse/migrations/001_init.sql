-- Tremor warehouse, version 1. All timestamps are UTC (naive TIMESTAMP columns).

CREATE TABLE articles (
    id              VARCHAR PRIMARY KEY,      -- hash of the canonical URL
    url             VARCHAR NOT NULL,
    canonical_url   VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,         -- outlet name
    source_country  VARCHAR NOT NULL,         -- from the sources registry: KR, JP, US, ... or 'unknown'
    lang            VARCHAR NOT NULL,         -- detected from the text: en, ja, ko, zh or 'und'
    published_at    TIMESTAMP NOT NULL,
    day             DATE NOT NULL,            -- UTC date of published_at: the daily grain
    title           VARCHAR NOT NULL,
    text            VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,
    ingested_at     TIMESTAMP NOT NULL
);
CREATE INDEX articles_day ON articles (day);
CREATE INDEX articles_hash ON articles (content_hash);

CREATE TABLE article_scores (
    article_id        VARCHAR NOT NULL,
    day               DATE NOT NULL,
    sentiment_label   VARCHAR,                -- negative / neutral / positive; NULL = language unsupported
    sentiment_score   DOUBLE,                 -- in [-1, 1]
    topics            VARCHAR[] NOT NULL,     -- taxonomy topic ids, most evidenced first
    topic_terms       JSON NOT NULL,          -- topic id -> keywords found
    model_name        VARCHAR NOT NULL,       -- e.g. sentiment.lexicon.v1
    model_version     VARCHAR NOT NULL,
    taxonomy_version  VARCHAR NOT NULL,
    scored_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, model_name)
);

CREATE TABLE daily_indicators (
    day             DATE NOT NULL,
    topic           VARCHAR NOT NULL,         -- topic id or 'all'
    source_country  VARCHAR NOT NULL,         -- country or 'all'
    lang            VARCHAR NOT NULL,         -- language or 'all'
    model_name      VARCHAR NOT NULL,
    n_articles      INTEGER NOT NULL,
    n_scored        INTEGER NOT NULL,
    n_negative      INTEGER NOT NULL,
    n_outlets       INTEGER NOT NULL,
    mean_sentiment  DOUBLE,
    share_negative  DOUBLE,
    baseline_mean   DOUBLE,                   -- trailing mean of n_negative
    baseline_std    DOUBLE,
    baseline_days   INTEGER NOT NULL,
    z_negative      DOUBLE,                   -- z-score of n_negative against the trailing window
    evidence        VARCHAR[] NOT NULL,       -- most negative article ids of the day
    computed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (day, topic, source_country, lang, model_name)
);

CREATE TABLE rule_hits (
    day         DATE NOT NULL,
    rule        VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    country     VARCHAR NOT NULL,
    model_name  VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL,
    observed    DOUBLE NOT NULL,
    threshold   DOUBLE NOT NULL,
    baseline    DOUBLE,
    n_articles  INTEGER NOT NULL,
    evidence    VARCHAR[] NOT NULL,
    PRIMARY KEY (day, rule, topic, country, model_name)
);

CREATE TABLE alerts (
    id            VARCHAR PRIMARY KEY,        -- stable: rule, topic, country, model, opening day
    day           DATE NOT NULL,              -- the day the episode opened
    rule          VARCHAR NOT NULL,
    topic         VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    model_name    VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,           -- the highest reached
    observed      DOUBLE NOT NULL,            -- the peak value
    threshold     DOUBLE NOT NULL,
    baseline      DOUBLE,
    status        VARCHAR NOT NULL,           -- open / closed
    last_hit_day  DATE NOT NULL,
    closed_day    DATE,
    n_hit_days    INTEGER NOT NULL,
    evidence      VARCHAR[] NOT NULL,         -- article ids that drove it
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE notifications (
    alert_id  VARCHAR NOT NULL,
    channel   VARCHAR NOT NULL,
    event     VARCHAR NOT NULL,               -- opened
    sent_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_id, channel, event)
);

CREATE TABLE quarantine (
    id              VARCHAR PRIMARY KEY,      -- hash of file name, line and raw bytes
    source_file     VARCHAR NOT NULL,
    line_no         INTEGER NOT NULL,
    reason          VARCHAR NOT NULL,
    raw             VARCHAR NOT NULL,         -- first 2,000 bytes, undecodable bytes replaced
    quarantined_at  TIMESTAMP NOT NULL
);

CREATE TABLE processed_days (
    day          DATE NOT NULL,
    model_name   VARCHAR NOT NULL,
    n_articles   INTEGER NOT NULL,
    finished_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (day, model_name)
);
