DELETE FROM alert_states WHERE model_name = ? AND as_of >= ?
