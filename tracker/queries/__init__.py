"""Reads: session first, keyword-only filters, DataFrames or models out, scoped by access."""
