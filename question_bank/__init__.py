"""Item-bank engine: pure Python, no web or database imports."""
