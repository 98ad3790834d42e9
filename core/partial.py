"""Model instances with some fields loaded, for hot paths that read rows as tuples."""

import functools
from typing import Any, TypeVar

from django.db import models, router

_M = TypeVar("_M", bound=models.Model)


def partial_instance(model: type[_M], **values: Any) -> _M:
    """An instance with only these fields (by attname: "id", "dienst_id"), as `.only()` loads
    one (Model.from_db): another field is read from the database when asked for, and no other
    field's default is computed (some are costly: a request code from the system's random
    source)."""
    fields = _attnames(model)
    unknown = values.keys() - fields.keys()
    assert not unknown, f"not fields of {model.__name__}: {unknown}"
    # from_db takes the values in the order of the model's fields.
    names = sorted(values, key=fields.__getitem__)
    return model.from_db(router.db_for_read(model), names, [values[name] for name in names])


@functools.cache
def _attnames(model: type[models.Model]) -> dict[str, int]:
    """The model's concrete fields' attnames, with their position."""
    return {field.attname: n for n, field in enumerate(model._meta.concrete_fields)}
