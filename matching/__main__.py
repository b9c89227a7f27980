import sys

from .cli import main

sys.exit(main(end_process=True))
