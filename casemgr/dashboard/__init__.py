"""The staff dashboard: KPIs, the case map with its layers, and exports."""
