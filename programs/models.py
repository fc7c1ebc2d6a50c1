"""Models of the programs app (filled in by its own issue)."""
