"""Channel adapters, the conversation engine, the HTTP app and the CLI (composition root)."""
