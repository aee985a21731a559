"""Merit: the civil-service recruitment and testing system (web app and domain)."""

__version__ = "0.1.0"
