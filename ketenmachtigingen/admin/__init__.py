"""Django admin for Z login staff: the signed paper forms and the local register (the
catalogue's admin is catalogue/admin.py).

One module per admin: `ketenmachtiging` and `register`. The ketenmachtiging admin
mixes in its change page's `buttons` and its list actions (`bulk`), which both run the
lifecycle actions of `actions`, by name, with the confirmation forms of `forms`. Importing the
admin modules here registers them.
"""

from . import ketenmachtiging, register  # noqa: F401 (registers the admins)
