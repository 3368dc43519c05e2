"""The ``circdebt`` command line (:mod:`circdebt.cli.app`)."""
