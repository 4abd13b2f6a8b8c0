from typing import Any

from django.core.management.base import BaseCommand

from core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Load (or refresh) the Roskilde demo data, laid relative to today. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        load_all()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<26} {account.note}")
