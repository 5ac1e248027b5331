SELECT count(*) FROM irrelevant_items
