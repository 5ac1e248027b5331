-- Network ingestion (issue 5): what every request did, syndicated copies, irrelevant items.

CREATE TABLE fetch_log (
    fetched_at     TIMESTAMP NOT NULL,       -- when the request started (UTC)
    day            DATE NOT NULL,            -- UTC date of fetched_at
    source         VARCHAR NOT NULL,         -- outlet name, or 'GDELT' for API requests
    kind           VARCHAR NOT NULL,         -- feed / page / gdelt
    url            VARCHAR NOT NULL,         -- as requested
    final_url      VARCHAR,                  -- after redirects
    status         INTEGER,                  -- HTTP status of the last response (NULL: none came)
    outcome        VARCHAR NOT NULL,         -- fetched / not_modified / skipped / rejected / failed
    reason         VARCHAR,                  -- why (skipped, rejected, failed; or a recovered problem)
    items          INTEGER NOT NULL,         -- feed entries, GDELT articles, or 1 for an extracted page
    bytes          BIGINT NOT NULL,
    etag           VARCHAR,                  -- validators for the next conditional GET of a feed
    last_modified  VARCHAR,
    elapsed_ms     INTEGER NOT NULL
);
CREATE INDEX fetch_log_day ON fetch_log (day);
CREATE INDEX fetch_log_url ON fetch_log (url);

CREATE TABLE story_copies (
    story_id           VARCHAR NOT NULL,     -- the stored article standing for the story
    copy_id            VARCHAR NOT NULL,     -- id the copy would have had (hash of its canonical URL)
    copy_url           VARCHAR NOT NULL,
    copy_source        VARCHAR NOT NULL,
    copy_country       VARCHAR NOT NULL,
    copy_published_at  TIMESTAMP NOT NULL,
    similarity         DOUBLE NOT NULL,      -- estimated Jaccard similarity of character shingles
    found_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (story_id, copy_id)
);

CREATE TABLE irrelevant_items (
    article_id     VARCHAR PRIMARY KEY,      -- id the item would have had: counted once however often seen
    source         VARCHAR NOT NULL,
    day            DATE NOT NULL,            -- UTC date of its published time
    first_seen_at  TIMESTAMP NOT NULL
);

-- How many outlets carried each story: the stored article and its syndicated copies.
CREATE VIEW story_reach AS
SELECT a.id AS story_id, a.day, a.source, a.source_country, a.title,
       count(c.copy_id) AS n_copies,
       len(list_distinct(list_concat([a.source], list(c.copy_source)))) AS n_outlets,
       list_distinct(list(c.copy_source)) AS copy_sources
FROM articles a LEFT JOIN story_copies c ON c.story_id = a.id
GROUP BY a.id, a.day, a.source, a.source_country, a.title;

-- Fetched items left out as irrelevant, per source and day.
CREATE VIEW irrelevant_daily AS
SELECT day, source, count(*) AS n_items FROM irrelevant_items GROUP BY day, source;
