"""``python -m bot.cli``: the same as the ``claimbot`` command."""

import sys

from bot.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
