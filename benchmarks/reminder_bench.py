"""The reminder drain: ``n`` reminders falling due at once, sent by the dispatcher in-process.

Mail goes to Django's in-memory backend (nothing leaves the machine). Reported: the seconds
from the first dispatcher pass until the outbox is empty, and, as the check, how many mails
went out twice (by Message-ID) and how many due reminders were lost.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.core import mail
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks import data
from benchmarks.event_bench import _event
from benchmarks.harness import Result, timed
from events.models import Registration
from notifications.models import Delivery, DeliveryStatus


def run(*, n: int) -> list[Result]:
    branch = data.branch_open_every_day()
    start = (timezone.now() + timedelta(hours=23, minutes=50)).replace(microsecond=0)
    event = _event(branch, capacity=n, start=start, title="Påmindelse-drain")
    long_ago = timezone.now() - timedelta(days=2)  # registered before the 24-hour lead time
    Registration.objects.bulk_create(
        Registration(event=event, user=p, seats=1, status="confirmed", created_at=long_ago)
        for p in data.people(n, prefix="drain")
    )
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        seconds, passes = timed(_drain)
        ids = Counter(m.extra_headers.get("Message-ID") for m in mail.outbox)
    duplicates = sum(count - 1 for count in ids.values())
    reminders = Delivery.objects.filter(
        kind="reminder.registration", object_type="events.registration"
    )
    sent = reminders.filter(status=DeliveryStatus.SENT).count()
    lost = n - sent
    ok = duplicates == 0 and lost == 0
    check = f"{duplicates} duplicates, {lost} lost, {passes} passes" + ("" if ok else " WRONG")
    return [Result(f"reminder drain ({n} due at once)", sent, seconds, check=check)]


def _drain() -> int:
    from notifications.services import dispatch_due

    passes = 0
    while True:
        passes += 1
        result = dispatch_due()
        if not (result.sent or result.queued or result.failed):
            return passes
