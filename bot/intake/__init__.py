"""Free Chinese text → a structured report: category, severity, flags, people, location, parties, masking."""
