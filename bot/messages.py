"""What faqbot says in each language: the fixed messages, small-talk replies and answers.

English comes from the FAQ's own fields; another language's text from its `languages:`
layer, where it has one, else English. Every reply says which language its text is in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .knowledge import FAQ, Entry
from .languages import Translation
from .normalise import phrase_tokens

ENGLISH = "en"
# the bundled FAQ's disclaimer (`disclaimer:` in faq.yaml; a test keeps the two the same)
DISCLAIMER = (
    "faqbot shares general information from one article on calf twitching and nutrient "
    "deficiencies. It is not a doctor and does not diagnose: for persistent, severe or "
    "worrying symptoms, see a healthcare professional."
)
CLARIFY_HEADER = "I'm not sure which of these you mean:"
CLARIFY_FOOTER = "Reply with a number, or ask in other words."


@dataclass(frozen=True, slots=True)
class Wording:
    """The fixed messages in one language (`lang`: the language of `fallback`)."""

    lang: str
    fallback: str
    urgent: str
    unsupported: str
    disclaimer: str
    clarify_header: str
    clarify_footer: str


class Messages:
    """Every language's wording of a FAQ; immutable after construction."""

    def __init__(self, faq: FAQ) -> None:
        self.faq = faq
        english = Wording(
            lang=ENGLISH,
            fallback=faq.fallback,
            urgent=faq.urgent.message if faq.urgent else faq.fallback,
            unsupported=_unsupported(faq),
            disclaimer=faq.disclaimer,
            clarify_header=CLARIFY_HEADER,
            clarify_footer=CLARIFY_FOOTER,
        )
        self._wording = {ENGLISH: english}
        for code, language in faq.languages.items():
            own = language.messages
            if own:
                self._wording[code] = Wording(
                    lang=code if "fallback" in own else ENGLISH,
                    fallback=own.get("fallback", english.fallback),
                    urgent=own.get("urgent", english.urgent),
                    unsupported=own.get("unsupported", english.unsupported),
                    disclaimer=own.get("disclaimer", english.disclaimer),
                    clarify_header=own.get("clarify_header", english.clarify_header),
                    clarify_footer=own.get("clarify_footer", english.clarify_footer),
                )
        self._smalltalk = {s.id: s.reply for s in faq.smalltalk}
        # which languages each small-talk pattern belongs to: "hola" is Spanish however short
        english_patterns = {phrase_tokens(p) for s in faq.smalltalk for p in s.patterns}
        self._pattern_language: dict[tuple[str, ...], str] = {}
        for code, language in faq.languages.items():
            for found in language.smalltalk_patterns.values():
                for pattern in found:
                    key = phrase_tokens(pattern)
                    if key not in english_patterns:
                        self._pattern_language.setdefault(key, code)

    def speaking(self, lang: str) -> Wording:
        """The fixed messages in `lang` where the FAQ has them, else in English."""
        return self._wording.get(lang) or self._wording[ENGLISH]

    def understands(self, lang: str) -> bool:
        """Is `lang` English or a language the FAQ has words for?"""
        return lang == ENGLISH or lang in self.faq.languages

    def language_of_smalltalk(self, words: tuple[str, ...], lang: str) -> str:
        """The language of a small-talk message: that of its pattern when only one language has it."""
        return self._pattern_language.get(words, lang) if lang == ENGLISH else lang

    def smalltalk(self, intent: str, lang: str) -> tuple[str, str]:
        """A small-talk reply and its language."""
        language = self.faq.languages.get(lang)
        if language is not None and intent in language.smalltalk_replies:
            return language.smalltalk_replies[intent], lang
        return self._smalltalk[intent], ENGLISH

    def answer(self, entry: Entry, lang: str) -> tuple[str, str]:
        """An entry's answer in `lang` when the FAQ translates it, else in English."""
        translation = self._translation(entry.id, lang)
        return (translation.answer, lang) if translation else (entry.answer, ENGLISH)

    def question(self, entry_id: str, lang: str) -> str:
        """An entry's canonical question in `lang` when translated, else in English."""
        translation = self._translation(entry_id, lang)
        return translation.question if translation else self.faq.entry(entry_id).question

    def _translation(self, entry_id: str, lang: str) -> Translation | None:
        language = self.faq.languages.get(lang)
        return language.entries.get(entry_id) if language is not None else None


def _unsupported(faq: FAQ) -> str:
    """The English reply to a language the FAQ has no words for, naming those it has."""
    answered = ["English", *(lang.name for lang in faq.languages.values() if lang.answers)]
    understood = [lang.name for lang in faq.languages.values() if not lang.answers]
    text = f"I can answer in {_join(answered)}"
    if understood:
        text += f", and I understand some {_join(understood)}"
    return text + ". Please ask in one of these. For questions about your own health, please ask a doctor."


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
