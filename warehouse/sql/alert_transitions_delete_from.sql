DELETE FROM alert_transitions WHERE model_name = ? AND day >= ?
