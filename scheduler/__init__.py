"""The outbox dispatcher and the timers that make the product proactive."""
