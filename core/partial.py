"""Model instances with some fields loaded, for hot paths that read rows as tuples."""

import functools

from django.db import models, router
from django.db.models.base import ModelState


def partial_instance(model: type[models.Model], **values) -> models.Model:
    """An instance with only these fields (by attname: "id", "dienst_id"), as `.only()` would
    load it: another field is read from the database when asked for. Made as unpickling makes
    one, without __init__, which would compute every other field's default (some are costly: a
    request code from the system's random source) and send the init signals."""
    unknown = values.keys() - _attnames(model)
    assert not unknown, f"not fields of {model.__name__}: {unknown}"
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = router.db_for_read(model)
    instance.__dict__.update(values, _state=state)
    return instance


@functools.cache
def _attnames(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)
