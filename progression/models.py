"""Models of progression."""
