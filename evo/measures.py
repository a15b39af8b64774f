"""The registry of recorded measures: shared vocabulary (placeholder, filled in the next commit)."""
