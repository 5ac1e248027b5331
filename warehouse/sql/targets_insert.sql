-- The rows of the Arrow table `staged` (warehouse.db.insert_staged), matched to the columns by name.
INSERT INTO article_targets BY NAME SELECT * FROM staged
