"""The chat channels: what each needs (``base``) and one package per channel."""
