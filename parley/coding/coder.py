"""Code interactions: who did what to whom, sentence by sentence, over one article at a time.

For each sentence the coder finds *triggers* (verbs and event nouns from codebooks/triggers.yaml), finds their
*source* (subject side, "by X", an owner "Russia's mediation") and *target* (object side: the direct object,
"with X", "to X", "between X and Y"), resolves both to actors (actor mentions, coreference through the article's
discourse), changes the code for negation and complements ("refused to meet" is a rejection, "agreed to meet"
an intent to meet), and attaches a date, a place and a confidence.

The article is coded in order because coreference crosses paragraphs ("the two leaders", "his counterpart").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from parley.codebooks import Codebooks, EventType
from parley.coding.places import Gazetteer, Place
from parley.coding.triggers import ANY_OBJECT, ComplementClass, Pattern, TriggerBook
from parley.dates import resolve_event_date
from parley.ids import content_id
from parley.nlp.syntax import Parse
from parley.records import ActorMention, AnnotatedParagraph, TopicTag

SUBJECT_DEPS = ("nsubj", "csubj", "expl")
OBJECT_DEPS = ("dobj", "dative", "obj", "attr", "oprd")
# Relations through which a verb inherits the subject of the verb it hangs from.
INHERIT_DEPS = frozenset(
    {"xcomp", "conj", "advcl", "pcomp", "acl", "relcl", "ccomp", "prep", "dep", "parataxis", "acomp"}
)
# Roots of acts about an event that has not happened (appeals, intents, demands, rejections, threats): the
# event noun they govern ("demanded the WITHDRAWAL", "threatened SANCTIONS") is not coded as having happened.
IRREALIS_ROOTS = frozenset({"02", "03", "10", "12", "13"})
# How an actor reached a sentence from the discourse rather than from its own words.
DISCOURSE_VIAS = frozenset({"pair", "coref", "counterpart", "inherited", "context", "pronoun"})
# Statements, appeals and demands under a protest are its issue ("protested, DEMANDING reforms").
PROTEST_ISSUE_ROOTS = frozenset({"01", "02", "10"})
EVENT_NOUN_HEADS = frozenset(
    {"effort", "process", "initiative", "bid", "attempt", "mission", "campaign", "role", "work"}
)
LOCATION_PREPS = frozenset({"in", "at", "near", "outside", "inside"})
# Where a predicative adjective hangs from its copula: "is SKEPTICAL", "remained CRITICAL", "grew OPTIMISTIC".
PREDICATIVE_DEPS = frozenset({"acomp", "oprd"})
# "<actor>-led coalition": participles through which an actor leads the group they modify.
LEADING_VERBS = frozenset({"lead", "head", "command"})
# Subjects that stand for the noun a relative clause modifies: "the Taliban, WHO condemned ...".
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
MAX_LOCATION_DEPTH = 10


@dataclass(frozen=True, slots=True)
class ActorRef:
    code: str
    country: str | None
    sector: str | None
    name: str | None
    text: str
    kind: str
    via: str  # mention | of | pair | pronoun | counterpart | coref | context | modifier | place | owner
    token: int = -1
    org_type: str | None = None  # IGO | NGO | IMG

    @property
    def actor_type(self) -> str | None:
        """state (has a country), igo, ngo or img; None for an actor known only by its sector."""
        if self.country:
            return "state"
        return self.org_type.lower() if self.org_type else None

    @property
    def named(self) -> bool:
        """Has a country or organisation: an agent noun alone ("officials") is not."""
        return self.kind != "agent" or self.country is not None


@dataclass
class Interaction:
    sentence_index: int
    sentence_text: str
    trigger: str
    trigger_token: int
    code: str
    source: ActorRef
    target: ActorRef | None
    symmetric: bool
    event_date: date | None
    event_date_source: str
    event_date_text: str | None
    place: Place | None
    place_source: str | None
    confidence: float
    statement: bool = False
    specificity: int = 0


@dataclass
class Discourse:
    """What the article has said so far, for coreference and date inheritance."""

    recent: list[ActorRef] = field(default_factory=list)
    pair: tuple[ActorRef, ActorRef] | None = None
    pair_age: int = 0  # paragraphs since the pair was last confirmed
    dated_pairs: list[tuple[frozenset[str], date, str]] = field(default_factory=list)

    country_counts: dict[str, int] = field(default_factory=dict)

    def remember(self, actors: Sequence[ActorRef]) -> None:
        for actor in actors:
            self.recent.append(actor)
            if actor.country:
                self.country_counts[actor.country] = self.country_counts.get(actor.country, 0) + 1
        del self.recent[:-40]

    def home_country(self) -> str | None:
        """The country the article is mostly about so far: named in at least two mentions and half of all."""
        if not self.country_counts:
            return None
        country, count = max(self.country_counts.items(), key=lambda item: (item[1], item[0]))
        total = sum(self.country_counts.values())
        return country if count >= 2 and count * 2 >= total else None

    def set_pair(self, first: ActorRef, second: ActorRef) -> None:
        if first.code != second.code or first.name != second.name:
            self.pair = (first, second)
            self.pair_age = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    token: int
    pattern: Pattern
    code: str
    consumed: tuple[int, ...] = ()


class ArticleCoder:
    """Codes the paragraphs of one article in order. Pure Python over compact annotations."""

    def __init__(self, books: Codebooks, triggers: TriggerBook, gazetteer: Gazetteer) -> None:
        self.books = books
        self.triggers = triggers
        self.gazetteer = gazetteer
        self.discourse_words = triggers.discourse

    # ------------------------------------------------------------------------------------------ triggers

    def _pattern_matches(self, parse: Parse, token: int, pattern: Pattern) -> tuple[int, ...] | None:
        """None if the pattern does not hold at token; else the tokens it consumed (its object noun)."""
        consumed: tuple[int, ...] = ()
        children = parse.children[token]
        if pattern.plural and not (parse.is_plural(token) or parse.norm[token].endswith("s")):
            return None
        if pattern.object == ANY_OBJECT:
            # Any object will do; it is not consumed, so an event noun there is still its own trigger.
            if not any(parse.deps[c] in (*OBJECT_DEPS, "nsubjpass") for c in children):
                return None
        elif pattern.object is not None:
            # npadvmod: the small model sometimes parses an object as an adverbial ("eased curfew hours").
            objects = [c for c in children if parse.deps[c] in (*OBJECT_DEPS, "nsubjpass", "npadvmod")]
            # "captured PART of a stronghold", "seized MOST of the town": the partitive's of-phrase is the object.
            partitive = self.discourse_words.get("partitives", frozenset())
            objects += [
                pobj
                for obj in objects
                if parse.norm_lemma[obj] in partitive
                for prep in parse.children_with(obj, "prep")
                if parse.norm[prep] == "of"
                for pobj in parse.children_with(prep, "pobj")
            ]
            # "hold talks", "sign a peace agreement": the object's lemma, or a conjunct's.
            found = [o for obj in objects for o in parse.conjuncts(obj) if parse.norm_lemma[o] in pattern.object]
            if not found:
                # "launched air strikes": the object noun may be a compound modifier's head.
                found = [
                    m
                    for obj in objects
                    for m in parse.children[obj]
                    if parse.deps[m] in ("compound", "amod") and parse.norm_lemma[m] in pattern.object
                ]
                if not found:
                    return None
                found = [parse.heads[m] for m in found]
            consumed = tuple(found)
        # A verb's required preposition follows it: "WITH the approval of the cabinet, X agreed" is no "agree with".
        if pattern.prep is not None and not any(
            parse.deps[c] in ("prep", "prt", "agent", "dative")
            and parse.norm[c] in pattern.prep
            and (c > token or pattern.pos != "VERB")
            for c in children
        ):
            return None
        if pattern.particle is not None and not any(
            parse.deps[c] in ("prt", "advmod", "prep") and parse.norm[c] == pattern.particle for c in children
        ):
            return None
        if pattern.modifier is not None and not any(
            parse.deps[c] in ("compound", "amod", "nmod", "npadvmod") and parse.norm_lemma[c] in pattern.modifier
            for c in children
        ):
            return None
        if pattern.context is not None:
            scope = set(parse.subtree(token))
            head = parse.heads[token]
            if pattern.pos == "NOUN" and head != token:
                scope.add(head)
            if not any(parse.norm_lemma[i] in pattern.context or parse.norm[i] in pattern.context for i in scope):
                return None
        return consumed

    def _first_match(self, parse: Parse, token: int, patterns: Sequence[Pattern]) -> Candidate | None:
        """The first of a lemma's patterns (most specific first) that holds at `token`."""
        for pattern in patterns:
            taken = self._pattern_matches(parse, token, pattern)
            if taken is not None:
                return Candidate(token, pattern, pattern.code, taken)
        return None

    def find_candidates(self, parse: Parse, start: int, end: int) -> list[Candidate]:
        candidates: list[Candidate] = []
        consumed: set[int] = set()
        # Verbs first, so a verb pattern that names its object ("impose sanctions") consumes the noun trigger.
        for token in range(start, end):
            # "the VISITING crown prince": a participle used as an adjective is not an act.
            if parse.pos[token] != "VERB" or parse.deps[token] == "amod":
                continue
            found = self._first_match(parse, token, self.triggers.verbs.get(parse.norm_lemma[token], ()))
            if found is not None:
                candidates.append(found)
                consumed.update(found.consumed)
        # A complement verb with no pattern of its own ("pressured X to cancel ...") codes its class's act.
        matched = {c.token for c in candidates}
        for token in range(start, end):
            if parse.pos[token] != "VERB" or token in matched:
                continue
            complement = self.triggers.complement_class(parse.norm_lemma[token], "VERB")
            if complement is not None and complement.code is not None:
                pattern = Pattern(lemma=parse.norm_lemma[token], code=complement.code, pos="VERB")
                candidates.append(Candidate(token, pattern, complement.code))
        nouns = [t for t in range(start, end) if parse.pos[t] in ("NOUN", "PROPN") and t not in consumed]
        # Predicative adjectives only ("it is skeptical of"): "a critical moment" is no comment.
        adjectives = [t for t in range(start, end) if parse.pos[t] == "ADJ" and parse.deps[t] in PREDICATIVE_DEPS]
        for tokens, book in ((nouns, self.triggers.nouns), (adjectives, self.triggers.adjectives)):
            for token in tokens:
                found = self._first_match(parse, token, book.get(parse.norm_lemma[token], ()))
                if found is not None:
                    candidates.append(replace(found, consumed=()))
        return candidates

    # --------------------------------------------------------------------------------------------- actors

    def _mention_at(self, token: int, mentions_by_token: dict[int, ActorMention]) -> ActorMention | None:
        return mentions_by_token.get(token)

    def _ref(self, mention: ActorMention, via: str = "mention") -> ActorRef:
        return ActorRef(
            mention.actor_code,
            mention.country,
            mention.sector,
            mention.name,
            mention.text,
            mention.kind,
            via,
            mention.head,
            mention.org_type,
        )

    def _pair_refs(self, discourse: Discourse) -> list[ActorRef]:
        if discourse.pair is None:
            named = []
            for actor in reversed(discourse.recent):
                if actor.named and all(actor.code != other.code for other in named):
                    named.append(actor)
                if len(named) == 2:
                    return [replace(a, via="pair") for a in reversed(named)]
            return []
        return [replace(actor, via="pair") for actor in discourse.pair]

    def _pronoun(self, parse: Parse, token: int, discourse: Discourse) -> list[ActorRef]:
        word = parse.norm[token]
        words = self.discourse_words
        if word in words.get("plural_pronouns", ()):
            if discourse.pair is not None and discourse.pair_age <= 4:
                return self._pair_refs(discourse)
            for actor in reversed(discourse.recent):
                if actor.named:
                    return [replace(actor, via="pronoun")]
            return []
        if word in words.get("singular_pronouns", ()):
            for actor in reversed(discourse.recent):
                if actor.kind == "person" or (actor.kind == "agent" and actor.named):
                    return [replace(actor, via="pronoun")]
            return []
        if word in words.get("neuter_pronouns", ()):
            for actor in reversed(discourse.recent):
                if actor.kind in ("country", "organisation", "group"):
                    return [replace(actor, via="pronoun")]
        return []

    def _number_agrees(self, parse: Parse, pronoun: int, antecedent: int) -> bool:
        plural_pronoun = parse.norm[pronoun] in self.discourse_words.get("plural_pronouns", ())
        plural = parse.is_plural(antecedent) or any(parse.deps[c] == "conj" for c in parse.children[antecedent])
        # Countries and organisations are "it" and also "they" in British usage.
        return plural_pronoun == plural or parse.pos[antecedent] == "PROPN" or parse.norm[pronoun] in ("it", "its")

    def _is_pair_phrase(self, parse: Parse, token: int) -> bool:
        """'the two leaders', 'both sides', 'both the leaders', 'the presidents'."""
        words = self.discourse_words
        lemma = parse.norm_lemma[token]
        if lemma not in words.get("pair_nouns", ()):
            return False
        modifiers = {parse.norm[c] for c in parse.children[token]}
        if modifiers & words.get("pair_determiners", frozenset()):
            return True
        return (
            parse.is_plural(token)
            and lemma in words.get("plural_definite_heads", ())
            and "the" in modifiers
            and not any(parse.deps[c] in ("amod", "compound", "prep", "poss") for c in parse.children[token])
        )

    def resolve(
        self,
        parse: Parse,
        token: int,
        mentions_by_token: dict[int, ActorMention],
        discourse: Discourse,
        depth: int = 0,
    ) -> list[ActorRef]:
        """The actors a noun phrase headed by `token` refers to (conjuncts expanded)."""
        refs: list[ActorRef] = []
        conjuncts = parse.conjuncts(token)
        modifier_conjuncts: set[int] = set()
        mention = mentions_by_token.get(token)
        if mention is not None:
            # "minister Gerald Darmanin and heads of ...": the conjunction may hang from any word of the mention.
            for inner in range(mention.start, mention.end):
                for extra in parse.conjuncts(inner)[1:]:
                    inside = mention.start <= extra < mention.end
                    other = mentions_by_token.get(extra)
                    if (not inside or (other is not None and other is not mention)) and extra not in conjuncts:
                        conjuncts.append(extra)
                        if parse.deps[inner] in ("amod", "compound", "nmod"):
                            # "Japanese and South Korean officials": South Korean officials too.
                            modifier_conjuncts.add(extra)
        for conjunct in conjuncts:
            for ref in self._resolve_single(parse, conjunct, mentions_by_token, discourse, depth):
                if (
                    conjunct in modifier_conjuncts
                    and mention is not None
                    and ref.country
                    and not ref.sector
                    and mention.sector
                ):
                    ref = replace(ref, code=f"{ref.country}{mention.sector}", sector=mention.sector)
                if all(ref.code != r.code or ref.name != r.name for r in refs):
                    refs.append(ref)
        # "the presidents of Russia and Azerbaijan" gives AZEGOV; a bare AZE for the same word adds nothing.
        specific = {r.country for r in refs if r.country and r.sector}
        return [r for r in refs if not (r.country in specific and not r.sector and r.kind == "country")]

    def _resolve_single(
        self,
        parse: Parse,
        token: int,
        mentions_by_token: dict[int, ActorMention],
        discourse: Discourse,
        depth: int,
    ) -> list[ActorRef]:
        if depth > 3:
            return []
        words = self.discourse_words
        of_objects = [
            pobj
            for prep in parse.children[token]
            if parse.deps[prep] == "prep" and parse.norm[prep] == "of"
            for pobj in parse.children_with(prep, "pobj")
        ]
        mention = self._mention_at(token, mentions_by_token)
        if mention is not None:
            ref = self._ref(mention)
            # "the presidents of Russia and Azerbaijan": the head's sector for each country of the of-phrase.
            if mention.kind == "agent" or (of_objects and mention.head == token):
                expanded = []
                for pobj in of_objects:
                    for inner in self.resolve(parse, pobj, mentions_by_token, discourse, depth + 1):
                        if inner.country and inner.kind in ("country", "agent"):
                            sector = mention.sector or inner.sector
                            expanded.append(
                                replace(
                                    inner,
                                    code=f"{inner.country}{sector or ''}",
                                    sector=sector,
                                    via="of",
                                    token=token,
                                )
                            )
                        elif inner.named:
                            expanded.append(replace(inner, via="of"))
                if expanded:
                    return expanded
            if mention.kind == "agent" and mention.country is None:
                if self._is_pair_phrase(parse, token):
                    return self._pair_refs(discourse)
                # "opposition groups in Zimbabwe", "rebels from Darfur": the place's country.
                place_preps = words.get("agent_place_preps", frozenset({"in", "from", "inside"}))
                for prep in parse.children[token]:
                    if parse.deps[prep] == "prep" and parse.norm[prep] in place_preps:
                        for pobj in parse.children_with(prep, "pobj"):
                            inner = mentions_by_token.get(pobj)
                            if inner is not None and inner.country:
                                sector = mention.sector
                                return [
                                    replace(ref, code=f"{inner.country}{sector or ''}", country=inner.country, via="of")
                                ]
                return [self._agent_coref(ref, parse, token, discourse)]
            return [ref]
        if parse.pos[token] == "PRON":
            # "China said IT condemned Japan": a subject pronoun of a reported clause is the reporter.
            clause = parse.heads[token]
            if parse.deps[token] in ("nsubj", "nsubjpass") and parse.deps[clause] in (
                "ccomp",
                "conj",
                "advcl",
            ):
                governor = parse.heads[clause]
                for subject in parse.children_with(governor, "nsubj"):
                    if subject != token and parse.pos[subject] != "PRON" and self._number_agrees(parse, token, subject):
                        found = self.resolve(parse, subject, mentions_by_token, discourse, depth + 1)
                        if found:
                            return [replace(ref, via="pronoun") for ref in found]
            return self._pronoun(parse, token, discourse)
        if self._is_pair_phrase(parse, token):
            return self._pair_refs(discourse)
        lemma = parse.norm_lemma[token]
        if lemma in words.get("counterpart_nouns", ()):
            # "his Guyanese counterpart": the country's official; "his counterpart": the other party.
            for child in parse.children[token]:
                found = mentions_by_token.get(child)
                if found is not None and found.country and parse.deps[child] in ("amod", "compound", "nmod"):
                    return [
                        ActorRef(
                            f"{found.country}GOV",
                            found.country,
                            "GOV",
                            found.name,
                            parse.words[token],
                            "country",
                            "counterpart",
                            token,
                        )
                    ]
            return [replace(actor, via="counterpart") for actor in self._pair_refs(discourse)] if discourse.pair else []
        if lemma in words.get("of_heads", ()) or lemma in EVENT_NOUN_HEADS or parse.pos[token] == "NUM":
            # "the Turkish and Greek SIDES of the island of Cyprus": the head's own countries come first.
            modifiers = [
                m
                for child in parse.children[token]
                if parse.deps[child] == "amod"
                for word in parse.conjuncts(child)
                if (m := mentions_by_token.get(word)) is not None and m.kind == "country" and m.country
            ]
            if modifiers:
                return [replace(self._ref(m), via="modifier", token=token) for m in modifiers]
            for pobj in of_objects:
                found = self.resolve(parse, pobj, mentions_by_token, discourse, depth + 1)
                if found:
                    return [replace(ref, via="of") for ref in found]
        elif parse.pos[token] == "NOUN" and depth < 2:
            # "positions of the Palestinian security forces", "a camp for Congolese refugees": whose thing it is.
            unplaced: list[ActorRef] = []
            for prep in parse.children[token]:
                if parse.deps[prep] == "prep" and parse.norm[prep] in ("of", "for"):
                    for pobj in parse.children_with(prep, "pobj"):
                        found = [
                            r for r in self.resolve(parse, pobj, mentions_by_token, discourse, depth + 1) if r.named
                        ]
                        if any(r.actor_type for r in found):
                            return [replace(ref, via="modifier") for ref in found]
                        unplaced = unplaced or found
            # "the Azerbaijani republic of Nakhichevan": a name the codebooks cannot place yields to a country
            # modifying the noun itself.
            for child in parse.children[token]:
                found_mention = mentions_by_token.get(child)
                if (
                    unplaced
                    and found_mention is not None
                    and parse.deps[child] in ("amod", "compound")
                    and found_mention.kind == "country"
                    and found_mention.country
                ):
                    return [replace(self._ref(found_mention), via="modifier", token=token)]
            if unplaced:
                return [replace(ref, via="modifier") for ref in unplaced]
        entity = self._entity_ref(parse, token, discourse, mentions_by_token)
        if entity is not None:
            return [entity]
        owned = lemma in self.triggers.nouns or lemma in EVENT_NOUN_HEADS or lemma in words.get("owned_nouns", ())
        if parse.pos[token] in ("NOUN", "PROPN"):
            # "the UN appeal", "Russia's proposal": the owner of an event noun; "the APEC forum", "Russian
            # aircraft", "a Tehran court": a named modifier stands for an actor noun the codebooks lack.
            for child in parse.children[token]:
                found = mentions_by_token.get(child)
                if (
                    found is not None
                    and parse.deps[child] in ("compound", "poss", "amod", "nmod")
                    and (found.kind != "agent" or found.country)
                ):
                    return [replace(self._ref(found), via="owner" if owned else "modifier", token=token)]
            if owned and depth < 2:
                # "a demand FROM the US President", "an appeal BY the UN": whose proposal or demand it is.
                for prep in parse.children[token]:
                    if parse.deps[prep] == "prep" and parse.norm[prep] in ("from", "by"):
                        for pobj in parse.children_with(prep, "pobj"):
                            found_refs = [
                                r for r in self.resolve(parse, pobj, mentions_by_token, discourse, depth + 1) if r.named
                            ]
                            if found_refs:
                                return [replace(ref, via="owner", token=token) for ref in found_refs]
            for child in parse.children[token]:
                # "the governor's office", "Holcomb's spokesman": an owner the codebooks only know as a role or
                # not at all still says whose act it is.
                if parse.deps[child] == "poss" and parse.pos[child] in ("NOUN", "PROPN") and depth < 2:
                    found_refs = self.resolve(parse, child, mentions_by_token, discourse, depth + 1)
                    if found_refs:
                        return [replace(ref, via="owner" if owned else "modifier", token=token) for ref in found_refs]
            for child in parse.children[token]:
                # "the Saudi-led coalition", "Vietnamese-led forces": the leading actor stands for the group.
                if parse.deps[child] == "amod" and parse.norm_lemma[child] in LEADING_VERBS:
                    for leader in parse.children[child]:
                        found = mentions_by_token.get(leader)
                        if found is not None and found.kind != "agent":
                            return [replace(self._ref(found), via="modifier", token=token)]
        return []

    def _entity_ref(self, parse: Parse, token: int, discourse: Discourse, mentions_by_token) -> ActorRef | None:
        """A named entity the codebooks do not know ("Sen. Mitch McConnell", "the Earth Liberation Front",
        "a Kansas woman"): an actor of kind 'entity', coded with its place's country, else the article's
        country, else UNK. It keeps the event without pretending to know who the actor is."""
        span = parse.entity_span_of[token]
        label = parse.entity_of[token]
        if span is None:
            # "a Kansas woman": a place name modifying the noun.
            for child in parse.children[token]:
                if parse.deps[child] in ("compound", "amod") and parse.entity_of[child] in ("GPE", "LOC"):
                    place = self.gazetteer.lookup(parse.span_text(*parse.entity_span_of[child]))
                    if place is not None and place.country:
                        text = parse.span_text(child, token + 1)
                        return ActorRef(place.country, place.country, None, None, text, "entity", "entity", token)
            return None
        if label not in ("PERSON", "ORG", "NORP", "GPE", "LOC", "FAC"):
            return None
        text = parse.span_text(*span)
        if label == "PERSON":
            # "U.N. mediator Diego Cordovez": a title chain ending in an organisation or a country.
            stack = [(child, 1) for child in parse.children[token]]
            while stack:
                child, level = stack.pop()
                if parse.deps[child] not in ("compound", "amod", "nmod", "appos", "poss") or level > 3:
                    continue
                found = mentions_by_token.get(child)
                if found is not None and (found.kind != "agent" or found.country):
                    return replace(self._ref(found), name=text, text=text, kind="person", via="modifier", token=token)
                stack.extend((grandchild, level + 1) for grandchild in parse.children[child])
        country = None
        if label in ("GPE", "LOC", "FAC"):
            place = self.gazetteer.lookup(text)
            country = place.country if place else None
        else:
            # "Iraqi Kurds", "Somali Bantu": a people or group the codebooks lack, with its country as a modifier.
            for child in parse.children[token]:
                found = mentions_by_token.get(child)
                if (
                    found is not None
                    and parse.deps[child] in ("amod", "compound", "nmod")
                    and found.kind == "country"
                    and found.country
                    and not found.sector
                ):
                    text = parse.span_text(min(found.start, child), token + 1)
                    return ActorRef(found.country, found.country, None, text, text, "entity", "modifier", token)
        country = country or discourse.home_country()
        return ActorRef(country or "UNK", country, None, text, text, "entity", "entity", token)

    def _agent_coref(self, ref: ActorRef, parse: Parse, token: int, discourse: Discourse) -> ActorRef:
        """'the prime minister' with no country: the last named actor of the same sector, if any."""
        definite = any(parse.norm[c] == "the" for c in parse.children[token])
        if definite:
            for actor in reversed(discourse.recent):
                if actor.country and actor.sector == ref.sector:
                    return replace(actor, text=ref.text, via="coref", token=ref.token)
        return ref

    # ---------------------------------------------------------------------------------------------- roles

    def _subject_of(self, parse: Parse, verb: int) -> tuple[list[int], list[int]]:
        """(subject tokens, passive-subject tokens) of a verb, climbing to the governing verb when needed."""
        current = verb
        for _ in range(4):
            subjects = [c for c in parse.children[current] if parse.deps[c] in SUBJECT_DEPS]
            passive = [c for c in parse.children[current] if parse.deps[c] == "nsubjpass"]
            agents = [
                pobj
                for c in parse.children[current]
                if parse.deps[c] == "agent"
                for pobj in parse.children_with(c, "pobj")
            ]
            head = parse.heads[current]
            if parse.deps[current] == "relcl" and parse.pos[head] in ("NOUN", "PROPN"):
                # "the Taliban, WHO condemned": the relative pronoun stands for the noun the clause modifies.
                subjects = [head if parse.norm[s] in RELATIVE_PRONOUNS else s for s in subjects]
                passive = [head if parse.norm[s] in RELATIVE_PRONOUNS else s for s in passive]
            if not (subjects or passive or agents):
                # "USAID provided ...": the small model tags an unknown acronym before its verb as an adverb.
                subjects = [
                    c
                    for c in parse.children[current]
                    if c < current
                    and parse.deps[c] in ("advmod", "npadvmod", "dep")
                    and parse.words[c].isupper()
                    and len(parse.words[c]) > 1
                ]
            if subjects or passive or agents:
                return subjects or agents, passive
            if parse.deps[current] in ("acl", "relcl") and parse.pos[head] in ("NOUN", "PROPN"):
                # A clause on a noun with no subject of its own: "troops PATROLLING the border" (the noun does
                # it), "sanctions IMPOSED on Iran" (the noun undergoes it).
                if parse.tags[current] == "VBN" and not parse.children_with(current, "dobj"):
                    return [], [head]
                return [head], []
            if head == current or parse.deps[current] not in INHERIT_DEPS:
                break
            # "urged Iran to stop": the object of an object-control verb is the subject of its complement.
            if parse.deps[current] == "xcomp":
                objects = parse.children_with(head, "dobj")
                complement = self.triggers.complement_class(parse.norm_lemma[head], parse.pos[head])
                if objects and complement is not None and complement.object_control:
                    return objects, []
            current = head
            if parse.pos[current] == "ADP":
                current = parse.heads[current]
        return [], []

    def _prep_objects(self, parse: Parse, token: int, preps: Sequence[str]) -> list[tuple[str, int]]:
        found = []
        for child in parse.children[token]:
            if parse.deps[child] in ("prep", "dative", "agent", "prt") and parse.norm[child] in preps:
                for pobj in parse.children[child]:
                    if parse.deps[pobj] in ("pobj", "pcomp", "dobj"):
                        found.append((parse.norm[child], pobj))
        order = {prep: index for index, prep in enumerate(preps)}
        return sorted(found, key=lambda item: order[item[0]])

    def _targets_from_preps(
        self, parse: Parse, heads: Sequence[int], preps: Sequence[str], mentions_by_token, discourse
    ) -> list[ActorRef]:
        # "kidnapped up TO 16 advisers": a preposition may hang from the verb's particle.
        heads = [*heads, *(c for h in heads for c in parse.children[h] if parse.deps[c] == "prt")]
        for head in heads:
            for _prep, pobj in self._prep_objects(parse, head, preps):
                refs = self.resolve(parse, pobj, mentions_by_token, discourse)
                if refs:
                    return refs
        return []

    def _verb_roles(
        self, parse: Parse, candidate: Candidate, mentions_by_token, discourse
    ) -> tuple[list[ActorRef], list[ActorRef], bool]:
        """(sources, targets, source_is_subject) of a verb trigger."""
        verb = candidate.token
        pattern = candidate.pattern
        subjects, passive = self._subject_of(parse, verb)
        sources = [r for s in subjects for r in self.resolve(parse, s, mentions_by_token, discourse)]
        targets: list[ActorRef] = []
        if passive:
            targets = [r for s in passive for r in self.resolve(parse, s, mentions_by_token, discourse)]
        preps = pattern.targets or (tuple(pattern.prep) if pattern.prep else self.triggers.default_targets)
        objects = [c for c in parse.children[verb] if parse.deps[c] in OBJECT_DEPS]
        source_keys = {(s.code, s.name) for s in sources}

        def others(refs: list[ActorRef]) -> list[ActorRef]:
            # A mis-parse can make the subject's own title an object ("Israeli PM | Netanyahu discussed").
            return [r for r in refs if (r.code, r.name) not in source_keys]

        options = []
        if pattern.targets or pattern.prep:
            options.append(
                lambda: self._targets_from_preps(parse, [verb, *objects], preps, mentions_by_token, discourse)
            )
        options.extend(lambda obj=obj: self.resolve(parse, obj, mentions_by_token, discourse) for obj in objects)
        # "condemned the attack BY X", "demanded the withdrawal OF Serbian forces", "welcomed the talks BETWEEN
        # X and Y": the actors of an event noun are what the verb is about.
        options.extend(
            lambda obj=obj: self._event_noun_actors(parse, obj, mentions_by_token, discourse)
            for obj in objects
            if parse.norm_lemma[obj] in self.triggers.nouns
        )
        options.append(
            lambda: self._targets_from_preps(
                parse,
                [verb, *self._object_family(parse, objects)],
                self.triggers.default_targets,
                mentions_by_token,
                discourse,
            )
        )
        # "demanded an admission BY Moscow", "rejected an offer FROM Afghanistan": whose act the object is.
        options.extend(
            lambda obj=obj: self._targets_from_preps(parse, [obj], ("by", "from"), mentions_by_token, discourse)
            for obj in objects
        )
        # "refused to respond to a demand FROM the US", "agreed to help Lebanon": the objects of a complement
        # that is not itself an event.
        for clause in [*parse.children_with(verb, "xcomp"), *parse.children_with(verb, "advcl")]:
            clause_objects = [c for c in parse.children[clause] if parse.deps[c] in OBJECT_DEPS]
            options.extend(
                lambda obj=obj: self.resolve(parse, obj, mentions_by_token, discourse) for obj in clause_objects
            )
            options.append(
                lambda clause=clause, clause_objects=clause_objects: self._targets_from_preps(
                    parse,
                    [clause, *clause_objects],
                    (*self.triggers.default_targets, "by", "from"),
                    mentions_by_token,
                    discourse,
                )
            )
        # "demanded THAT the US cancel ...", "accused X of ...": the subject of the verb's reported clause.
        options.append(lambda: self._clause_subjects(parse, verb, mentions_by_token, discourse))
        # "began a hunger strike to protest AGAINST Sweden's decision": an against-phrase anywhere in the act.
        options.append(lambda: self._against_in_subtree(parse, verb, mentions_by_token, discourse))
        # "in his telephone conversation WITH Macron, Putin discussed": the partner of an event noun under the verb.
        options.append(lambda: self._event_noun_partners(parse, verb, mentions_by_token, discourse))
        if not targets:
            # The first option that names an actor wins; one that finds only an unnamed agent ("its troops")
            # is kept as a last resort, so later options still get their chance.
            fallback: list[ActorRef] = []
            for option in options:
                found = others(option())
                if any(t.named for t in found):
                    targets = found
                    break
                fallback = fallback or found
            targets = targets or fallback
        if not sources:
            # "the statement by the presidents ... is being implemented": the object's by-phrase.
            for holder in [*passive, *objects]:
                for _prep, pobj in self._prep_objects(parse, holder, tuple(self.triggers.source_preps)):
                    sources = self.resolve(parse, pobj, mentions_by_token, discourse)
                    if sources:
                        targets = [t for t in targets if all(t.code != s.code for s in sources)]
                        return sources, targets, False
        return sources, targets, bool(subjects) and parse.deps[verb] in ("ROOT", "conj", "ccomp", "advcl")

    def _against_in_subtree(self, parse: Parse, token: int, mentions_by_token, discourse) -> list[ActorRef]:
        for node in parse.subtree(token):
            if parse.deps[node] == "prep" and parse.norm[node] == "against":
                # "crimes committed BY Croat forces against civilians": the doer, not the victims, is whom an
                # investigation or a protest of the act is aimed at.
                for agent in parse.children_with(parse.heads[node], "agent"):
                    for doer in parse.children_with(agent, "pobj"):
                        found = [r for r in self.resolve(parse, doer, mentions_by_token, discourse) if r.named]
                        if found:
                            return found
                for pobj in parse.children_with(node, "pobj"):
                    found = [r for r in self.resolve(parse, pobj, mentions_by_token, discourse) if r.named]
                    if found:
                        return found
                    # "against the human rights violations BY Algerian security forces": the doer of what is
                    # opposed.
                    for prep in parse.children_with(pobj, "prep", "agent"):
                        if parse.norm[prep] == "by":
                            for doer in parse.children_with(prep, "pobj"):
                                found = [r for r in self.resolve(parse, doer, mentions_by_token, discourse) if r.named]
                                if found:
                                    return found
        return []

    @staticmethod
    def _object_family(parse: Parse, objects: Sequence[int]) -> list[int]:
        """Objects, their conjuncts and the nouns of their of-phrases: "sent vehicles and a team of
        paratroopers TO LEBANON" where the parse hangs "to Lebanon" from the last noun."""
        family: list[int] = []
        for obj in objects:
            for conjunct in parse.conjuncts(obj):
                family.append(conjunct)
                family.extend(
                    pobj
                    for prep in parse.children[conjunct]
                    if parse.deps[prep] == "prep" and parse.norm[prep] == "of"
                    for pobj in parse.children_with(prep, "pobj")
                )
        return family

    def _clause_subjects(self, parse: Parse, verb: int, mentions_by_token, discourse) -> list[ActorRef]:
        for clause in parse.children_with(verb, "ccomp"):
            for subject in parse.children[clause]:
                if parse.deps[subject] in ("nsubj", "nsubjpass") and parse.pos[subject] != "PRON":
                    found = self.resolve(parse, subject, mentions_by_token, discourse)
                    if found:
                        return found
        return []

    def _event_noun_actors(self, parse: Parse, noun: int, mentions_by_token, discourse) -> list[ActorRef]:
        pattern = self.triggers.nouns[parse.norm_lemma[noun]][0]
        sources, targets, _ = self._noun_roles(
            parse, Candidate(noun, pattern, pattern.code), mentions_by_token, discourse
        )
        subject_tokens = set()
        verb = parse.heads[noun]
        subject_tokens.update(c for c in parse.children[verb] if parse.deps[c] in SUBJECT_DEPS)
        # The verb's own subject is not its target ("launched an attack": the attacker is the source).
        sources = [s for s in sources if s.token not in subject_tokens]
        return sources or targets

    def _event_noun_partners(self, parse: Parse, verb: int, mentions_by_token, discourse) -> list[ActorRef]:
        for prep in parse.children[verb]:
            if parse.deps[prep] != "prep":
                continue
            for noun in parse.children_with(prep, "pobj"):
                lemma = parse.norm_lemma[noun]
                if lemma in self.triggers.nouns or lemma in EVENT_NOUN_HEADS:
                    found = self._targets_from_preps(parse, [noun], ("with", "between"), mentions_by_token, discourse)
                    if found:
                        return found
        return []

    def _agent_verb(self, parse: Parse, noun: int) -> int | None:
        """The verb whose subject does the noun's event: "HELD talks", "IN a telephone conversation, (they)
        DISCUSSED"; None after verbs that only comment on it ("praised the talks", "sanctions over the arrest")."""
        current = noun
        for _ in range(3):
            dep = parse.deps[current]
            head = parse.heads[current]
            if head == current:
                return None
            if dep in ("compound", "conj", "appos") and parse.pos[head] in ("NOUN", "PROPN"):
                current = head
                continue
            if dep == "pobj" and parse.norm[head] == "of":
                holder = parse.heads[head]
                if holder != head and parse.norm_lemma[holder] in self.triggers.container_nouns:
                    current = holder
                    continue
            if dep in ("dobj", "nsubjpass", "attr") and parse.pos[head] == "VERB":
                return head if parse.norm_lemma[head] in self.triggers.support_verbs else None
            if dep == "pobj" and parse.norm[head] in self.triggers.circumstance_preps:
                verb = parse.heads[head]
                return verb if parse.pos[verb] in ("VERB", "AUX") and verb != head else None
            return None
        return None

    def _governing_verb(self, parse: Parse, noun: int) -> int | None:
        """The verb a noun trigger hangs from as object or prepositional object ("held TALKS", "IN a call")."""
        current = noun
        for _ in range(3):
            head = parse.heads[current]
            if head == current:
                return None
            if parse.pos[head] in ("VERB", "AUX"):
                return head
            if parse.pos[head] == "ADP" or parse.deps[current] in ("compound", "pobj", "conj", "appos"):
                current = head
                continue
            return None
        return None

    def _noun_roles(
        self, parse: Parse, candidate: Candidate, mentions_by_token, discourse
    ) -> tuple[list[ActorRef], list[ActorRef], bool]:
        noun = candidate.token
        pattern = candidate.pattern
        # "mediation efforts": the roles hang from the generic head noun.
        anchor = noun
        if parse.deps[noun] == "compound" and parse.norm_lemma[parse.heads[noun]] in EVENT_NOUN_HEADS:
            anchor = parse.heads[noun]
        sources: list[ActorRef] = []
        targets: list[ActorRef] = []
        for child in parse.children[anchor]:
            if parse.deps[child] in ("poss", "amod", "compound", "nmod") and child != noun:
                # A possessive pronoun ("HIS telephone conversation") is resolved below, after the governing
                # verb's subject, which it usually announces ("..., Putin discussed").
                if parse.pos[child] == "PRON":
                    continue
                found = self.resolve(parse, child, mentions_by_token, discourse)
                if found and not sources:
                    sources = found
        by_actors = self._targets_from_preps(
            parse, [anchor], tuple(self.triggers.source_preps), mentions_by_token, discourse
        )
        if by_actors:
            sources = by_actors
        for child in parse.children[anchor]:
            if parse.deps[child] == "relcl":
                subjects, _ = self._subject_of(parse, child)
                for subject in subjects:
                    found = self.resolve(parse, subject, mentions_by_token, discourse)
                    if found:
                        sources = found
        of_actors = self._targets_from_preps(parse, [anchor], ("of",), mentions_by_token, discourse)
        between = self._targets_from_preps(parse, [anchor], ("between", "among"), mentions_by_token, discourse)
        participants: list[ActorRef] = []
        if between:
            participants = between
        elif of_actors and pattern.of_role == "participants":
            participants = of_actors
        elif of_actors and pattern.of_role == "source" and not sources:
            sources = of_actors
        elif of_actors and pattern.of_role == "target":
            targets = of_actors
        if not targets and not participants:
            preps = pattern.targets or self.triggers.default_targets
            targets = self._targets_from_preps(
                parse,
                [anchor],
                [p for p in preps if p not in ("between", "of")],
                mentions_by_token,
                discourse,
            )
        if not targets and not participants:
            # "a suspension of air links WITH Serbia", "the resumption of talks WITH Iran": the partner of the
            # relation the noun acts on.
            held = [
                pobj
                for prep in parse.children_with(anchor, "prep")
                if parse.norm[prep] == "of"
                for pobj in parse.children_with(prep, "pobj")
            ]
            if held:
                targets = self._targets_from_preps(parse, held, ("with", "to", "from"), mentions_by_token, discourse)
        if not targets and not participants:
            # "a protest against the violations by the security forces": the doer of what is opposed.
            targets = self._against_in_subtree(parse, anchor, mentions_by_token, discourse)
        from_subject = False
        if not sources and not participants:
            verb = self._agent_verb(parse, anchor)
            if verb is not None:
                subjects, _passive = self._subject_of(parse, verb)
                sources = [r for s in subjects for r in self.resolve(parse, s, mentions_by_token, discourse)]
                from_subject = bool(sources) and parse.deps[verb] in ("ROOT", "conj")
        if not sources and not participants:
            for child in parse.children[anchor]:
                if parse.deps[child] == "poss" and parse.pos[child] == "PRON":
                    sources = self.resolve(parse, child, mentions_by_token, discourse)
        if participants:
            return participants, [], False
        return sources, targets, from_subject

    # ------------------------------------------------------------------------------------- date and place

    def _excluded_subtrees(self, parse: Parse, token: int, others: Sequence[int]) -> set[int]:
        excluded: set[int] = set()
        own = set(parse.subtree(token))
        for other in others:
            if other != token and other in own:
                excluded.update(parse.subtree(other))
        return excluded

    def _event_date(
        self,
        parse: Parse,
        token: int,
        others: Sequence[int],
        published: date | None,
        sentence: tuple[int, int],
    ) -> tuple[date | None, str, str | None]:
        scope = set(parse.subtree(token)) - self._excluded_subtrees(parse, token, others)
        head = parse.heads[token]
        if parse.pos[token] == "NOUN" and head != token:
            # A noun's date may hang from its verb: "held talks ON MONDAY".
            verb = self._governing_verb(parse, token)
            if verb is not None:
                scope.update(
                    i
                    for c in parse.children[verb]
                    if parse.deps[c] in ("npadvmod", "prep", "advmod", "tmod")
                    for i in parse.subtree(c)
                )
        for start, end, label in parse.annotated.ents:
            if label != "DATE" or not (sentence[0] <= start < sentence[1]):
                continue
            if not any(i in scope for i in range(start, end)):
                continue
            phrase = parse.span_text(start, end)
            resolved, source = resolve_event_date(phrase, published)
            if resolved is not None:
                return resolved, source, phrase
        return None, "unknown", None

    def _event_place(
        self, parse: Parse, token: int, others: Sequence[int], anchors: Sequence[int] = (), mentions_by_token=None
    ) -> Place | None:
        """Where the event happened: 'in/at <place>' attached to the trigger or to a verb under it
        ("talks ... held IN MOSCOW"), not a place inside an actor or object ("production in Israel")."""
        excluded = self._excluded_subtrees(parse, token, others)
        frontier = [(token, 0)]
        while frontier:
            current, depth = frontier.pop(0)
            for child in parse.children[current]:
                if child in excluded or depth >= MAX_LOCATION_DEPTH:
                    continue
                governed_by_event = current == token or current in anchors or parse.pos[current] == "VERB"
                if governed_by_event and parse.deps[child] == "prep" and parse.norm[child] in LOCATION_PREPS:
                    # "outside OF the city": the place may hang from a second preposition.
                    pobjs = parse.children_with(child, "pobj") or [
                        pobj
                        for prep in parse.children_with(child, "prep")
                        for pobj in parse.children_with(prep, "pobj")
                    ]
                    # "near the town OF SAMARRA", "in the northern city OF KIRKUK": a place noun's named place.
                    pobjs += [
                        named
                        for pobj in list(pobjs)
                        if parse.pos[pobj] == "NOUN"
                        for prep in parse.children_with(pobj, "prep")
                        if parse.norm[prep] == "of"
                        for named in parse.children_with(prep, "pobj")
                        if parse.pos[named] == "PROPN"
                    ]
                    for pobj in pobjs:
                        span = parse.entity_span_of[pobj]
                        if span and parse.entity_of[pobj] in ("GPE", "LOC", "FAC", "NORP"):
                            place = self.gazetteer.lookup(parse.span_text(*span))
                            if place is not None:
                                return place
                        # "in the Gaza Strip": a place the countries codebook knows though the gazetteer does not.
                        # "in Montenegro province", "in Nigeria's state of Borno": the country may be a modifier of
                        # the place noun.
                        modifiers = (c for c in parse.children[pobj] if parse.deps[c] in ("compound", "poss"))
                        for word in (pobj, *modifiers):
                            mention = mentions_by_token.get(word) if mentions_by_token else None
                            if (
                                mention is not None
                                and mention.kind == "country"
                                and mention.country
                                and not mention.sector
                            ):
                                return Place(mention.text, mention.country, None, None, "country")
                frontier.append((child, depth + 1))
        return None

    def _object_place(self, parse: Parse, token: int, others: Sequence[int], mentions_by_token) -> Place | None:
        """The place of the act's object: 'in/at <place>' on the object of the trigger, of its complement
        ("threatened to resume attacks IN ISRAEL") or of its prepositions ("fired at targets IN JERICHO")."""
        heads = [token, *parse.children_with(token, "xcomp")]
        objects = [c for h in heads for c in parse.children[h] if parse.deps[c] in OBJECT_DEPS]
        objects += [
            pobj for h in heads for prep in parse.children_with(h, "prep") for pobj in parse.children_with(prep, "pobj")
        ]
        for obj in objects:
            place = self._event_place(parse, obj, others, (), mentions_by_token)
            if place is not None and place.country:
                return place
        return None

    # ----------------------------------------------------------------------------------------- complements

    def _complement_governor(self, parse: Parse, token: int) -> tuple[int, ComplementClass] | None:
        """'agreed TO MEET', 'their readiness TO COORDINATE', 'urged Iran TO STOP': the complement-taking word."""
        while parse.deps[token] == "conj" and parse.heads[token] != token:
            # "aims to tighten sanctions and IMPOSE a blockade": a conjunct shares its first conjunct's governor.
            token = parse.heads[token]
        if parse.deps[token] not in ("xcomp", "acl", "ccomp"):
            return None
        head = parse.heads[token]
        if head == token:
            return None
        pos = parse.pos[head]
        if pos == "AUX" and parse.norm_lemma[head] == "be":
            # "Syria is ready to withdraw": the adjective is the governor.
            return None
        complement = self.triggers.complement_class(parse.norm_lemma[head], "VERB" if pos == "VERB" else pos)
        if complement is None and pos == "ADJ":
            complement = self.triggers.complement_class(parse.norm_lemma[head], "ADJ")
        if complement is None:
            return None
        if complement.own_acts and any(
            parse.deps[c] in ("nsubj", "nsubjpass") and parse.pos[c] != "PRON" for c in parse.children[token]
        ):
            # "Iran claimed that ISRAEL attacked": someone else's act is reported, not claimed.
            return None
        return head, complement

    # ------------------------------------------------------------------------------------------- sentence

    def code_sentence(
        self,
        parse: Parse,
        sentence_index: int,
        sentence: tuple[int, int],
        mentions_by_token: dict[int, ActorMention],
        discourse: Discourse,
        published: date | None,
        dateline: Place | None,
    ) -> list[Interaction]:
        start, end = sentence
        candidates = self.find_candidates(parse, start, end)
        if not candidates:
            return []
        trigger_tokens = [c.token for c in candidates]
        governed: dict[int, tuple[int, ComplementClass]] = {}
        for candidate in candidates:
            governor = self._complement_governor(parse, candidate.token)
            if governor is None and candidate.pattern.pos == "NOUN":
                # "promised to continue military AID": the noun's support verb is the complement.
                verb = self._agent_verb(parse, candidate.token)
                if verb is not None:
                    governor = self._complement_governor(parse, verb)
            if governor is not None:
                governed[candidate.token] = governor
        governors = {g for g, _ in governed.values()}
        candidates = [
            c
            for c in candidates
            if not self._irrealis_object(parse, c, candidates)
            and self._condition_clause(parse, c.token) is None
            # "rejected a US OFFER to host a summit": the act of a rejected or demanded offer, plan or
            # proposal is not coded; the rejection is.
            and not (
                c.token in governed
                and parse.pos[governed[c.token][0]] == "NOUN"
                and self._irrealis_noun(parse, governed[c.token][0], candidates)
            )
        ]
        protests = {c.token for c in candidates if c.code[:2] == "14"}
        # "STAGED rallies ..., saying ...": a protest noun's support verb carries the protest's adjuncts.
        protests |= {v for t in protests if parse.pos[t] == "NOUN" and (v := self._agent_verb(parse, t)) is not None}
        if protests:
            # "demonstrated in Kirkuk CALLING for independence", "staged rallies ..., SAYING he must resign":
            # what protesters demand or say is the issue of their protest, not another event.
            candidates = [
                c
                for c in candidates
                if c.code[:2] not in PROTEST_ISSUE_ROOTS or not self._under(parse, c.token, protests)
            ]
        sentence_text = parse.span_text(start, end).strip()
        interactions: list[Interaction] = []
        for candidate in candidates:
            if candidate.token in governors:
                # "agreed" in "agreed to meet" is coded through its complement.
                continue
            interactions.extend(
                self._code_candidate(
                    parse,
                    candidate,
                    governed.get(candidate.token),
                    trigger_tokens,
                    sentence_index,
                    sentence,
                    sentence_text,
                    mentions_by_token,
                    discourse,
                    published,
                    dateline,
                )
            )
        return self._merge(interactions)

    def _code_candidate(
        self,
        parse: Parse,
        candidate: Candidate,
        governor: tuple[int, ComplementClass] | None,
        trigger_tokens: Sequence[int],
        sentence_index: int,
        sentence: tuple[int, int],
        sentence_text: str,
        mentions_by_token,
        discourse: Discourse,
        published: date | None,
        dateline: Place | None,
    ) -> list[Interaction]:
        pattern = candidate.pattern
        token = candidate.token
        code = candidate.code
        trigger_words = [parse.words[token]]
        refused = False
        negated = parse.is_negated(token) or any(parse.norm[c] in ("no", "never") for c in parse.children[token])
        if pattern.pos == "ADJ":
            # "is not optimistic": the negation hangs from the copula.
            negated = negated or parse.is_negated(parse.heads[token])
        confidence = 0.9 if pattern.specificity else (0.8 if pattern.pos == "VERB" else 0.72)
        # Events deep in subordinate clauses are more often mis-parsed (and rarely the sentence's news).
        confidence *= max(0.75, 1.0 - 0.05 * self._clause_depth(parse, token))
        if self._background_clause(parse, token):
            # "... AFTER U.S. officials alleged that ...": a temporal clause sets the scene for the news.
            confidence *= 0.7
        if pattern.statement and governor is None:
            confidence = 0.6
        role_token = token
        if governor is not None:
            governor_token, complement = governor
            if parse.is_negated(governor_token):
                return []
            code = complement.transform(code)
            trigger_words.insert(0, parse.words[governor_token])
            confidence *= 0.92
            if complement.nouns and parse.pos[governor_token] == "NOUN":
                role_token = governor_token
        if negated:
            future = self.triggers.modality.get("future", frozenset())
            refuse = self.triggers.complement_named("refuse")
            if pattern.negated is not None:
                code = pattern.negated
            elif refuse is not None and any(parse.norm[a] in future for a in self._aux_words(parse, token)):
                # "will not accept refugees", "would not meet their demands": a refusal, not a non-event.
                code = refuse.transform(code)
                trigger_words.insert(0, "not")
                refused = True
            else:
                return []
        modal_token = token
        if pattern.pos == "NOUN":
            # "will extend the CURFEW": a noun event takes the modality of the verb that carries it.
            modal_token = self._agent_verb(parse, token) or token
        elif pattern.pos == "ADJ":
            modal_token = parse.heads[token]
        modal = (
            None
            if governor is not None or refused
            else self._modality(parse, modal_token, replace(pattern, pos="VERB"))
        )
        obligation = self._obligation_clause(parse, token) if pattern.statement else None
        if obligation is not None:
            # "Russia said Sudan must return the helicopter": a demand (100) on the clause's subject.
            code, pattern = "100", replace(pattern, statement=False, no_target=False)
            trigger_words.append(parse.words[obligation[0]])
        if modal is not None:
            modal_class, modal_word = modal
            code = modal_class.transform(code)
            trigger_words.insert(0, modal_word)
            confidence *= 0.9
        if pattern.pos in ("VERB", "ADJ") and role_token == token:
            sources, targets, from_subject = self._verb_roles(parse, candidate, mentions_by_token, discourse)
        elif pattern.pos == "VERB" or parse.pos[role_token] == "NOUN":
            sources, targets, from_subject = self._noun_roles(
                parse, Candidate(role_token, pattern, code), mentions_by_token, discourse
            )
            if pattern.pos == "VERB" and not targets:
                _, targets, _ = self._verb_roles(parse, candidate, mentions_by_token, discourse)
        else:
            sources, targets, from_subject = self._noun_roles(parse, candidate, mentions_by_token, discourse)
        if governor is not None and governor[1].object_control:
            # "urged Iran to stop": the urging party is the source, Iran the target.
            governor_token = governor[0]
            if parse.pos[governor_token] == "NOUN":
                # "the ILO reiterated ITS DEMAND that Israel ease ...": the demand noun's owner or agent.
                governor_sources, _, _ = self._noun_roles(
                    parse, Candidate(governor_token, pattern, code), mentions_by_token, discourse
                )
            else:
                subjects, _ = self._subject_of(parse, governor_token)
                governor_sources = [r for s in subjects for r in self.resolve(parse, s, mentions_by_token, discourse)]
            controlled = [
                r
                for o in parse.children_with(governor_token, "dobj")
                for r in self.resolve(parse, o, mentions_by_token, discourse)
            ]
            if not controlled and parse.deps[token] in ("ccomp", "acl"):
                # "demanded THAT the Sudanese government end curbs": the reported clause's own subject.
                governor_codes = {g.code for g in governor_sources}
                controlled = [
                    r
                    for subject in parse.children_with(token, "nsubj", "nsubjpass")
                    if parse.pos[subject] != "PRON"
                    for r in self.resolve(parse, subject, mentions_by_token, discourse)
                    if r.code not in governor_codes
                ]
            if governor_sources:
                sources, targets = governor_sources, controlled or targets
        if modal is not None and modal[0].name == "demand":
            # "X said Y must do Z": the sayer demands of the subject.
            sayer = self._reporting_verb(parse, token)
            if sayer is not None:
                speakers, _ = self._subject_of(parse, sayer)
                said_by = [r for s in speakers for r in self.resolve(parse, s, mentions_by_token, discourse)]
                if said_by:
                    sources, targets = said_by, sources
        # "his counterpart": the other party of the source's last interaction.
        for obj in parse.children[token]:
            if parse.norm_lemma[obj] in self.discourse_words.get("counterpart_nouns", ()) and not targets:
                targets = self._counterparts(sources, discourse)
        if obligation is not None:
            demanded = [r for s in obligation[1] for r in self.resolve(parse, s, mentions_by_token, discourse)]
            targets = demanded or targets
        if code.startswith("14") and not targets:
            # "demonstrated ... calling for independence FROM IRAQ", "to demand reforms BY Suharto's government":
            # a protest is aimed at whom its issue is about.
            holder = (self._agent_verb(parse, token) if pattern.pos == "NOUN" else None) or token
            targets = self._issue_actors(parse, holder, sources, mentions_by_token, discourse)
        if code.startswith("13") and not targets:
            targets = self._condition_subjects(
                parse, governor[0] if governor is not None else token, mentions_by_token, discourse
            )
        if not sources and int(code[:2]) >= 17 and pattern.pos == "VERB":
            sources = self._unknown_perpetrator(parse, token, code, mentions_by_token)
        if pattern.statement and governor is None:
            # A bare statement is worth a row only when a known actor makes it: not "she said" resolved to
            # the article's country, nor an unknown named entity.
            sources = [s for s in sources if s.via not in ("entity", "context") and (s.named and s.code != "UNK")]
        if not sources:
            return []
        source_codes = {s.code for s in sources}
        targets = [t for t in targets if not (t.via == "counterpart" and t.code in source_codes)]
        event_date, date_source, date_text = self._event_date(parse, token, trigger_tokens, published, sentence)
        place = self._event_place(parse, token, trigger_tokens, (*candidate.consumed, role_token), mentions_by_token)
        place_source = "sentence" if place else None
        context_country = (place.country if place else None) or discourse.home_country()
        sources = [self._with_context_country(s, context_country) for s in sources]
        # An unnamed target ("former president", "52 members of ...") is taken as domestic to the source when
        # neither the place nor the article says otherwise.
        source_country = next((s.country for s in sources if s.country), None)
        # A guess that makes the target the source itself ("President Reagan" as DEUGOV after "the German
        # government welcomed ...") is the wrong guess: the actor stays known by its sector only.
        source_codes = {s.code for s in sources}
        targets = [self._compatriot(t, context_country or source_country, source_codes) for t in targets]
        # Likewise an unnamed actor acting on a named one is taken as its compatriot ("Judge X opened
        # investigations against Chilean officials", "militants tried to kill Prime Minister Allawi").
        target_countries = {t.country for t in targets if t.country}
        if len(target_countries) == 1:
            (only,) = target_countries
            target_codes = {t.code for t in targets}
            sources = [self._compatriot(s, only, target_codes) for s in sources]
        if not pattern.no_target:
            targets = [t for t in targets if t.named or not any(s.named for s in sources)]
        # "set up a centre in Tokyo", "troops arrived in Bosnia": the place's country is the target.
        if (
            not targets
            and not pattern.no_target
            and place is not None
            and place.country
            and (int(code[:2]) >= 14 or all(s.country != place.country for s in sources))
        ):
            targets = [ActorRef(place.country, place.country, None, place.name, place.name, "country", "place")]
        if (
            not targets
            and not pattern.no_target
            and (place is None or not place.country)
            and not code.startswith("04")
            and not (len(sources) >= 2 and self.triggers.is_mutual(code))
        ):
            # "threatened to ban voting IN EAST JERUSALEM", "fired shells at targets IN JERICHO": the place of
            # what the act is done to stands for the people there, wherever in the object's phrase it is ("a call
            # for forces to be deployed IN EAST TIMOR"). Not the topic of a consultation ("discussed the situation
            # in Syria"), nor a joint act whose parties are each other's targets.
            held = self._object_place(parse, role_token, (), mentions_by_token)
            if held is not None:
                targets = [ActorRef(held.country, held.country, None, held.name, held.name, "country", "place")]
        symmetric = False
        pairs: list[tuple[ActorRef, ActorRef | None]] = []
        if len(sources) >= 2 and not targets and self.triggers.is_mutual(code):
            symmetric = True
            pairs = [(a, b) for a in sources for b in sources if a is not b and a.code != b.code]
        elif targets and not pattern.no_target:
            symmetric = len(sources) >= 2 and {s.code for s in sources} == {t.code for t in targets}
            pairs = [(s, t) for s in sources for t in targets if s.code != t.code or s.name != t.name]
            # An actor does not act on itself: same code, or a country's government and the bare country
            # (Macron, FRAGOV, and "France"); a country and one of its other sectors is a domestic event.
            pairs = [
                (s, t)
                for s, t in pairs
                if s.code != t.code
                and not (
                    len(targets) > 1 and s.country and s.country == t.country and {s.sector, t.sector} <= {None, "GOV"}
                )
            ]
        if not pairs:
            # No target, or only the source itself ("Kostunica promised to democratize Serbia"): the act
            # is still coded, without a target.
            pairs = [(s, None) for s in sources]
        if from_subject and len(sources) >= 1:
            first_target = next((t for _, t in pairs if t is not None), None)
            if len(sources) >= 2 and not targets:
                discourse.set_pair(sources[0], sources[1])
            elif first_target is not None:
                discourse.set_pair(sources[0], first_target)
        if place is None and dateline is not None:
            place, place_source = dateline, "dateline"
        results = []
        for source, target in pairs:
            pair_key = frozenset({source.code, target.code}) if target else frozenset({source.code})
            this_date, this_source, this_text = event_date, date_source, date_text
            if this_date is None:
                inherited = next(
                    (d for key, d, s in reversed(discourse.dated_pairs) if key == pair_key and s != "published"),
                    None,
                )
                if inherited is not None:
                    this_date, this_source, this_text = inherited, "context", None
                else:
                    this_date, this_source = published, "published" if published else "unknown"
            elif target is not None:
                discourse.dated_pairs.append((pair_key, this_date, this_source))
            final_code = self._visit_code(code, source, target, place if place_source == "sentence" else None)
            results.append(
                Interaction(
                    sentence_index=sentence_index,
                    sentence_text=sentence_text,
                    trigger=" ".join(trigger_words),
                    trigger_token=token,
                    code=final_code,
                    source=source,
                    target=target,
                    symmetric=symmetric,
                    event_date=this_date,
                    event_date_source=this_source,
                    event_date_text=this_text,
                    place=place,
                    place_source=place_source,
                    confidence=self._confidence(confidence, source, target, pattern, this_source),
                    statement=pattern.statement,
                    specificity=pattern.specificity + (1 if governor else 0) + len(final_code),
                )
            )
        del discourse.dated_pairs[:-20]
        return results

    def _unknown_perpetrator(self, parse: Parse, verb: int, code: str, mentions_by_token) -> list[ActorRef]:
        """Violence with an unresolved doer ("a roadside bomb killed ...", "... were killed by gunmen") is coded
        with an unknown source; an arrest with no doer named is the act of the place's authorities."""
        subjects, passive = self._subject_of(parse, verb)
        # "an attack on mosques THAT KILLED 40": the noun the clause describes is an event already coded (or an
        # accident), not a perpetrator.
        doers = [s for s in subjects if parse.pos[s] in ("NOUN", "PROPN") and s != parse.heads[verb]]
        if doers:
            text = parse.span_text(*self._np_span(parse, doers[0]))
            # CAMEO codes an unknown perpetrator by where the violence happened ("a roadside bomb near Samarra").
            place = self._event_place(parse, verb, (), (), mentions_by_token) or self._event_place(
                parse, doers[0], (), (), mentions_by_token
            )
            country = place.country if place is not None else None
            return [ActorRef(country or "UNK", country, None, None, text, "unknown", "unknown", doers[0])]
        if passive and code[:2] in ("18", "19", "20") and parse.deps[verb] not in ("acl", "relcl", "amod"):
            # "three civilians were killed in a car bombing in Baghdad": violence with no doer named at all; the
            # place may hang from the means ("a bombing IN BAGHDAD").
            means = [pobj for prep in parse.children_with(verb, "prep") for pobj in parse.children_with(prep, "pobj")]
            place = self._event_place(parse, verb, (), means, mentions_by_token)
            country = place.country if place is not None else None
            return [ActorRef(country or "UNK", country, None, None, "", "unknown", "unknown", verb)]
        if passive and code[:2] == "17" and parse.deps[verb] not in ("acl", "relcl"):
            place = self._event_place(parse, verb, (), (), mentions_by_token)
            if place is not None and place.country:
                return [
                    ActorRef(f"{place.country}GOV", place.country, "GOV", place.name, place.name, "country", "place")
                ]
        return []

    @staticmethod
    def _np_span(parse: Parse, head: int) -> tuple[int, int]:
        tokens = [t for t in parse.subtree(head) if parse.deps[t] not in ("relcl", "acl", "punct") or t == head]
        return min(tokens), max(tokens) + 1

    @classmethod
    def _compatriot(cls, ref: ActorRef, country: str | None, other_codes: set[str]) -> ActorRef:
        """`ref` given `country` when it has none, unless that would make it one of the other side's actors."""
        guess = cls._with_context_country(ref, country)
        return ref if guess.code in other_codes else guess

    @staticmethod
    def _with_context_country(ref: ActorRef, country: str | None) -> ActorRef:
        """An agent with no country ("police", "the opposition") takes the event place's country, else the
        country the article is about."""
        if ref.country or ref.kind not in ("agent", "entity") or country is None:
            return ref
        return replace(ref, code=f"{country}{ref.sector or ''}", country=country, via="context")

    @staticmethod
    def _is_referent(parse: Parse, mention: ActorMention) -> bool:
        """Whether a later pronoun could point at this mention: a named actor that is a noun phrase of its
        own, not a bare modifier such as 'Russian' in 'the Russian vaccine'."""
        if mention.kind == "agent" and not mention.country:
            return False
        standalone_modifier = mention.end - mention.start == 1 and parse.deps[mention.head] in (
            "amod",
            "compound",
            "poss",
            "nmod",
        )
        return not standalone_modifier

    def _irrealis_object(self, parse: Parse, candidate: Candidate, candidates: Sequence[Candidate]) -> bool:
        """An event noun demanded, promised, threatened or refused has not happened: "demanded the WITHDRAWAL
        of Serbian forces", "threatened SANCTIONS" code the demand or threat only."""
        if candidate.pattern.pos != "NOUN":
            return False
        return self._irrealis_noun(parse, candidate.token, candidates)

    def _irrealis_noun(self, parse: Parse, noun: int, candidates: Sequence[Candidate]) -> bool:
        head = parse.heads[noun]
        if parse.deps[noun] == "pobj" and parse.norm[head] == "for":
            head = parse.heads[head]
        elif parse.deps[noun] not in ("dobj", "nsubjpass"):
            return False
        if parse.pos[head] != "VERB":
            return False
        if self.triggers.complement_class(parse.norm_lemma[head], "VERB") is not None:
            return True
        return any(c.token == head and c.code[:2] in IRREALIS_ROOTS for c in candidates)

    def _condition_marks(self) -> frozenset[str]:
        modality = self.triggers.modality
        return frozenset(modality.get("threat_conditions", ())) | frozenset(modality.get("conditions", ()))

    def _issue_actors(
        self, parse: Parse, token: int, sources: Sequence[ActorRef], mentions_by_token, discourse
    ) -> list[ActorRef]:
        """Named actors of 'against/by/from' phrases in a protest's clause, nearest first, not the protesters."""
        # A source found through the discourse ("the two leaders", "his counterpart") may carry a token of an
        # earlier paragraph: only this parse's own mentions mark words to skip.
        own = {s.token for s in sources if s.via not in DISCOURSE_VIAS and 0 <= s.token < parse.n}
        excluded = {t for token in own for t in parse.subtree(token)}
        nodes = sorted(parse.subtree(token), key=lambda n: abs(n - token))
        for node in nodes:
            if node in excluded or parse.deps[node] not in ("prep", "agent"):
                continue
            if parse.norm[node] not in self.triggers.discourse.get("issue_preps", frozenset()):
                continue
            for pobj in parse.children_with(node, "pobj"):
                found = [
                    r for r in self.resolve(parse, pobj, mentions_by_token, discourse) if r.named and r.token not in own
                ]
                if found:
                    return found
        return []

    @staticmethod
    def _under(parse: Parse, token: int, ancestors: set[int], levels: int = 4) -> bool:
        """Whether one of `ancestors` governs `token` within a few steps of its own clause (not across 'and')."""
        current = token
        for _ in range(levels):
            head = parse.heads[current]
            if head == current or parse.deps[current] == "conj":
                return False
            if head in ancestors:
                return True
            current = head
        return False

    def _background_clause(self, parse: Parse, token: int) -> bool:
        """Whether the trigger stands in a temporal adverbial clause ("after X alleged", "before Y arrived")."""
        marks = self.triggers.discourse.get("background_marks", frozenset())
        for current in self._up_to_root(parse, token):
            if parse.deps[current] == "advcl" and self._is_condition(parse, current, marks):
                return True
            if parse.deps[current] in ("relcl", "acl") and parse.pos[parse.heads[current]] in ("NOUN", "PROPN"):
                # "a resolution THAT AIMS to tighten sanctions", "the coalition FIGHTING the rebels": a clause on a
                # noun describes a participant.
                return True
        return False

    @staticmethod
    def _up_to_root(parse: Parse, token: int) -> Iterator[int]:
        """The token and its heads up to its sentence's root (the root itself not included)."""
        current = token
        for _ in range(parse.n):
            head = parse.heads[current]
            if head == current:
                return
            yield current
            current = head

    @staticmethod
    def _is_condition(parse: Parse, clause: int, marks: frozenset[str]) -> bool:
        return any(parse.norm[m] in marks for m in parse.children_with(clause, "mark"))

    def _condition_clause(self, parse: Parse, token: int) -> int | None:
        """The verb of the if/unless clause a trigger stands in ("... unless Baghdad ACCEPTED its conditions"):
        a condition is not an event that happened."""
        marks = self._condition_marks()
        return next(
            (
                current
                for current in self._up_to_root(parse, token)
                if parse.deps[current] == "advcl" and self._is_condition(parse, current, marks)
            ),
            None,
        )

    def _condition_subjects(self, parse: Parse, token: int, mentions_by_token, discourse) -> list[ActorRef]:
        """Whom a threat is aimed at: the subject of its condition ("threatened to strike unless ISRAEL rescinds
        ...", "will stop the talks if the UNITED STATES goes ahead")."""
        marks = self._condition_marks()
        for node in parse.subtree(token):
            if parse.deps[node] != "advcl" or not self._is_condition(parse, node, marks):
                continue
            for subject in parse.children[node]:
                if parse.deps[subject] in ("nsubj", "nsubjpass"):
                    found = [r for r in self.resolve(parse, subject, mentions_by_token, discourse) if r.named]
                    if found:
                        return found
        return []

    @staticmethod
    def _clause_depth(parse: Parse, token: int) -> int:
        """How many verbs stand between a trigger and its sentence's root."""
        depth = 0
        for current in ArticleCoder._up_to_root(parse, token):
            if parse.deps[current] in ("relcl", "acl") or (
                parse.pos[parse.heads[current]] in ("VERB", "AUX")
                and parse.deps[current] in ("xcomp", "ccomp", "advcl", "conj")
            ):
                # A clause on a noun ("a militia leader CHARGED with ...") is background too.
                depth += 1
        return depth

    def _aux_words(self, parse: Parse, verb: int) -> list[int]:
        return [c for c in parse.children[verb] if parse.deps[c] in ("aux", "auxpass")]

    def _reporting_verb(self, parse: Parse, verb: int) -> int | None:
        """The saying verb a clause is reported under ("Russia SAID Sudan must ...")."""
        current = verb
        for _ in range(3):
            head = parse.heads[current]
            if head == current:
                return None
            if parse.deps[current] == "ccomp" and parse.pos[head] == "VERB":
                return head
            if parse.deps[current] not in ("conj", "xcomp"):
                return None
            current = head
        return None

    def _modality(self, parse: Parse, verb: int, pattern: Pattern) -> tuple[ComplementClass, str] | None:
        """The complement class a modal auxiliary puts a verb under: will/would -> intent (or threat when the
        clause is conditional), must/should in a reported clause -> demand."""
        if pattern.pos != "VERB" or pattern.statement:
            return None
        modality = self.triggers.modality
        words = {parse.norm[a]: a for a in self._aux_words(parse, verb)}
        obliged = next((w for w in words if w in modality.get("obligation", ())), None)
        if obliged and self._reporting_verb(parse, verb) is not None:
            demand = self.triggers.complement_named("demand")
            return (demand, parse.words[words[obliged]]) if demand else None
        future = next((w for w in words if w in modality.get("future", ())), None)
        if future is None:
            return None
        marks = {
            parse.norm[m]
            for c in parse.children[verb]
            if parse.deps[c] == "advcl"
            for m in parse.children[c]
            if parse.deps[m] == "mark"
        }
        conflictual = int(pattern.code[:2]) >= 9
        threat = bool(marks & modality.get("threat_conditions", frozenset())) or (
            conflictual and bool(marks & modality.get("conditions", frozenset()))
        )
        kind = self.triggers.complement_named("threaten" if threat else "intent")
        return (kind, parse.words[words[future]]) if kind else None

    def _obligation_clause(self, parse: Parse, verb: int) -> tuple[int, list[int]] | None:
        """For a saying verb: (the obliged verb, its subjects) of a "Y must do Z" clause it reports."""
        for clause in parse.children_with(verb, "ccomp"):
            if any(
                parse.norm[a] in self.triggers.modality.get("obligation", ()) for a in self._aux_words(parse, clause)
            ):
                subjects = [c for c in parse.children[clause] if parse.deps[c] in ("nsubj", "nsubjpass")]
                if subjects:
                    return clause, subjects
        return None

    def _counterparts(self, sources: Sequence[ActorRef], discourse: Discourse) -> list[ActorRef]:
        if discourse.pair is None:
            return []
        first, second = discourse.pair
        codes = {s.code for s in sources}
        names = {s.name for s in sources}
        if first.code in codes and (first.name in names or first.name is None):
            return [replace(second, via="counterpart")]
        if second.code in codes and (second.name in names or second.name is None):
            return [replace(first, via="counterpart")]
        return []

    @staticmethod
    def _visit_code(code: str, source: ActorRef, target: ActorRef | None, place: Place | None) -> str:
        """A meeting held in one party's country is a visit by the other (042) hosted by the first (043)."""
        if code not in ("040", "046") or target is None or place is None or place.country is None:
            return code
        if source.country and target.country and source.country != target.country:
            if place.country == target.country:
                return "042"
            if place.country == source.country:
                return "043"
        return code

    @staticmethod
    def _confidence(
        base: float, source: ActorRef, target: ActorRef | None, pattern: Pattern, date_source: str
    ) -> float:
        weights = {
            "mention": 1.0,
            "of": 0.92,
            "owner": 0.85,
            "inherited": 0.9,
            "pair": 0.85,
            "coref": 0.8,
            "counterpart": 0.8,
            "pronoun": 0.75,
            "context": 0.65,
            "modifier": 0.75,
            "place": 0.7,
            "entity": 0.5,
            "unknown": 0.45,
        }
        value = base * weights.get(source.via, 0.8)
        if not source.named:
            value *= 0.55
        if target is None:
            value *= 1.0 if pattern.no_target else 0.7
        else:
            value *= weights.get(target.via, 0.8)
            if not target.named:
                value *= 0.6
        if date_source == "published":
            value *= 0.97
        return round(min(max(value, 0.05), 0.99), 3)

    @staticmethod
    def _merge(interactions: list[Interaction]) -> list[Interaction]:
        """One event per actor pair and root; statements only where nothing better was coded."""
        substantive = [i for i in interactions if not i.statement]
        pool = substantive or interactions
        best: dict[tuple, Interaction] = {}
        for interaction in pool:
            key = (
                interaction.source.code,
                interaction.source.name,
                interaction.target.code if interaction.target else None,
                interaction.code[:2] if interaction.code[:2] != "04" else "04",
            )
            current = best.get(key)
            if current is None or (interaction.specificity, interaction.confidence) > (
                current.specificity,
                current.confidence,
            ):
                best[key] = interaction
        # Keep a target-less event only when no event of the same source and root has a target.
        with_target = {(k[0], k[1], k[3]) for k in best if k[2] is not None}
        merged = [i for k, i in best.items() if k[2] is not None or (k[0], k[1], k[3]) not in with_target]
        return sorted(
            merged,
            key=lambda i: (
                i.sentence_index,
                i.trigger_token,
                i.source.code,
                i.target.code if i.target else "",
            ),
        )

    # -------------------------------------------------------------------------------------------- article

    def code_article(
        self, paragraphs: Sequence[tuple[AnnotatedParagraph, Sequence[ActorMention], Sequence[TopicTag]]]
    ) -> list[tuple[AnnotatedParagraph, Interaction]]:
        """Code all paragraphs of one article (given in paragraph order)."""
        discourse = Discourse()
        results: list[tuple[AnnotatedParagraph, Interaction]] = []
        for annotated, mentions, _topics in paragraphs:
            parse = Parse(annotated, self.triggers.lemma_fixes)
            mentions_by_token: dict[int, ActorMention] = {}
            for mention in mentions:
                for index in range(mention.start, mention.end):
                    mentions_by_token.setdefault(index, mention)
                mentions_by_token[mention.head] = mention
            paragraph = annotated.paragraph
            dateline = self.gazetteer.lookup(paragraph.dateline_place) if paragraph.dateline_place else None
            published = paragraph.published_date
            by_sentence: dict[int, list[ActorMention]] = {}
            for mention in mentions:
                by_sentence.setdefault(parse.sentence_of[mention.head], []).append(mention)
            for sentence_index, span in enumerate(parse.sentence_spans):
                for interaction in self.code_sentence(
                    parse, sentence_index, span, mentions_by_token, discourse, published, dateline
                ):
                    results.append((annotated, interaction))
                discourse.remember(
                    [self._ref(m) for m in by_sentence.get(sentence_index, []) if self._is_referent(parse, m)]
                )
            discourse.pair_age += 1
        return results


