"""Package data (label lists) and data helpers."""
