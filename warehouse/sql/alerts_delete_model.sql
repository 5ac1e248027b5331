DELETE FROM alerts WHERE model_name = ?
