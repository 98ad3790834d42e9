"""Ask before a destructive action.

A destructive action answers GET with its confirmation page: the question, naming the
consequence, and a POST form to the same address; only that POST acts. Its trigger on other
pages is a form sent with GET and marked `data-confirm`, so without JavaScript it opens this page;
static/js/zlogin.js shows the same page's question in a modal dialog instead
(templates/shell/confirm.html marks the parts it uses).
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


@dataclass(frozen=True)
class Question:
    title: str  # the action, as its button names it: "Trek aanvraag in"
    consequence: str  # what happens, in full sentences, with the names of what it touches
    confirm_label: str  # the danger button: "Ja, trek aanvraag in"


def ask_first(request, question: Question, *, cancel_url: str, menu: str):
    """The confirmation page of the action at this address. A `next` in the query string (the
    page the trigger was on) is where "Annuleer" leads and is sent on with the POST."""
    next_url = request.GET.get("next", "")
    if not (next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, None)):
        next_url = ""  # only a path on this site
    return render(
        request,
        "shell/confirm.html",
        {
            "menu": menu,
            "question": question,
            "action_url": request.path,
            "next": next_url,
            "cancel_url": next_url or cancel_url,
        },
    )
