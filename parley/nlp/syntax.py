"""Navigation over a compact spaCy analysis: children, subtrees, sentences, entity labels."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from parley.nlp.lexicon import normalise
from parley.records import AnnotatedParagraph

NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})


class Parse:
    """Read-only view of an AnnotatedParagraph with the derived indexes the taggers and the coder need."""

    def __init__(self, annotated: AnnotatedParagraph, lemma_fixes: Mapping[str, str] | None = None) -> None:
        self.annotated = annotated
        # Word forms the small model lemmatises wrongly ("staged" -> "stag"): word -> right lemma.
        self.lemma_fixes = lemma_fixes or {}
        self.words = annotated.words
        self.lemmas = annotated.lemmas
        self.pos = annotated.pos
        self.tags = annotated.tags
        self.deps = annotated.deps
        self.heads = annotated.heads
        self.offsets = annotated.offsets
        self.n = len(annotated.words)
        self.text = annotated.paragraph.text
        self._subtrees: dict[int, tuple[int, ...]] = {}

    @cached_property
    def children(self) -> list[list[int]]:
        children: list[list[int]] = [[] for _ in range(self.n)]
        for index, head in enumerate(self.heads):
            if head != index:
                children[head].append(index)
        return children

    @cached_property
    def sentence_of(self) -> list[int]:
        result = [0] * self.n
        starts = list(self.annotated.sent_starts) or [0]
        sentence = -1
        boundaries = set(starts)
        for index in range(self.n):
            if index in boundaries:
                sentence += 1
            result[index] = max(sentence, 0)
        return result

    @cached_property
    def sentence_spans(self) -> list[tuple[int, int]]:
        starts = list(self.annotated.sent_starts) or [0]
        ends = [*starts[1:], self.n]
        return list(zip(starts, ends, strict=True))

    @cached_property
    def entity_of(self) -> list[str]:
        labels = [""] * self.n
        for start, end, label in self.annotated.ents:
            for index in range(start, end):
                labels[index] = label
        return labels

    @cached_property
    def entity_span_of(self) -> list[tuple[int, int] | None]:
        spans: list[tuple[int, int] | None] = [None] * self.n
        for start, end, _label in self.annotated.ents:
            for index in range(start, end):
                spans[index] = (start, end)
        return spans

    @cached_property
    def norm(self) -> list[str]:
        return list(map(normalise, self.words))

    @cached_property
    def norm_lemma(self) -> list[str]:
        lemmas = list(map(normalise, self.lemmas))
        fixes = self.lemma_fixes
        if fixes and not fixes.keys().isdisjoint(self.norm):  # most paragraphs have no word to fix
            lemmas = [fixes.get(word, lemma) for word, lemma in zip(self.norm, lemmas, strict=True)]
        return lemmas

    @cached_property
    def match_keys(self) -> list[tuple[str, ...]]:
        """The forms each token can match a phrase on: its text and its lemma."""
        return [(w,) if w == lemma else (w, lemma) for w, lemma in zip(self.norm, self.norm_lemma, strict=True)]

    def subtree(self, index: int) -> tuple[int, ...]:
        """The token and its syntactic descendants, in order (memoised: the coder asks for the same ones often)."""
        found = self._subtrees.get(index)
        if found is None:
            result = []
            stack = [index]
            children = self.children
            while stack:
                current = stack.pop()
                result.append(current)
                stack.extend(children[current])
            found = self._subtrees[index] = tuple(sorted(result))
        return found

    def span_text(self, start: int, end: int) -> str:
        """Text of tokens [start, end) as written (end exclusive)."""
        if start >= end:
            return ""
        last = end - 1
        return self.text[self.offsets[start] : self.offsets[last] + len(self.words[last])]

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        last = end - 1
        return self.offsets[start], self.offsets[last] + len(self.words[last])

    def children_with(self, index: int, *deps: str) -> list[int]:
        return [child for child in self.children[index] if self.deps[child] in deps]

    def is_negated(self, index: int) -> bool:
        return any(self.deps[child] == "neg" for child in self.children[index])

    def is_plural(self, index: int) -> bool:
        return self.tags[index] in ("NNS", "NNPS")

    def conjuncts(self, index: int) -> list[int]:
        """The token and the tokens coordinated with it ("Russia, France and the US")."""
        result = [index]
        stack = [index]
        while stack:
            current = stack.pop()
            for child in self.children[current]:
                if self.deps[child] == "conj" and child not in result:
                    result.append(child)
                    stack.append(child)
        return result
