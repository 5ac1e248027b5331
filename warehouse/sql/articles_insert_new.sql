-- Store staged articles not yet known by URL or content hash; returns how many were new.
INSERT INTO articles
SELECT s.*, ? AS ingested_at
FROM staged_articles s
WHERE s.id NOT IN (SELECT id FROM articles)
  AND s.content_hash NOT IN (SELECT content_hash FROM articles)
