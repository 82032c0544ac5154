"""Watchlists: YAML (schema, load), folding (normalize), the compiled matcher and its reference."""
