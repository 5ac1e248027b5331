-- The day's most negative and most positive scored stories per source country (n of each).
WITH ranked AS (
    SELECT a.id, a.day, a.source, a.source_country, a.lang, a.title, a.url, s.sentiment_label, s.sentiment_score,
           row_number() OVER (PARTITION BY a.source_country ORDER BY s.sentiment_score, a.id) AS most_negative,
           row_number() OVER (PARTITION BY a.source_country ORDER BY s.sentiment_score DESC, a.id) AS most_positive
    FROM articles a JOIN article_scores s ON s.article_id = a.id
    WHERE a.day = ? AND s.model_name = ? AND s.sentiment_score IS NOT NULL
)
SELECT id, day, source, source_country, lang, title, url, sentiment_label, sentiment_score,
       most_negative <= ? AS negative_pick, most_positive <= ? AS positive_pick
FROM ranked
WHERE most_negative <= ? OR most_positive <= ?
ORDER BY source_country, sentiment_score
