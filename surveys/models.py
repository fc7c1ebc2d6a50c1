"""Models of the surveys app (filled in by its own issue)."""
