"""Tag the topics of a paragraph from the taxonomy in codebooks/topics.yaml."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from parley.codebooks import Topic
from parley.ids import content_id
from parley.nlp.lexicon import phrase_tokens, trie_starts
from parley.nlp.syntax import Parse
from parley.records import AnnotatedParagraph, TopicTag


@dataclass(frozen=True, slots=True)
class _Term:
    topic: str
    term: str


class TopicIndex:
    """A trie of topic terms (and subject terms) over normalised tokens."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self._root: dict = {}
        for topic in topics:
            for term in topic.terms:
                self._add(term, _Term(topic.code, term))
            for subject in topic.subjects:
                for group in subject.all_of:
                    for term in group:
                        self._add(term, _Term("", term))

    def _add(self, term: str, entry: _Term) -> None:
        node = self._root
        for token in phrase_tokens(term):
            node = node.setdefault(token, {})
        node.setdefault(None, set()).add(entry)

    def matches(self, keys: list[tuple[str, ...]]) -> Counter:
        """Counter of (topic, term) occurrences; subject-only terms come back with topic ''."""
        found: Counter = Counter()
        root = self._root
        next_free = 0
        for start in trie_starts(root, keys):
            if start < next_free:  # inside the term just found
                continue
            frontier = [root]
            position = start
            longest: set[_Term] = set()
            longest_end = start + 1
            while frontier and position < len(keys):
                frontier = [node[key] for node in frontier for key in keys[position] if key in node]
                position += 1
                for node in frontier:
                    if None in node:
                        longest, longest_end = node[None], position
            for entry in longest:
                found[(entry.topic, entry.term)] += 1
            # Overlapping terms count once: "civil war" is not also a "war".
            if longest:
                next_free = longest_end
        return found


def score(occurrences: int) -> float:
    return round(1.0 - 0.5**occurrences, 4)


def tag_topics(annotated: AnnotatedParagraph, index: TopicIndex) -> list[TopicTag]:
    parse = Parse(annotated)
    found = index.matches(parse.match_keys)
    if not found:
        return []
    terms_present = {term for (_topic, term) in found}
    paragraph_id = annotated.paragraph.paragraph_id
    tags: dict[tuple[str, str | None], TopicTag] = {}
    for topic in index.topics:
        own = {term: n for (code, term), n in found.items() if code == topic.code}
        if own:
            tags[(topic.code, None)] = TopicTag(
                paragraph_id, topic.code, None, score(sum(own.values())), tuple(sorted(own))
            )
        for subject in topic.subjects:
            matched = [sorted(set(group) & terms_present) for group in subject.all_of]
            if all(matched):
                terms = sorted({t for group in matched for t in group})
                occurrences = sum(n for (_code, term), n in found.items() if term in terms)
                tags[(topic.code, subject.name)] = TopicTag(
                    paragraph_id, topic.code, subject.name, score(occurrences), tuple(terms)
                )
                if (topic.code, None) not in tags:
                    tags[(topic.code, None)] = TopicTag(
                        paragraph_id, topic.code, None, score(occurrences), tuple(terms)
                    )
    return sorted(tags.values(), key=lambda t: (t.topic, t.subject or ""))


def topic_row(tag: TopicTag, article_id: str, coder_version: str) -> dict:
    return {
        "topic_id": content_id("topic", tag.paragraph_id, tag.topic, tag.subject),
        "paragraph_id": tag.paragraph_id,
        "article_id": article_id,
        "topic": tag.topic,
        "subject": tag.subject,
        "score": tag.score,
        "matched_terms": list(tag.matched_terms),
        "coder_version": coder_version,
    }
