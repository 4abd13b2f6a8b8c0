"""Signals the domain apps send so that layers above them can react.

The domain apps never import ``notifications``; they send ``state_changed``
inside their service's transaction, and the notifications app (which listens)
kicks its dispatcher on commit.
"""

from django.dispatch import Signal

# Sent by services after a change a person should hear about.
# Keyword arguments: ``kind`` (e.g. "registration.confirmed"), ``instance``.
state_changed = Signal()
