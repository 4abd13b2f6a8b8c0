from celery import shared_task

from core import services


@shared_task(name="core.delete_inactive_accounts")
def delete_inactive_accounts() -> int:
    services.expired_credentials_purge()  # unconfirmed sign-ups and expired API tokens
    return services.accounts_delete_inactive()
