from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "hyperlocal.wallet"
    verbose_name = "Wallet"
