DELETE FROM article_embeddings WHERE day = ? AND model_name = ?
