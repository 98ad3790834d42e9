"""Meerdere bedrijven (handleiding 3.2): an Excel import sent as one ketenmachtiging per row.

imports.py reads the file; services.py stores the import and sends it; tasks.py queues one task
per row; selectors.py reads the progress. The models live in ketenmachtigingen/models.py.
"""
