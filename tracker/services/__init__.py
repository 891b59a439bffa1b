"""Writes and use cases, named by verb; one transaction each, audit log written here."""
