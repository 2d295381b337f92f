"""Watch HMICFRS inspection pages and alert on changes to grades and findings."""

__version__ = "0.1.0"
