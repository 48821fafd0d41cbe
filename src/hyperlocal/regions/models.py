"""Administrative regions (a district such as Mapo-gu and its dongs) and their H3 cells."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("province or metropolitan city")
        DISTRICT = "district", _("district (gu/si/gun)")
        DONG = "dong", _("administrative dong (eup/myeon/dong)")

    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("MOIS administrative code"))
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84 lng/lat) of the boundary.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lng = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    households = models.PositiveIntegerField(null=True, blank=True)
    slogan = models.CharField(_("local slogan"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(centroid_lat__gte=-90, centroid_lat__lte=90)
                | models.Q(centroid_lat__isnull=True),
                name="region_centroid_lat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(centroid_lng__gte=-180, centroid_lng__lte=180)
                | models.Q(centroid_lng__isnull=True),
                name="region_centroid_lng_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.name_en})" if self.name_en else self.name_ko

    @property
    def district(self) -> Region:
        """The district this region belongs to (itself when it is one)."""
        region = self
        while region.level == Region.Level.DONG and region.parent is not None:
            region = region.parent
        return region


class RegionCell(models.Model):
    """One H3 cell of a leaf region. A cell belongs to exactly one leaf region: the one
    whose boundary contains the cell's centre, so that locating a point is one lookup."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="cells")
    cell = models.CharField(max_length=16, unique=True)

    class Meta:
        ordering = ["cell"]

    def __str__(self) -> str:
        return self.cell
