"""Multi-turn context: follow-ups ("what foods have it?", "and potassium?") and picks of a
"did you mean" choice ("2", "the second one"). The state is a small JSON-safe dict."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .normalise import clean
from .reply import Reply
from .retrieve import FACET, SUBJECT, Analysis

if TYPE_CHECKING:
    from .core import FAQBot
    from .unanswered import ReplyLog

_ORDINALS = {
    "1": 0, "one": 0, "first": 0, "yes": 0, "yeah": 0, "yep": 0, "the first": 0,
    "2": 1, "two": 1, "second": 1, "the second": 1,
    "3": 2, "three": 2, "third": 2, "the third": 2,
}
_PICK = re.compile(
    r"^(?:(?:i mean|i meant|number|option|no\.?)\s+)?(?:the\s+)?"
    r"(?P<n>1|2|3|one|two|three|first|second|third|yes|yeah|yep)(?:\s+one)?(?:\s+please)?$"
)
_GENERAL_SUBJECT = 0.5  # subjects less specific than this (`Index.subject_weight`) are general
_OUT_OF_SCOPE = 0.5  # a turn the learned ranking finds this likely out of scope is not completed
_NEW_TOPIC_INFORMATION = 3.0  # a word this rare (under ~10 per million words) names a topic
_MAX_FOLLOW_UP_CONTENT = 5  # more content words make a complete question, answered on its own
# a follow-up of function words alone is read by the learned ranking when an entry about
# twitching as such is this likely, and this many times likelier than the next such entry
_GENERAL_LIKELY = 0.05
_GENERAL_LEAD = 1.2
_GENERAL_WORDS = 4  # ...and has at least this many words ("so?", "and then?" ask nothing)
# a word of the answers this frequent or more is too plain to say which facet it belongs to
# ("low", "include", "green"); rarer ones do ("bananas", "tofu", "diarrhea")
_IMPLYING_ZIPF = 5.0


class Conversation:
    """One user's conversation. Create with `FAQBot.conversation()`; not shared between users."""

    def __init__(self, bot: FAQBot, state: dict[str, Any] | None = None) -> None:
        self._bot = bot
        state = state if isinstance(state, dict) else {}
        known = {e.id for e in bot.faq.entries}
        last, choices = state.get("last"), state.get("choices")
        # state comes back from clients: anything unknown or malformed is forgotten, not an error
        self.last: str | None = last if isinstance(last, str) and last in known else None
        self.choices: list[str] = (
            [c for c in choices if isinstance(c, str) and c in known][:3] if isinstance(choices, list) else []
        )
        # the subject in particular the conversation was last about ("magnesium"), kept over
        # answers about other things (how to get tested, the diet plan): a topic is a specific
        # subject the FAQ tells several facets of
        self._topics = _topics(bot)
        topic = state.get("topic")
        self.topic: str | None = topic if isinstance(topic, str) and topic in self._topics else None
        # the red flag of the last urgent reply, while the conversation is still about it
        urgent = state.get("urgent")
        self.urgent: dict[str, str] | None = (
            {k: v for k, v in urgent.items() if k in ("flag", "words") and isinstance(v, str)}
            if isinstance(urgent, dict) else None
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe state; `FAQBot.conversation(state)` resumes from it."""
        return {"last": self.last, "choices": list(self.choices), "topic": self.topic, "urgent": self.urgent}

    def reset(self) -> None:
        """Forget the topic, any pending choice and any red flag."""
        self.last, self.choices, self.topic, self.urgent = None, [], None, None

    def ask(self, text: str, *, lang: str | None = None, log: ReplyLog | None = None) -> Reply:
        """Answer one turn in the context of the earlier ones; never raises for any `str`.

        `lang` forces the turn's language (see `FAQBot.ask`); `log`, e.g. an
        `UnansweredLog`, is called with the text and the reply.
        """
        reply = self._answer(text, lang)
        if log is not None:
            log(text, reply)
        return reply

    def _answer(self, text: str, lang: str | None = None) -> Reply:
        picked = self._pick(text)
        if picked is not None:
            return self._remember(picked)
        reply = self._bot.ask(text, lang=lang)
        if reply.kind == "urgent":
            self.choices = []
            reason = reply.reason or {}
            self.urgent = {k: reason[k] for k in ("flag", "words") if k in reason}
            return reply
        if reply.kind == "smalltalk":
            self.choices = []
            return reply
        if self.urgent is not None:
            if self._about_the_flag(text, reply, lang):
                # right after a red flag, a turn the FAQ can place nowhere is about it: "should I
                # just lie down and wait?" gets the urgent advice again
                return self._still_urgent(reply)
            self.urgent = None  # anything else moves on: "she's ok now. what foods have B12?"
        contextual = self._follow_up(text, reply, lang)
        return self._remember(contextual or reply)

    def _about_the_flag(self, text: str, reply: Reply, lang: str | None) -> bool:
        """Is a turn right after an urgent reply about its red flag: one the FAQ finds nothing
        for (no entry close enough, no out-of-scope facet, no words it does not know) and that
        names none of its subjects?"""
        if reply.kind != "fallback" or (reply.reason or {}).get("reason") not in ("low-confidence", "no-question"):
            return False
        return not self._bot.index.analyse(text, lang).subjects

    def _still_urgent(self, reply: Reply) -> Reply:
        """The urgent reply again, in the turn's language, naming the earlier message's flag."""
        words = self._bot.decider.messages.speaking(reply.lang)
        self.choices = []
        reason = {"reason": "red-flag", **(self.urgent or {}), "from": "earlier message"}
        self.urgent = None  # once: a second turn the FAQ cannot place is not read as the flag again
        return Reply("urgent", None, words.urgent, 1.0, (), reason, words.lang)

    # -- helpers ---------------------------------------------------------------------------

    def _pick(self, text: str) -> Reply | None:
        if not self.choices:
            return None
        match = _PICK.match(clean(text))
        if not match or _ORDINALS[match["n"]] >= len(self.choices):
            return None
        entry = self._bot.faq.entry(self.choices[_ORDINALS[match["n"]]])
        return Reply("answer", entry.id, entry.answer, 1.0, (), {"reason": "picked"})

    def _follow_up(self, text: str, reply: Reply, lang: str | None = None) -> Reply | None:
        """A better reply using the last topic, or None to keep the stateless one.

        The turn's analysis is completed from the conversation: a turn that names no subject
        inherits the last one ("what foods have it?"); a short turn that names a subject and
        no facet inherits the last facet ("and potassium?", "sorry, I meant calcium").
        """
        if self.last is None or _PICK.match(clean(text)):
            return None  # "2" with nothing to choose from asks nothing of the last topic
        bot = self._bot
        analysis = bot.index.analyse(text, lang)
        if analysis.out_of_scope or analysis.content > _MAX_FOLLOW_UP_CONTENT or analysis.unknown:
            return None
        out_alone = reply.kind != "answer" and bot.index.score_analyses([analysis]).intent_out[0] >= _OUT_OF_SCOPE
        last = bot.faq.entry(self.last)
        weight = bot.index.subject_weight
        analysis, corrected = self._correction(analysis)
        analysis, remark = self._without_hints(analysis, last.subjects)
        # a general subject ("this deficiency", "low on it") names no topic of its own
        named = [s for s in sorted(analysis.subjects) if weight[s] >= _GENERAL_SUBJECT]
        stops = bot.index.stopwords
        plain = [w for w in analysis.words if w not in stops and ":" not in w]
        implied = {_implied_facets(bot).get(w) for w in plain} - {None}
        if not named and not analysis.facets and len(implied) == 1:
            # words that only the answers of one facet use ask for it, when the last answer's
            # subject has an entry for it: "I can't stand bananas" after the role of potassium
            # asks for its foods
            wanted = str(next(iter(implied)))
            about = max(last.subjects, key=lambda s: weight[s]) if last.subjects else None
            if wanted not in last.facets and about is not None and bot.entry_for(about, wanted):
                analysis = replace(analysis, words=(*analysis.words, FACET + wanted), facets=frozenset({wanted}))
        if named and not analysis.facets and last.facet:
            if reply.kind == "answer" and plain and not corrected:
                return None  # "why does vitamin D matter for muscles" stands on its own
            label = bot.faq.facets[last.facet].label
            completed = replace(analysis, text=f"{analysis.text} {clean(label)}",
                                words=(*analysis.words, FACET + last.facet), facets=frozenset({last.facet}))
        elif not named and not analysis.facets and last.subjects and (remark or (
                plain and reply.kind != "answer" and self._about_last(plain))):
            # a remark on the last answer keeps the topic (its subject and facet), asking or not: in
            # its own words ("I can't have dairy btw" after the calcium foods, "bananas make me gag,
            # anything else?" after the potassium foods), or naming another subject only
            # by a hint ("I'm vegan though, does that list still work?")
            subject = max(last.subjects, key=lambda s: weight[s])
            words = (*analysis.words, SUBJECT + subject, *((FACET + last.facet,) if last.facet else ()))
            text = f"{analysis.text} {clean(bot.faq.subjects[subject].label)}"
            completed = replace(analysis, text=text, words=words, subjects=frozenset({subject}),
                                content=max(analysis.content, 1),
                                facets=frozenset({last.facet}) if last.facet else frozenset())
        elif not named and last.subjects and not self._new_topic(plain) and (analysis.facets or not plain or (
                analysis.asks and (reply.reason or {}).get("reason") == "low-confidence")):
            # a question the FAQ could not place alone is asked of the last topic ("so I should
            # go?", "is it usually harmless then?"), unless a word of it names a topic the FAQ
            # does not know ("could it be my mattress?")
            # the last answer's most specific subject; when even that one is general, the one
            # with an entry for the facet asked: "should I be worried?" after the overview of
            # deficiencies (twitching, deficiency) asks about twitching and a doctor
            # when the last answer's subject has no entry for the facet asked, "it" is the
            # conversation's topic where that has one: "which foods would raise it?" after how
            # to get tested, when the talk was of magnesium
            subject = max(last.subjects, key=lambda s: weight[s])
            told = [s for s in last.subjects if any(bot.entry_for(s, f) for f in analysis.facets)]
            if self.topic and not any(bot.entry_for(subject, f) for f in analysis.facets) and any(
                    bot.entry_for(self.topic, f) for f in analysis.facets):
                subject = self.topic
            elif weight[subject] < _GENERAL_SUBJECT and told:
                subject = max(told, key=lambda s: weight[s])
            label = bot.faq.subjects[subject].label
            # the inherited subject is what the turn is about: "where do I get it?" asks something
            completed = replace(analysis, text=f"{analysis.text} {clean(label)}",
                                words=(*analysis.words, SUBJECT + subject), subjects=analysis.subjects | {subject},
                                content=analysis.content + 1)
        else:
            return None
        if out_alone and not self._completes(completed, plain, named):
            return None
        retry = bot.answer_analysis(completed)
        if retry.kind != "answer":
            return None
        target = retry.id or ""
        if out_alone and not named and plain and not self._explains(target, plain):
            return None
        # a facet the last subject has no entry for is asked in general: "is that serious?" gets
        # the entry of that facet about twitching as such, if there is one; and a question that
        # has an answer of its own keeps it ("what foods help with the twitching?" after the
        # medications: the diet, not one nutrient's foods)
        asked = sorted(completed.facets)
        if not named and asked and not any(bot.entry_for(s, f) for s in {*last.subjects, *completed.subjects}
                                           for f in asked):
            if reply.kind == "answer":
                return None
            target = next((e.id for e in bot.faq.entries if set(e.facets) & set(asked) and e.subjects
                           and min(weight[s] for s in e.subjects) < _GENERAL_SUBJECT), target)
        if reply.kind == "answer" and reply.id == target:
            return None
        if target == last.id and analysis.content == 0:
            # function words that lead back to the last answer ask nothing ("so?", "and then?"),
            # unless, asked as a question, the learned ranking reads them as asking what an entry
            # about twitching as such tells: "is this something bad?", "what would they do to find out?"
            facet = self._general_facet(analysis) if analysis.asks and len(analysis.words) >= _GENERAL_WORDS else None
            if facet is None:
                return None
            retry = bot.answer_analysis(replace(analysis, words=(*analysis.words, FACET + facet),
                                                facets=frozenset({facet}), content=1))
            if retry.kind != "answer" or retry.id == last.id:
                return None
            target = retry.id or ""
        if target == last.id and asked and not set(last.facets) & set(asked):
            return None  # the last answer again, for a facet it does not tell: "what should I eat then?"
        entry = bot.faq.entry(target)
        text, lang = bot.decider.messages.answer(entry, analysis.lang)
        return Reply("answer", entry.id, text, retry.confidence, retry.alternatives,
                     {"reason": "follow-up", "from": last.id}, lang)

    def _completes(self, completed: Analysis, plain: list[str], named: list[str]) -> bool:
        """May a turn the learned ranking finds out of scope on its own be asked of the topic?
        Only when, completed, it is no longer likely out of scope ("what about lentils?" was out
        of scope only without the topic), and, naming no subject, asks a facet in function words
        alone ("how do I stop it?") or is made of words the FAQ uses: "write me a poem about
        bananas" or "best running shoe for flat feet" ask something else."""
        index = self._bot.index
        if index.score_analyses([completed]).intent_out[0] >= _OUT_OF_SCOPE:
            return False
        return bool(named) or (bool(completed.facets) and not plain) or (
            bool(plain) and all(w in index.vocabulary for w in plain))

    def _explains(self, target: str, plain: list[str]) -> bool:
        """Does the entry a turn was completed to use a word of the turn (its answer or phrasings)?"""
        index = self._bot.index
        known = index.entry_words(index.entry_ids.index(target))
        return any(w in known for w in plain)

    def _general_facet(self, analysis: Analysis) -> str | None:
        """The facet of the entry about twitching as such that the learned ranking finds a turn
        of function words asks for, when that entry is clearly the likeliest; else None."""
        bot = self._bot
        weight = bot.index.subject_weight
        general = [n for n, e in enumerate(bot.faq.entries) if e.facet and e.subjects and e.id != self.last
                   and min(weight[s] for s in e.subjects) < _GENERAL_SUBJECT]
        probability = bot.index.score_analyses([analysis]).intent[0]
        if len(general) < 2 or len(probability) <= max(general):  # no learned ranking: nothing to read
            return None
        best, second = sorted(general, key=lambda n: -probability[n])[:2]
        if probability[best] < _GENERAL_LIKELY or probability[best] < _GENERAL_LEAD * probability[second]:
            return None
        return bot.faq.entries[best].facet

    def _without_hints(self, analysis: Analysis, topic: tuple[str, ...]) -> tuple[Analysis, bool]:
        """The turn without the subjects it only hints at ("vegan": B12) when the conversation
        is about a subject in particular, and whether it had any: there, they describe the
        person, not a new subject. After a general answer they name their subject."""
        weight = self._bot.index.subject_weight
        dropped = analysis.hinted & analysis.subjects
        if not dropped or not any(weight[s] >= _GENERAL_SUBJECT for s in topic):
            return analysis, False
        words = tuple(w for w in analysis.words if not (w.startswith(SUBJECT) and w[len(SUBJECT):] in dropped))
        return replace(analysis, words=words, subjects=analysis.subjects - dropped, hinted=frozenset()), True

    def _correction(self, analysis: Analysis) -> tuple[Analysis, bool]:
        """The turn without the subjects it negates beside one it names ("sorry, potassium not
        magnesium", "magnesium, not potassium"), and whether it had any."""
        negations = self._bot.index.negations
        words = analysis.words
        negated = {w[len(SUBJECT):] for k, w in enumerate(words)
                   if w.startswith(SUBJECT) and k and words[k - 1] in negations}
        if not negated or not analysis.subjects - negated:
            return analysis, False
        kept = tuple(w for w in words if not (w.startswith(SUBJECT) and w[len(SUBJECT):] in negated))
        return replace(analysis, words=kept, subjects=analysis.subjects - negated), True

    def _new_topic(self, plain: list[str]) -> bool:
        """Does a turn name a topic of its own: a word the FAQ never uses, and rare enough to
        name something ("laptop", "mattress"; not "anyway", "fair")?"""
        index = self._bot.index
        return any(w not in index.vocabulary and index.knowledge.information(w) >= _NEW_TOPIC_INFORMATION
                   for w in plain)

    def _about_last(self, plain: list[str]) -> bool:
        """Does a turn use words of the last answer (its text or phrasings)?"""
        index = self._bot.index
        if self.last is None or not self._bot.faq.entry(self.last).subjects:
            return False
        used = index.entry_words(index.entry_ids.index(self.last))
        return any(w in used for w in plain)

    def _default_entry(self, subject: str) -> str | None:
        for name, facet in self._bot.faq.facets.items():
            if facet.default:
                return self._bot.entry_for(subject, name)
        return None

    def _remember(self, reply: Reply) -> Reply:
        if reply.kind == "answer":
            self.last, self.choices = reply.id, []
            # an answer moves the conversation to its most specific topic, unless it is about
            # the conversation's topic too (how to get tested, for every nutrient)
            topics = [s for s in self._bot.faq.entry(reply.id or "").subjects if s in self._topics]
            if topics and self.topic not in topics:
                self.topic = max(topics, key=lambda s: self._bot.index.subject_weight[s])
        elif reply.kind == "clarify":
            self.choices = [a.id for a in reply.alternatives]
        else:
            self.choices = []
        return reply


@lru_cache(maxsize=8)
def _topics(bot: FAQBot) -> frozenset[str]:
    """The subjects a conversation can be about: specific ones with entries for two facets or more."""
    weight = bot.index.subject_weight
    facets: dict[str, set[str]] = {}
    for entry in bot.faq.entries:
        for subject in entry.subjects:
            facets.setdefault(subject, set()).add(entry.facet)
    return frozenset(s for s, told in facets.items() if len(told) >= 2 and weight[s] >= _GENERAL_SUBJECT)


@lru_cache(maxsize=8)
def _implied_facets(bot: FAQBot) -> dict[str, str]:
    """{word: facet} for the words of the answers that only entries telling that facet use
    ("banana", "tofu": foods; "diarrhea", "vomit": causes), rare enough to say so."""
    index = bot.index
    facets: dict[str, set[str]] = {}
    for number, entry in enumerate(bot.faq.entries):
        for word in index.answer_words(number):
            if ":" not in word and word not in index.stopwords:
                told = facets.setdefault(word, set(entry.facets))
                told &= set(entry.facets)
    zipf = index.knowledge.zipf
    return {word: next(iter(told)) for word, told in facets.items()
            if len(told) == 1 and zipf.get(word, 0.0) < _IMPLYING_ZIPF}
