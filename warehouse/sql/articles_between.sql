-- Articles of days start <= day < end (the stored stories new items are compared with).
SELECT id, url, canonical_url, source, source_country, lang, published_at, title, text, content_hash
FROM articles WHERE day >= ? AND day < ? ORDER BY published_at, id
