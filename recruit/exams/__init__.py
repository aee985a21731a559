"""Exam delivery: sittings, bookings, timed attempts with autosave, results."""
