"""``python -m cvmon``: the same command line as the ``cvmon`` console script."""

from cvmon.cli import main

main()
