"""Signals the domain apps send so that layers above them can react.

The domain apps never import ``notifications``; they send ``state_changed``
inside their service's transaction, and the notifications app (which listens)
kicks its dispatcher on commit.
"""

from django.dispatch import Signal

# Sent by services after a change a person should hear about.
# Keyword arguments: ``kind`` (e.g. "registration.confirmed"), ``instance``.
state_changed = Signal()

# The kinds the domain services send (notifications turns each into a message):
#   registration.confirmed / .waitlisted / .promoted / .cancelled   instance: events.Registration
#   event.changed (time or place) / event.cancelled                 instance: events.Event
#   booking.requested / .confirmed / .rejected / .cancelled         instance: rooms.Booking
#   equipment_booking.confirmed / .cancelled                        instance: rooms.EquipmentBooking
#   shift.changed / shift.cancelled                                 instance: volunteers.Shift
#   proposal.approved / .rejected / .changes_requested              instance: volunteers.SessionProposal
#   certificate.expiring                                            instance: volunteers.VolunteerProfile
# Send with: state_changed.send(sender=Model, kind="...", instance=obj, actor=user, data={...})
# inside the service's transaction, after the state has been written.