def interaction_row(
    annotated: AnnotatedParagraph,
    interaction: Interaction,
    events: dict[str, EventType],
    topics: Sequence[TopicTag],
    coder_version: str,
) -> dict:
    """The `interactions` table row for one coded interaction."""
    paragraph = annotated.paragraph
    event = events[interaction.code]
    source, target, place = interaction.source, interaction.target, interaction.place
    interaction_id = content_id(
        "interaction",
        paragraph.paragraph_id,
        interaction.sentence_index,
        interaction.trigger_token,
        source.code,
        source.name,
        target.code if target else None,
        target.name if target else None,
        interaction.code,
    )
    topic_codes = sorted({t.topic for t in topics})
    subjects = sorted({t.subject for t in topics if t.subject})
    return {
        "interaction_id": interaction_id,
        "article_id": paragraph.article_id,
        "doc_id": paragraph.doc_id,
        "paragraph_id": paragraph.paragraph_id,
        "sentence_index": interaction.sentence_index,
        "sentence_text": interaction.sentence_text,
        "published_at": paragraph.published_at,
        "event_date": interaction.event_date,
        "event_date_source": interaction.event_date_source,
        "event_date_text": interaction.event_date_text,
        "source_text": source.text,
        "source_code": source.code,
        "source_country": source.country,
        "source_sector": source.sector,
        "source_name": source.name,
        "source_type": source.actor_type,
        "target_text": target.text if target else None,
        "target_code": target.code if target else None,
        "target_country": target.country if target else None,
        "target_sector": target.sector if target else None,
        "target_name": target.name if target else None,
        "target_type": target.actor_type if target else None,
        "cameo_code": event.code,
        "cameo_root": event.root,
        "cameo_label": event.label,
        "quad_class": event.quad_class,
        "goldstein": event.goldstein,
        "plover_type": event.plover_type,
        "plover_mode": event.plover_mode,
        "plover_context": event.plover_context,
        "trigger": interaction.trigger,
        "is_symmetric": interaction.symmetric,
        "topics": topic_codes,
        "subjects": subjects,
        "location_name": place.name if place else None,
        "location_country": place.country if place else None,
        "location_lat": place.lat if place else None,
        "location_lon": place.lon if place else None,
        "location_source": interaction.place_source,
        "confidence": interaction.confidence,
        "coder_version": coder_version,
    }
