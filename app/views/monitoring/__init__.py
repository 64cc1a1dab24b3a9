"""Pages of the monitoring domain: the dashboard, indicators, справки, reports and profiles
(indicators.py), the cyclogram and interviews (planning.py) and the registers (registers.py)."""
