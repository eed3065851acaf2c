"""The trigger dictionary (codebooks/triggers.yaml): validation and fast lookup by lemma."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parley.records import pickled_as_tuple

_PATTERN_KEYS = {
    "lemma",
    "code",
    "object",
    "prep",
    "particle",
    "modifier",
    "context",
    "plural",
    "negated",
    "statement",
    "targets",
    "no_target",
    "of",
}
_COMPLEMENT_KEYS = {"verbs", "nouns", "adjectives", "code", "map", "object_control", "own_acts"}


# `object: ["*"]`: the trigger needs a direct object, whatever it is ("returned two paintings to Brazil").
ANY_OBJECT = frozenset({"*"})


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Pattern:
    lemma: str
    code: str
    pos: str  # VERB | NOUN | ADJ
    object: frozenset[str] | None = None
    prep: frozenset[str] | None = None
    particle: str | None = None
    modifier: frozenset[str] | None = None
    context: frozenset[str] | None = None
    plural: bool = False
    negated: str | None = None
    statement: bool = False
    targets: tuple[str, ...] | None = None
    no_target: bool = False
    of_role: str = "target"  # role of a nominal trigger's of-phrase: target | source | participants

    @property
    def specificity(self) -> int:
        """How much evidence the pattern needs: more conditions, more trust in the code."""
        conditions = (self.object, self.prep, self.particle, self.modifier, self.context)
        return sum(1 for condition in conditions if condition and condition != ANY_OBJECT)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ComplementClass:
    name: str
    verbs: frozenset[str]
    nouns: frozenset[str]
    adjectives: frozenset[str]
    code: str | None
    mapping: dict[str, str]
    object_control: bool
    # Only for the subject's own acts: "claimed that THEY had attacked", not "claimed that Israel attacked".
    own_acts: bool = False

    def transform(self, code: str) -> str:
        """The code of "<complement verb> to <event with code>": longest matching prefix of `map` wins."""
        for length in range(len(code), 1, -1):
            mapped = self.mapping.get(code[:length])
            if mapped is not None:
                return mapped
        return self.mapping.get("*", code)


@dataclass(frozen=True)
class TriggerBook:
    verbs: dict[str, list[Pattern]]
    nouns: dict[str, list[Pattern]]
    adjectives: dict[str, list[Pattern]]
    complements: list[ComplementClass]
    default_targets: tuple[str, ...]
    source_preps: frozenset[str]
    support_verbs: frozenset[str] = frozenset()
    circumstance_preps: frozenset[str] = frozenset()
    container_nouns: frozenset[str] = frozenset()
    mutual: tuple[str, ...] = ()
    discourse: dict[str, frozenset[str]] = field(default_factory=dict)
    lemma_fixes: dict[str, str] = field(default_factory=dict)
    modality: dict[str, frozenset[str]] = field(default_factory=dict)

    def complement_named(self, name: str) -> ComplementClass | None:
        return next((c for c in self.complements if c.name == name), None)

    def is_mutual(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.mutual)

    def complement_class(self, lemma: str, pos: str) -> ComplementClass | None:
        for complement in self.complements:
            words = {"VERB": complement.verbs, "NOUN": complement.nouns, "ADJ": complement.adjectives}.get(pos, ())
            if lemma in words:
                return complement
        return None


def _lemma_fixes(value: Any, file: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _fail(file, "defaults.lemma_fixes", "must map word forms to lemmas")
    return {k.strip().lower(): v.strip().lower() for k, v in value.items()}


def _fail(file: str, where: str, problem: str) -> ValueError:
    from parley.codebooks import CodebookError

    return CodebookError(f"codebook {file}: {where}: {problem}")


def _lemmas(value: Any, file: str, where: str, key: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(file, where, f"{key!r} must be a list of lemmas")
    return frozenset(v.lower() for v in value)


def validate_triggers(data: Any, events: dict, file: str = "triggers.yaml") -> None:
    build_trigger_book(data, events, file)


def build_trigger_book(data: Any, events: dict, file: str = "triggers.yaml") -> TriggerBook:
    if not isinstance(data, dict):
        raise _fail(file, "top level", "must be a mapping with verbs, nouns, complements, discourse")
    patterns: dict[str, dict[str, list[Pattern]]] = {"VERB": {}, "NOUN": {}, "ADJ": {}}
    for section, pos in (("verbs", "VERB"), ("nouns", "NOUN"), ("adjectives", "ADJ")):
        for index, entry in enumerate(data.get(section) or []):
            where = f"{section}[{index}]"
            if not isinstance(entry, dict):
                raise _fail(file, where, "must be a mapping")
            where = f"{section}[{index}] ({entry.get('lemma')})"
            unknown = set(entry) - _PATTERN_KEYS
            if unknown:
                raise _fail(file, where, f"unknown keys {sorted(unknown)}")
            lemma, code = entry.get("lemma"), entry.get("code")
            if not isinstance(lemma, str) or not lemma.strip():
                raise _fail(file, where, "lemma is required")
            for key in ("code", "negated"):
                value = entry.get(key)
                if (key == "code" or value is not None) and (not isinstance(value, str) or value not in events):
                    raise _fail(file, where, f"{key} {value!r} is not a CAMEO code in cameo_events.tsv")
            targets = entry.get("targets")
            if targets is not None and not (isinstance(targets, list) and all(isinstance(t, str) for t in targets)):
                raise _fail(file, where, "targets must be a list of prepositions")
            of_role = entry.get("of", "target")
            if of_role not in ("target", "source", "participants"):
                raise _fail(file, where, "of must be target, source or participants")
            particle = entry.get("particle")
            if particle is not None and not isinstance(particle, str):
                raise _fail(file, where, "particle must be a word")
            pattern = Pattern(
                lemma=lemma.strip().lower(),
                code=code,
                pos=pos,
                object=_lemmas(entry.get("object"), file, where, "object") or None,
                prep=_lemmas(entry.get("prep"), file, where, "prep"),
                particle=particle.lower() if particle else None,
                modifier=_lemmas(entry.get("modifier"), file, where, "modifier"),
                context=_lemmas(entry.get("context"), file, where, "context"),
                plural=bool(entry.get("plural", False)),
                negated=entry.get("negated"),
                statement=bool(entry.get("statement", False)),
                targets=tuple(t.lower() for t in targets) if targets else None,
                no_target=bool(entry.get("no_target", False)),
                of_role=of_role,
            )
            patterns[pos].setdefault(pattern.lemma, []).append(pattern)
    # For one lemma the most specific pattern is tried first, wherever it sits in the file ("declare a
    # ceasefire" before the bare statement "declare"); among equals, file order.
    for by_lemma in patterns.values():
        for lemma, listed in by_lemma.items():
            by_lemma[lemma] = sorted(listed, key=lambda pattern: -pattern.specificity)
    complements = []
    for name, entry in (data.get("complements") or {}).items():
        where = f"complements.{name}"
        if not isinstance(entry, dict) or set(entry) - _COMPLEMENT_KEYS:
            raise _fail(file, where, f"must be a mapping with keys among {sorted(_COMPLEMENT_KEYS)}")
        mapping = entry.get("map") or {}
        for key, code in mapping.items():
            if not isinstance(code, str) or code not in events or not (key == "*" or str(key) in events):
                raise _fail(file, where, f"map entry {key!r}: {code!r} must map CAMEO codes to CAMEO codes")
        own = entry.get("code")
        if own is not None and own not in events:
            raise _fail(file, where, f"code {own!r} is not a CAMEO code")
        complements.append(
            ComplementClass(
                name=name,
                verbs=_lemmas(entry.get("verbs"), file, where, "verbs") or frozenset(),
                nouns=_lemmas(entry.get("nouns"), file, where, "nouns") or frozenset(),
                adjectives=_lemmas(entry.get("adjectives"), file, where, "adjectives") or frozenset(),
                code=own,
                mapping={str(k): v for k, v in mapping.items()},
                object_control=bool(entry.get("object_control", False)),
                own_acts=bool(entry.get("own_acts", False)),
            )
        )
    defaults = data.get("defaults") or {}
    for prefix in defaults.get("mutual") or ():
        if str(prefix) not in events:
            raise _fail(file, "defaults.mutual", f"{prefix!r} is not a CAMEO code")
    discourse = {
        key: _lemmas(value, file, f"discourse.{key}", key) or frozenset()
        for key, value in (data.get("discourse") or {}).items()
    }
    modality = {
        key: _lemmas(value, file, f"modality.{key}", key) or frozenset()
        for key, value in (data.get("modality") or {}).items()
    }
    return TriggerBook(
        modality=modality,
        verbs=patterns["VERB"],
        nouns=patterns["NOUN"],
        adjectives=patterns["ADJ"],
        complements=complements,
        default_targets=tuple(defaults.get("targets") or ("with", "to", "against", "on")),
        source_preps=frozenset(defaults.get("source_preps") or ("by",)),
        support_verbs=_lemmas(defaults.get("support_verbs"), file, "defaults", "support_verbs") or frozenset(),
        circumstance_preps=_lemmas(defaults.get("circumstance_preps"), file, "defaults", "circumstance_preps")
        or frozenset(),
        container_nouns=_lemmas(defaults.get("container_nouns"), file, "defaults", "container_nouns") or frozenset(),
        mutual=tuple(str(code) for code in defaults.get("mutual") or ()),
        discourse=discourse,
        lemma_fixes=_lemma_fixes(defaults.get("lemma_fixes"), file),
    )
