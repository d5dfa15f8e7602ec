"""``python -m cgeditor``: the same command line as the ``cgeditor`` script."""

from cgeditor.cli import main

raise SystemExit(main())
