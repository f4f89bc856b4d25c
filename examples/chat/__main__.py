"""``python -m examples.chat``: serve the chat page (embedded server by default)."""

import sys

from .app import main

sys.exit(main())
