"""Reference data: administrative units, position categories, state bodies."""
