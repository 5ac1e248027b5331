-- Episodes a replay from this day will rebuild (those opened on or after it).
DELETE FROM alerts WHERE model_name = ? AND day >= ?
