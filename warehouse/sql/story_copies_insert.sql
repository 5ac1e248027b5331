INSERT INTO story_copies VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (story_id, copy_id) DO NOTHING
