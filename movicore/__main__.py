from __future__ import annotations

import sys

from movicore.cli.main import main

sys.exit(main())
