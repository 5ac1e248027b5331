SELECT count(*) FROM story_copies
