"""The ``claimbot`` command line (``main``) and its subcommands."""

from bot.cli.main import main

__all__ = ["main"]
