import sys

from dashboard.commands import main

sys.exit(main())
