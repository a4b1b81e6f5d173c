import sys

from jmetrics.cli import main

sys.exit(main())
