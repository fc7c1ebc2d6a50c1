"""Models of the matching app (filled in by its own issue)."""
