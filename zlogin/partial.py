"""Model instances with some fields loaded, for hot paths that read rows as tuples."""

from django.db import models


def partial_instance(model: type[models.Model], **values) -> models.Model:
    """An instance with only these fields (by attname: "id", "dienst_id"), as `.only()` would
    load it. Unlike `Model(**values)` it computes no defaults for the other fields, some of
    which are costly (a request code drawn from the system's random source)."""
    present = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    assert len(present) == len(values), (
        f"not fields of {model.__name__}: {set(values) - set(present)}"
    )
    return model.from_db(None, present, [values[name] for name in present])
