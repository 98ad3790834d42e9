"""Sentences that end with a name: "… in rekening bij Pietersen Administratie B.V." gets no
second full stop. Here in accounts, which every app may use, so that any template can load it.

    {{ intermediair.name|end_sentence }}
    {% blocktranslate with name=company.name|end_sentence %}… bij {{ name }}{% endblocktranslate %}
    {% filter end_sentence %}… met {{ name }}{% if phone %}, {{ phone }}{% endif %}{% endfilter %}
"""

from django import template

register = template.Library()

SENTENCE_ENDS = (".", "!", "?")


@register.filter(is_safe=True)
def end_sentence(text) -> str:
    """`text` with a full stop after it, unless it already ends a sentence."""
    text = str(text).rstrip()
    return text if text.endswith(SENTENCE_ENDS) else f"{text}."
