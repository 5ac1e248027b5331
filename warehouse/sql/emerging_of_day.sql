SELECT day, rank, article_ids, outlets, source_countries, langs, CAST(terms AS VARCHAR), examples, cohesion, label,
       model_name
FROM emerging_topics
WHERE day = ?
ORDER BY rank
