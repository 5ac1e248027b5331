SELECT id, url, canonical_url, source, source_country, lang, published_at, title, text, content_hash
FROM articles WHERE day = ? ORDER BY published_at, id
