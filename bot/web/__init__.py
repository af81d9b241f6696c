"""The HTTP app and its pages: the JSON API, the dashboard, the status and privacy pages,
the probes and the hardening every route shares."""
