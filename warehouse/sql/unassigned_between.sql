-- Articles start <= day <= end that the sentiment model's run gave no topic, with their stored embedding.
SELECT a.id, a.url, a.canonical_url, a.source, a.source_country, a.lang, a.published_at, a.title, a.text,
       a.content_hash, e.vector
FROM articles a
JOIN article_scores s ON s.article_id = a.id
LEFT JOIN article_embeddings e ON e.article_id = a.id AND e.model_name = ?
WHERE a.day >= ? AND a.day <= ? AND s.model_name = ? AND len(s.topics) = 0
ORDER BY a.id
