from celery import shared_task

from core import services


@shared_task(name="core.delete_inactive_accounts")
def delete_inactive_accounts() -> int:
    return services.accounts_delete_inactive()
