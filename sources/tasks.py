"""Tasks of the sources app."""
