from celery import shared_task

from identity import services


@shared_task(name="identity.purge_library_signups")
def purge_library_signups() -> int:
    """First library logins whose e-mail link has expired (address and platform identifier)."""
    return services.library_signups_purge()
