"""The aggregation module: one XlsxWriter builder per workbook on a shared core (core.py)."""
