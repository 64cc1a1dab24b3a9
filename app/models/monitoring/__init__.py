"""The monitoring domain's tables: indicators and their values, the cyclogram and interviews,
and the registers."""
