from . import tenancy


class ActiveOrganisationMiddleware:
    """Makes request.membership (the active organisation's middel) available, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenancy.attach(request)
        return self.get_response(request)
