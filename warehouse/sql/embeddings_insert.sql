INSERT OR REPLACE INTO article_embeddings (article_id, model_name, day, vector) VALUES (?, ?, ?, ?)
