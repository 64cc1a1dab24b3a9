"""WTForms classes for every Sapat form."""
