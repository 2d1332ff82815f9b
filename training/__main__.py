"""``python -m training prepare|train|export|evaluate|pipeline`` (see training/cli.py)."""

from training.cli import main

raise SystemExit(main())
