"""Users, households and neighbourhood verification."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.regions.models import Region


class User(AbstractUser):
    """A person using the platform; what they may do comes from their role groups."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=[("ko", "한국어"), ("en", "English")], default="ko"
    )
    household = models.ForeignKey(
        "Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    def __str__(self) -> str:
        return self.display_name or self.username


class Household(models.Model):
    """One or more residents at one address: the unit that later features count."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households_here")
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    home_cell = models.CharField(_("home cell"), max_length=16, db_index=True)
    size = models.PositiveSmallIntegerField(_("people"), default=1)
    # Where the row came from: "signup", "import", "demo"; imported rows keep their own id.
    source = models.CharField(max_length=20, default="signup")
    external_id = models.CharField(max_length=64, blank=True)
    # Shared by the first resident so that others at the same address can join; households
    # that did not come from a signup (imports, demo) have none.
    join_code = models.CharField(
        _("join code"), max_length=12, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="household_lat_range"),
            models.CheckConstraint(
                condition=models.Q(lng__gte=-180, lng__lte=180), name="household_lng_range"
            ),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="household_size_positive"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="household_unique_external_id",
            ),
        ]
        indexes = [models.Index(fields=["region", "home_cell"])]

    def __str__(self) -> str:
        return self.address or f"household {self.pk} @ {self.home_cell}"


class NeighbourhoodVerification(models.Model):
    """A successful check that a resident was physically in their home neighbourhood."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="verifications")
    lat = models.FloatField()
    lng = models.FloatField()
    cell = models.CharField(max_length=16)
    grid_steps = models.PositiveSmallIntegerField(help_text=_("grid distance from the home cell"))
    verified_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-verified_at"]
        get_latest_by = "verified_at"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("verified_at")),
                name="verification_expires_after_it_happens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} verified {self.verified_at:%Y-%m-%d}"

    def is_current(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())


class ApiToken(models.Model):
    """A bearer token for API clients. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text=_("first characters, to recognise a token"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
