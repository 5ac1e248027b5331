CREATE OR REPLACE TEMP TABLE staged_articles AS SELECT * EXCLUDE (ingested_at) FROM articles LIMIT 0
