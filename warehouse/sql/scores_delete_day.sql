DELETE FROM article_scores WHERE day = ? AND model_name = ?
