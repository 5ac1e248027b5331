-- The rows of the Arrow table `staged` (warehouse.db.insert_staged), matched to the columns by name.
INSERT OR REPLACE INTO article_embeddings BY NAME SELECT * FROM staged
