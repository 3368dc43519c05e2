"""``python -m circdebt``: the command line."""

from circdebt.cli.app import main

main()
