"""``python -m paxos_nb`` is the ``paxos-nb`` command."""

from .cli import main

raise SystemExit(main())
