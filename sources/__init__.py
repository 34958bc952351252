"""Who speaks, and where it was said: actors, aliases, affiliations, documents."""
