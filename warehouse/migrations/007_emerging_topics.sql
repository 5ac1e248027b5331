-- Emerging issues (issue 4): clusters of relevant articles that no taxonomy topic claimed, one set per day,
-- for an analyst to see an issue the taxonomy does not know yet.

CREATE TABLE emerging_topics (
    day               DATE NOT NULL,            -- the run day (the articles may include a few days before it)
    cluster_id        VARCHAR NOT NULL,         -- stable within the day: 2026-11-30-c1 is the day's largest
    rank              INTEGER NOT NULL,         -- 1, 2, ... by size
    label             VARCHAR NOT NULL,         -- top terms of each language, e.g. 'whaling, fin / 捕鯨, ナガスクジラ'
    n_articles        INTEGER NOT NULL,
    n_outlets         INTEGER NOT NULL,
    outlets           VARCHAR[] NOT NULL,       -- most articles first
    source_countries  VARCHAR[] NOT NULL,       -- most articles first
    langs             VARCHAR[] NOT NULL,       -- most articles first
    terms             JSON NOT NULL,            -- lang -> top terms by c-TF-IDF, best first
    examples          VARCHAR[] NOT NULL,       -- article ids nearest the cluster's centroid, nearest first
    article_ids       VARCHAR[] NOT NULL,       -- every member, nearest first
    cohesion          DOUBLE NOT NULL,          -- mean cosine between two members (embeddings centred per language)
    model_name        VARCHAR NOT NULL,         -- the embedding model, e.g. embedding.e5-small.v1
    created_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (day, cluster_id)
);

-- One row per example article, with what an analyst reads (articles no longer stored are left out).
CREATE VIEW emerging_examples AS
SELECT x.day, x.cluster_id, x.rank, x.position, a.id AS article_id, a.source, a.source_country, a.lang,
       a.published_at, a.title, a.url
FROM (SELECT day, cluster_id, rank, unnest(examples) AS article_id, generate_subscripts(examples, 1) AS position
      FROM emerging_topics) x
JOIN articles a ON a.id = x.article_id
ORDER BY x.day, x.rank, x.position;

-- The candidates of the latest day that has any, largest first, with their example titles.
CREATE VIEW emerging_topics_latest AS
SELECT e.day, e.rank, e.cluster_id, e.label, e.n_articles, e.n_outlets, e.outlets, e.source_countries, e.langs,
       e.terms, e.cohesion,
       coalesce((SELECT list(x.title ORDER BY x.position) FROM emerging_examples x
                 WHERE x.day = e.day AND x.cluster_id = e.cluster_id), []) AS example_titles,
       e.examples, e.model_name
FROM emerging_topics e
WHERE e.day = (SELECT max(day) FROM emerging_topics)
ORDER BY e.rank;
