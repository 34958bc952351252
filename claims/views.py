"""Views of the claims app."""
