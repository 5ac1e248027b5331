-- The rows of the Arrow table `staged` (warehouse.db.insert_staged), matched to the columns by name.
INSERT INTO rule_hits BY NAME SELECT * FROM staged
