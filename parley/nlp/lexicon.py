"""Phrase lexicon built from the codebooks: token sequences -> what they name (country, person, organisation...).

Phrases are tokenised with spaCy's English tokenizer (the same rules the model uses), so "U.S.", "Co-operation"
or "Nagorno-Karabakh" split the same way in the codebook and in the text. A phrase token matches a text token
when it equals the token's normalised text or its normalised lemma ("troops" matches the agent term "troop").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from parley.codebooks import Codebooks, Organisation, Person
from parley.records import pickled_as_tuple

# Entity labels that confirm an ambiguous name ("Jordan" the country, not the first name).
CONFIRMING_LABELS = {
    "country": frozenset({"GPE", "NORP", "LOC"}),
    "organisation": frozenset({"ORG", "NORP", "GPE"}),
    "group": frozenset({"ORG", "NORP", "GPE"}),
    "person": frozenset({"PERSON", "ORG", "NORP"}),
}
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})


@lru_cache(maxsize=200_000)
def normalise(text: str) -> str:
    """Lowercase, ASCII quotes and dashes, no diacritics: 'Erdoğan' and 'erdogan' compare equal.

    Cached: tokens repeat (a paragraph's words are mostly among a few thousand), and this runs twice per token."""
    folded = unicodedata.normalize("NFKD", text.translate(_QUOTES).lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class LexEntry:
    kind: str  # country | person | organisation | group | agent
    role: str  # name | adjective | people | capital | metonym | agent
    name: str
    country: str | None = None
    sector: str | None = None
    code: str | None = None  # organisation / group code
    ambiguous: bool = False
    plural: bool = False
    person: Person | None = None
    organisation: Organisation | None = None

    @property
    def priority(self) -> int:
        # When one phrase names several things, prefer the most specific.
        return {"person": 4, "organisation": 3, "group": 3, "country": 2, "agent": 1}[self.kind]


def trie_starts(root: dict, keys: Sequence[tuple[str, ...]]) -> list[int]:
    """The positions i where one of keys[i] (a token's forms) begins some entry of the trie under `root`: most
    tokens begin none, and this one pass in C costs less than a tenth of one trie walk per token."""
    first = root.keys()
    return [position for position, forms in enumerate(keys) if not first.isdisjoint(forms)]


class PhraseIndex:
    """A trie over normalised token sequences."""

    def __init__(self) -> None:
        self._root: dict = {}
        self.size = 0

    def add(self, tokens: Sequence[str], entry: LexEntry) -> None:
        node = self._root
        for token in tokens:
            node = node.setdefault(token, {})
        entries = node.setdefault(None, [])
        if entry not in entries:
            entries.append(entry)
            self.size += 1

    def starts(self, keys: Sequence[tuple[str, ...]]) -> list[int]:
        """The token positions where some phrase may start (keys[i] are token i's forms)."""
        return trie_starts(self._root, keys)

    def longest_match(self, keys: Sequence[tuple[str, ...]], start: int) -> tuple[int, list[LexEntry]]:
        """The longest phrase starting at token `start`; keys[i] are the forms token i may match on.

        Returns (end, entries) or (start, []) when nothing matches.
        """
        best_end, best = start, []
        frontier = [self._root]
        position = start
        while frontier and position < len(keys):
            next_frontier = []
            for node in frontier:
                for key in keys[position]:
                    child = node.get(key)
                    if child is not None and child not in next_frontier:
                        next_frontier.append(child)
            position += 1
            for node in next_frontier:
                if None in node:
                    best_end, best = position, list(node[None])
            frontier = next_frontier
        return best_end, best


@cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(normalise(token.text) for token in _tokenizer()(phrase) if not token.is_space)


def _add_all(index: PhraseIndex, phrases: Iterable[str], entry_for) -> None:
    for phrase in phrases:
        tokens = phrase_tokens(phrase)
        if tokens:
            index.add(tokens, entry_for(phrase))


def _plural_form(term: str) -> bool:
    return term.endswith("s") and not term.endswith("ss")


def build_actor_index(books: Codebooks) -> PhraseIndex:
    index = PhraseIndex()
    for country in books.countries.values():

        def entry(phrase: str, role: str, sector: str | None = None, c=country) -> LexEntry:
            return LexEntry(
                kind="country",
                role=role,
                name=c.name,
                country=c.iso3,
                sector=sector,
                ambiguous=phrase.lower() in c.ambiguous,
                plural=role == "people",
            )

        _add_all(index, [country.name, *country.aliases], lambda p, c=country: entry(p, "name", c=c))
        _add_all(index, country.adjectives, lambda p, c=country: entry(p, "adjective", c=c))
        _add_all(index, country.people, lambda p, c=country: entry(p, "people", c=c))
        if country.capital:
            _add_all(index, [country.capital], lambda p, c=country: entry(p, "capital", c=c))
        for metonym, sector in country.metonyms:
            _add_all(index, [metonym], lambda p, s=sector, c=country: entry(p, "metonym", s, c=c))

    for organisation in books.organisations.values():
        _add_all(
            index,
            [organisation.name, *organisation.aliases],
            lambda p, o=organisation: LexEntry(
                kind="organisation",
                role="name",
                name=o.name,
                code=o.code,
                sector=o.sector,
                ambiguous=p.lower() in o.ambiguous,
                organisation=o,
            ),
        )
    for group in books.groups:
        _add_all(
            index,
            [group.name, *group.aliases],
            lambda p, g=group: LexEntry(
                kind="group",
                role="name",
                name=g.name,
                code=g.code,
                country=g.country,
                sector=g.sector,
                ambiguous=p.lower() in g.ambiguous,
                plural=_plural_form(p.lower()),
                organisation=g,
            ),
        )
    for person in books.people:
        _add_all(
            index,
            [person.name, *person.aliases],
            lambda p, who=person: LexEntry(kind="person", role="name", name=who.name, person=who),
        )
        # The surname alone, accepted only after a title ("President Bush") and, when several people share
        # it, only for the one in office on the article's date.
        surname = person.name.split()[-1]
        if len(surname) >= 3 and surname[:1].isupper() and surname.lower() not in {a.lower() for a in person.aliases}:
            _add_all(
                index,
                [surname],
                lambda p, who=person: LexEntry(
                    kind="person", role="surname", name=who.name, person=who, ambiguous=True
                ),
            )
    for agent in books.agents:
        _add_all(
            index,
            [agent.term],
            lambda p, a=agent: LexEntry(
                kind="agent", role="agent", name=a.term, sector=a.sector, ambiguous=a.ambiguous
            ),
        )
    return index
