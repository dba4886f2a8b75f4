"""``python -m pykis`` runs the CLI."""

from pykis.cli import main

raise SystemExit(main())
