-- Alerting (issue 6): rules with scopes and explanations, alert episodes with their daily states and
-- transitions, and a delivery log. Existing rule hits, alerts and notifications are carried over.

CREATE TABLE rule_hits_v5 (
    day             DATE NOT NULL,
    rule            VARCHAR NOT NULL,
    topic           VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,         -- source country
    target_country  VARCHAR NOT NULL,         -- 'all' until targets are scored
    model_name      VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,         -- threshold / baseline / volume
    metric          VARCHAR NOT NULL,         -- share_negative, mean_sentiment, n_articles, n_negative
    direction       VARCHAR NOT NULL,         -- above / below
    severity        VARCHAR NOT NULL,         -- warning / critical
    observed        DOUBLE NOT NULL,          -- metric (threshold), robust z (baseline), ratio to expected (volume)
    threshold       DOUBLE NOT NULL,          -- warning threshold, same scale as observed
    critical        DOUBLE,
    baseline        DOUBLE,                   -- trailing median of the metric, or of the topic's share (volume)
    spread          DOUBLE,                   -- scaled MAD of the trailing window (baseline)
    value           DOUBLE,                   -- the metric's own value that day
    n_articles      INTEGER NOT NULL,
    n_negative      INTEGER NOT NULL,
    n_outlets       INTEGER NOT NULL,
    n_total         INTEGER NOT NULL,         -- all articles of the source country that day (volume)
    history_days    INTEGER NOT NULL,         -- points in the trailing window
    evidence        VARCHAR[] NOT NULL,       -- article ids, most negative first
    PRIMARY KEY (day, rule, topic, country, target_country, model_name)
);
INSERT INTO rule_hits_v5
SELECT day, rule, topic, country, 'all', model_name,
       CASE WHEN rule = 'negative_surge' THEN 'baseline' ELSE 'threshold' END,
       CASE WHEN rule = 'negative_surge' THEN 'n_negative' ELSE 'share_negative' END,
       'above', severity, observed, threshold, NULL, baseline, NULL, NULL, n_articles, 0, 0, 0, 0, evidence
FROM rule_hits;
DROP TABLE rule_hits;
ALTER TABLE rule_hits_v5 RENAME TO rule_hits;

CREATE TABLE alerts_v5 (
    id              VARCHAR PRIMARY KEY,      -- stable: rule, topic, countries, model, opening day
    day             DATE NOT NULL,            -- the day the episode opened
    rule            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    metric          VARCHAR NOT NULL,
    direction       VARCHAR NOT NULL,
    topic           VARCHAR NOT NULL,
    country         VARCHAR NOT NULL,         -- source country
    target_country  VARCHAR NOT NULL,
    model_name      VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,         -- the highest reached
    status          VARCHAR NOT NULL,         -- open / closed
    last_hit_day    DATE NOT NULL,
    closed_day      DATE,
    n_hit_days      INTEGER NOT NULL,
    calm_days       INTEGER NOT NULL,         -- run days since the last hit
    peak_day        DATE,                     -- the day of the peak hit; the columns below are that hit's
    observed        DOUBLE NOT NULL,
    threshold       DOUBLE NOT NULL,
    critical        DOUBLE,
    baseline        DOUBLE,
    spread          DOUBLE,
    value           DOUBLE,
    n_articles      INTEGER NOT NULL,
    n_negative      INTEGER NOT NULL,
    n_outlets       INTEGER NOT NULL,
    n_total         INTEGER NOT NULL,
    evidence        VARCHAR[] NOT NULL,       -- article ids that drove it, the peak's first
    updated_at      TIMESTAMP NOT NULL
);
INSERT INTO alerts_v5
SELECT id, day, rule,
       CASE WHEN rule = 'negative_surge' THEN 'baseline' ELSE 'threshold' END,
       CASE WHEN rule = 'negative_surge' THEN 'n_negative' ELSE 'share_negative' END,
       'above', topic, country, 'all', model_name, severity, status, last_hit_day, closed_day, n_hit_days,
       (SELECT count(*) FROM processed_days p WHERE p.model_name = a.model_name AND p.day > a.last_hit_day
            AND (a.closed_day IS NULL OR p.day <= a.closed_day)),
       NULL, observed, threshold, NULL, baseline, NULL, NULL, 0, 0, 0, 0, evidence, updated_at
FROM alerts a;
DROP VIEW IF EXISTS open_alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v5 RENAME TO alerts;
CREATE VIEW open_alerts AS
SELECT * FROM alerts WHERE status = 'open' ORDER BY day DESC, severity DESC;

-- The open episodes at the end of each run day: where an incremental run (or a rerun) starts from.
CREATE TABLE alert_states AS SELECT CAST(NULL AS DATE) AS as_of, * EXCLUDE (updated_at) FROM alerts LIMIT 0;
ALTER TABLE alert_states ALTER COLUMN as_of SET NOT NULL;
ALTER TABLE alert_states ADD PRIMARY KEY (as_of, id);
INSERT INTO alert_states
SELECT (SELECT max(p.day) FROM processed_days p WHERE p.model_name = a.model_name), * EXCLUDE (updated_at)
FROM alerts a WHERE status = 'open'
  AND EXISTS (SELECT 1 FROM processed_days p WHERE p.model_name = a.model_name);

CREATE TABLE alert_transitions (
    alert_id           VARCHAR NOT NULL,
    day                DATE NOT NULL,
    event              VARCHAR NOT NULL,      -- opened / escalated / closed
    model_name         VARCHAR NOT NULL,
    severity           VARCHAR NOT NULL,      -- after the transition
    previous_severity  VARCHAR,
    observed           DOUBLE,                -- the hit behind it (NULL when the episode closed)
    threshold          DOUBLE,
    baseline           DOUBLE,
    spread             DOUBLE,
    value              DOUBLE,
    n_articles         INTEGER,
    n_negative         INTEGER,
    n_outlets          INTEGER,
    n_total            INTEGER,
    evidence           VARCHAR[] NOT NULL,
    PRIMARY KEY (alert_id, day, event)
);
INSERT INTO alert_transitions
SELECT id, day, 'opened', model_name, severity, NULL, observed, threshold, baseline, NULL, NULL, NULL, NULL,
       NULL, NULL, evidence FROM alerts;
INSERT INTO alert_transitions
SELECT id, closed_day, 'closed', model_name, severity, severity, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, [] FROM alerts WHERE closed_day IS NOT NULL;

CREATE TABLE deliveries (
    alert_id    VARCHAR NOT NULL,
    event       VARCHAR NOT NULL,             -- the transition notified: opened / escalated
    day         DATE NOT NULL,                -- the transition's day
    channel     VARCHAR NOT NULL,             -- log, prefect, webhook:NAME, email
    attempt     INTEGER NOT NULL,             -- 1, 2, ... within one delivery run
    status      VARCHAR NOT NULL,             -- sent / failed / skipped
    error       VARCHAR,                      -- why it failed or was skipped
    logged_at   TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_alert ON deliveries (alert_id, channel);
INSERT INTO deliveries
SELECT n.alert_id, n.event, coalesce(a.day, CAST(n.sent_at AS DATE)), n.channel, 1, 'sent', NULL, n.sent_at
FROM notifications n LEFT JOIN alerts a ON a.id = n.alert_id;
DROP TABLE notifications;
