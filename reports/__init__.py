"""Statistics and rendering: pure Python, no web or database imports."""
