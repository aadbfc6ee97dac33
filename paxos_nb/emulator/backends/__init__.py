"""The emulated Paxos state, one backend per resource family (the moto pattern).

Each backend holds its records and makes every change to them (and every balance movement)
through its methods, announcing it on :meth:`core.Core.changed`; ``reset()`` empties it.
:class:`~paxos_nb.emulator.ledger.Ledger` composes them into one world.
"""
