INSERT INTO irrelevant_items VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING
