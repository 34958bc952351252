"""Tasks of the claims app."""
