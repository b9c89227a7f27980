import sys

from cbl.cli import main

sys.exit(main())
