INSERT INTO emerging_topics (day, cluster_id, rank, label, n_articles, n_outlets, outlets, source_countries, langs,
                             terms, examples, article_ids, cohesion, model_name, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
