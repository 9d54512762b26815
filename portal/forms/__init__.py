"""WTForms classes, one module per feature; every message comes from messages.py."""
