"""Conversation state machines: channel-neutral Inbound in, Outbound out."""
