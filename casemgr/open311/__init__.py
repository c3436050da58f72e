"""The Open311 GeoReport v2 face of cases: services, requests, updates and API keys."""
