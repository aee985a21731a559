"""The candidate's inbox: every status change, decision and appeal outcome, in the reader's language."""
