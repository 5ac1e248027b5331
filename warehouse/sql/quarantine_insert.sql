INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
