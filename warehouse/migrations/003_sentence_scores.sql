-- Per-sentence sentiment: the evidence behind each article's score (issue 3).

CREATE TABLE sentence_scores (
    article_id       VARCHAR NOT NULL,
    model_name       VARCHAR NOT NULL,
    sentence_no      INTEGER NOT NULL,       -- 0 = the title when the article has one
    day              DATE NOT NULL,
    start_char       INTEGER NOT NULL,       -- offsets into the title (sentence 0) or the body
    end_char         INTEGER NOT NULL,
    text             VARCHAR NOT NULL,
    sentiment_label  VARCHAR,                -- NULL = language unsupported by the model
    sentiment_score  DOUBLE,                 -- P(positive) - P(negative), or the lexicon score
    p_negative       DOUBLE,                 -- calibrated probabilities (NULL for the lexicon)
    p_neutral        DOUBLE,
    p_positive       DOUBLE,
    model_version    VARCHAR NOT NULL,
    PRIMARY KEY (article_id, model_name, sentence_no)
);

CREATE VIEW sentence_evidence AS
SELECT a.day, a.source, a.source_country, a.lang, a.title, a.url, s.sentence_no, s.text,
       s.sentiment_label, s.sentiment_score, s.p_negative, s.p_neutral, s.p_positive,
       s.model_name, s.model_version, s.article_id
FROM sentence_scores s JOIN articles a ON a.id = s.article_id;
