INSERT INTO processed_days VALUES (?, ?, ?, ?)
ON CONFLICT (day, model_name) DO UPDATE SET n_articles = excluded.n_articles, finished_at = excluded.finished_at
