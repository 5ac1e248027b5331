DELETE FROM rule_hits WHERE day = ? AND model_name = ?
