"""Competitions: announcements, applications, the multi-hurdle pipeline, commissions, ranking, protocols, appeals."""
