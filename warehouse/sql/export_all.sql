-- Every row of one analyst table or view (warehouse/export.py's allow-list checks the name; it is bound here,
-- never pasted into the statement).
SELECT * FROM query_table($name)
