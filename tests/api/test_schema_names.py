"""The OpenAPI document names each schema by its class name, so two schemas of the same name
in different apps overwrite each other there (the cart's delivery plan was once documented as
a site plan, and every cart response failed validation against it). Same name, same shape."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from hyperlocal.api import api


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_schemas_of_the_same_name_have_the_same_shape() -> None:
    api.get_openapi_schema()  # imports every router's schemas
    by_name: dict[str, dict[str, type]] = defaultdict(dict)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("hyperlocal."):
            by_name[cls.__name__][f"{cls.__module__}.{cls.__qualname__}"] = cls
    clashes = {
        name: sorted(classes)
        for name, classes in by_name.items()
        if len({repr(c.model_json_schema()) for c in classes.values()}) > 1  # type: ignore[attr-defined]
    }
    assert clashes == {}
