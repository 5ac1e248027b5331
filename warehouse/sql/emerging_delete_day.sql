DELETE FROM emerging_topics WHERE day = ?
