"""Demo data and importers: every way data gets into the tracker besides the web forms."""
