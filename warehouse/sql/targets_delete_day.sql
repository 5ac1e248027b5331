DELETE FROM article_targets WHERE day = ? AND model_name = ?
