"""Tests of the chat channels as a whole (the Channel protocol, the worked example)."""
