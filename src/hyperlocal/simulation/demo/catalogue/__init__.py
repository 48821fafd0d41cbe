"""Catalogue data of the demo city: regional origins, merchants and the goods they sell.

The merchants are fictional (names made up for the demo), set in real places of Mapo-gu;
the origins and what they are known for are real."""

from hyperlocal.simulation.demo.catalogue.local import LOCAL_MERCHANTS
from hyperlocal.simulation.demo.catalogue.origins import ORIGINS, OriginSpec
from hyperlocal.simulation.demo.catalogue.regional import REGIONAL_MERCHANTS
from hyperlocal.simulation.demo.catalogue.shapes import Item, MerchantSpec

MERCHANTS: tuple[MerchantSpec, ...] = (*LOCAL_MERCHANTS, *REGIONAL_MERCHANTS)

__all__ = ["MERCHANTS", "ORIGINS", "Item", "MerchantSpec", "OriginSpec"]
