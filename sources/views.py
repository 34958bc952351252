"""Views of the sources app."""
