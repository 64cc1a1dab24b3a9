"""The monitoring programme: indicator catalogue and calculators, registers, the cyclogram
and reports. Nothing here reads the request; views call these functions."""
