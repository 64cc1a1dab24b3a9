"""Forms of the monitoring domain: indicators, the cyclogram and interviews, the registers."""
