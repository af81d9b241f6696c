"""Message catalogs (jinja2 templates keyed by message key), one YAML file per locale."""
