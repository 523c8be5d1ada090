import sys

from rvemu.cli import main

sys.exit(main())
