"""Writes of the HR reports: every change of HR data goes through a function here."""
