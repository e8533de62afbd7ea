"""newsarchive: turn scraped news articles into a clean, annotated, searchable static archive."""

__version__ = "0.1.0"
