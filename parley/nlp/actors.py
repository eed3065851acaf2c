"""Tag actor mentions in an annotated paragraph.

Two steps, both driven by the codebooks:
1. *Atoms*: the longest codebook phrases in the text (country names, demonyms, capitals and metonyms,
   people, organisations, armed groups, agent nouns such as "prime minister" or "troops").
2. *Composition*: atoms in one noun phrase are merged by the dependency parse, so "Russian president
   Vladimir Putin" is one mention coded RUSGOV, "Israeli PM" is ISRGOV and "the president of France" FRAGOV.
   A person's code comes from the office they held on the article's date (a former leader is ELI, not GOV).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parley.codebooks import Codebooks, load_stance_prefixes
from parley.ids import content_id
from parley.nlp.lexicon import CONFIRMING_LABELS, LexEntry, PhraseIndex
from parley.nlp.syntax import Parse
from parley.records import ActorMention, AnnotatedParagraph

# Dependencies that keep a modifier inside the noun phrase of its head.
NP_LINKS = frozenset({"compound", "amod", "nmod", "appos", "flat", "nn", "poss", "npadvmod", "dep"})
# Heads of "X of Y" phrases whose actor is Y's ("the president of Russia", "members of the OSCE").
_OF_HEADS_KINDS = frozenset({"agent"})
_PROPER_ROLES = frozenset({"name", "capital", "metonym"})
# Words that never start a proper-name actor match even when capitalised in a headline.
_SECTOR_OF_PEOPLE_FORMER = "ELI"


@dataclass(slots=True)
class Atom:
    start: int
    end: int
    entry: LexEntry

    def root(self, parse: Parse) -> int:
        """The token of the span whose head lies outside it (the span's syntactic head)."""
        for index in range(self.start, self.end):
            head = parse.heads[index]
            if head < self.start or head >= self.end or head == index:
                return index
        return self.end - 1


def _confirmed(parse: Parse, start: int, end: int, entry: LexEntry) -> bool:
    """Whether an atom is acceptable: proper names must look like names, ambiguous ones need NER support."""
    if entry.role in _PROPER_ROLES or entry.kind in ("person", "organisation", "group"):
        first = parse.words[start]
        if not first[:1].isupper():
            return False
    if entry.kind == "agent":
        # An agent noun is a noun (or a noun-phrase modifier), never a verb or adjective of another sense.
        return parse.pos[end - 1] in ("NOUN", "PROPN")
    if not entry.ambiguous:
        return True
    labels = CONFIRMING_LABELS[entry.kind]
    return any(parse.entity_of[i] in labels for i in range(start, end))


def _current_people(entries: list[LexEntry], day: date | None) -> list[LexEntry]:
    """Of several people behind one phrase ("President Bush"), those in office on the day."""
    if day is None:
        return []
    return [e for e in entries if e.person is not None and e.person.role_on(day)[1] == "current"]


_SURNAME_FOLLOWERS = frozenset(
    {"administration", "government", "cabinet", "camp", "aide", "aides", "spokesman", "regime"}
)


def _titled(parse: Parse, start: int, end: int, atoms: list[Atom]) -> bool:
    """Whether a surname is anchored: an agent title ends right before it ("President | Bush", "Prime Minister
    (PM) | Sharif") or it heads a government noun ("the Bush | administration")."""
    before = _skip_parenthetical_left(parse, start)
    if any(a.entry.kind == "agent" and a.end - 1 == before for a in atoms):
        return True
    return end < parse.n and parse.norm_lemma[end] in _SURNAME_FOLLOWERS


def _name_goes_on(parse: Parse, start: int, end: int) -> bool:
    """Whether the name goes on after the matched word ("President AHMED Ben Bella"): then the word is a first
    name, not the surname of the office holder the codebook knows."""
    if end >= parse.n or parse.pos[end] != "PROPN" or not parse.words[end][:1].isupper():
        return False
    span = parse.entity_span_of[start]
    return span is not None and parse.entity_of[start] == "PERSON" and span[0] <= end < span[1]


def find_atoms(parse: Parse, index: PhraseIndex, day: date | None = None) -> list[Atom]:
    atoms: list[Atom] = []
    keys = parse.match_keys
    position = 0
    for start in index.starts(keys):
        if start < position:  # inside the atom just found
            continue
        position = start
        end, entries = index.longest_match(keys, position)
        accepted = [e for e in entries if _confirmed(parse, position, end, e)] if entries else []
        # A bare surname ("Bush", "Sharif") names someone only after a title ("President Bush").
        if any(e.role == "surname" for e in accepted) and (
            not _titled(parse, position, end, atoms) or _name_goes_on(parse, position, end)
        ):
            accepted = [e for e in accepted if e.role != "surname"]
        if accepted:
            best_priority = max(e.priority for e in accepted)
            best = [e for e in accepted if e.priority == best_priority]
            distinct = {(e.kind, e.name, e.country, e.code) for e in best}
            if len(distinct) > 1 and best[0].kind == "person":
                # Two people share the name: the one in office on the article's date, if only one is.
                best = _current_people(best, day) or best
                distinct = {(e.kind, e.name, e.country, e.code) for e in best}
            # Two different people (or organisations) behind one phrase: too ambiguous to code.
            if (len(distinct) == 1 or best[0].kind == "country") and not _stance_prefixed(parse, position, best[0]):
                atoms.append(Atom(position, end, best[0]))
            position = end
    return atoms


def _group_head(parse: Parse, token: int, atom_at: dict[int, Atom]) -> int:
    """Climb from a modifier to the head of its noun phrase while that head is itself part of an actor atom."""
    current = token
    seen: set[int] = set()
    while current not in seen:
        seen.add(current)
        head = parse.heads[current]
        if head == current or parse.deps[current] not in NP_LINKS or head not in atom_at:
            return current
        current = atom_at[head].root(parse)
    return current


@dataclass(frozen=True, slots=True)
class Resolved:
    actor_code: str
    country: str | None
    sector: str | None
    name: str | None
    kind: str
    office: str | None
    org_type: str | None = None


def resolve_entries(entries: list[LexEntry], day: date | None) -> Resolved | None:
    """Compose the atoms of one noun phrase into a single actor code."""
    people = [e for e in entries if e.kind == "person" and e.person is not None]
    # A titled name not in the codebook ("Foreign Minister Sameh Shoukry") is coded by its title.
    unknown_name = next((e.name for e in entries if e.kind == "person" and e.person is None), None)
    organisations = [e for e in entries if e.kind in ("organisation", "group")]
    countries = [e for e in entries if e.kind == "country"]
    sectors = [e.sector for e in entries if e.kind == "agent" and e.sector]
    agent_sector = sectors[-1] if sectors else None
    if people:
        person = people[-1].person
        role, status = person.role_on(day)
        if role.org is not None:
            if status == "current":
                return Resolved(role.org, None, "IGO", person.name, "person", role.office, "IGO")
            country = next((r.country for r in person.roles if r.country), None)
            return Resolved(country or role.org, country, None, person.name, "person", f"former {role.office}")
        if status == "current":
            sector = role.sector or "GOV"
            return Resolved(f"{role.country}{sector}", role.country, sector, person.name, "person", role.office)
        if status == "former":
            sector = _SECTOR_OF_PEOPLE_FORMER
            return Resolved(
                f"{role.country}{sector}",
                role.country,
                sector,
                person.name,
                "person",
                f"former {role.office}",
            )
        return Resolved(role.country, role.country, None, person.name, "person", None)
    if organisations:
        organisation = organisations[-1]
        group = organisation.organisation
        if organisation.kind == "organisation":
            kind_sector = group.kind if group else "IGO"
            # The body's own sector (UNIFIL is MIL, the ICC JUD) beats a generic noun; "UN troops" are MIL.
            sector = (group.sector if group else None) or agent_sector or kind_sector
            return Resolved(organisation.code, None, sector, organisation.name, "organisation", None, kind_sector)
        if group is not None and group.kind == "IMG":
            return Resolved("IMG", None, "IMG", organisation.name, "group", None, "IMG")
        # "Hamas official", "Taliban spokesman": the group's sector, not the generic noun's.
        sector = (group.sector_on(day) if group else organisation.sector) or agent_sector
        country = organisation.country
        return Resolved(f"{country}{sector or ''}", country, sector, organisation.name, "group", None)
    if countries:
        country = countries[-1]
        sector = country.sector or agent_sector
        kind = "person" if unknown_name else "country"
        return Resolved(
            f"{country.country}{sector or ''}",
            country.country,
            sector,
            unknown_name or country.name,
            kind,
            None,
        )
    if agent_sector:
        return Resolved(agent_sector, None, agent_sector, unknown_name, "agent", None)
    return None


def _identity(entry: LexEntry) -> tuple[str, str] | None:
    """What an atom names on its own: two different ones never merge into one actor."""
    if entry.kind in ("person", "organisation", "group"):
        return ("named", entry.name)
    if entry.kind == "country":
        return ("country", entry.country or "")
    return None


class _Groups:
    """Union-find over atoms: atoms that name one actor end up in one group. Groups naming two different
    people, organisations or countries are not merged ("Amnesty International and Human Rights Watch",
    "Russian-Israeli")."""

    def __init__(self, atoms: list[Atom]) -> None:
        self.parent = list(range(len(atoms)))
        self.identities: list[set[tuple[str, str]]] = [
            {identity} if (identity := _identity(atom.entry)) else set() for atom in atoms
        ]

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a == b:
            return
        kinds_a = {kind: value for kind, value in self.identities[a]}
        kinds_b = {kind: value for kind, value in self.identities[b]}
        if any(kind in kinds_b and kinds_b[kind] != value for kind, value in kinds_a.items()):
            return
        keep, drop = min(a, b), max(a, b)
        self.parent[drop] = keep
        self.identities[keep] |= self.identities[drop]


def _skip_parenthetical_left(parse: Parse, index: int) -> int:
    """The token before `index`, stepping over a parenthetical: 'prime minister (PM) | Benjamin Netanyahu'."""
    previous = index - 1
    if previous >= 0 and parse.words[previous] == ")":
        depth = 0
        while previous >= 0:
            if parse.words[previous] == ")":
                depth += 1
            elif parse.words[previous] == "(":
                depth -= 1
                if depth == 0:
                    return previous - 1
            previous -= 1
    return previous


def _add_titled_names(parse: Parse, atoms: list[Atom]) -> list[Atom]:
    """Named people not in the codebook but titled in the text ("Egyptian Foreign Minister Sameh Shoukry")
    become atoms, so the title's code reaches them."""
    covered = {token for atom in atoms for token in range(atom.start, atom.end)}
    atom_ending_at = {atom.end - 1: atom for atom in atoms}
    extra = []
    for start, end, label in parse.annotated.ents:
        if label != "PERSON" or any(token in covered for token in range(start, end)):
            continue
        title = atom_ending_at.get(_skip_parenthetical_left(parse, start))
        if title is not None and title.entry.kind in ("agent", "country"):
            name = parse.span_text(start, end)
            extra.append(Atom(start, end, LexEntry(kind="person", role="name", name=name)))
    return sorted(atoms + extra, key=lambda atom: atom.start)


def _stance_prefixed(parse: Parse, start: int, entry: LexEntry) -> bool:
    """'anti-Syria journalist', 'pro-Iranian militia': a stance toward a country, not its actor."""
    if entry.kind != "country" or start < 2:
        return False
    return parse.words[start - 1] == "-" and parse.norm[start - 2] in load_stance_prefixes()


def _ethnic_group(parse: Parse, atom: Atom) -> Atom:
    """'ethnic Albanians', 'ethnic Turks': a people, not the state; the coder places them by context."""
    if atom.entry.kind != "country" or atom.entry.role not in ("adjective", "people"):
        return atom
    before = atom.start - 1
    if before >= 0 and parse.norm_lemma[before] == "ethnic":
        entry = LexEntry(kind="agent", role="agent", name=atom.entry.name, sector="CVL", plural=atom.entry.plural)
        return Atom(before, atom.end, entry)
    return atom


def _compose(parse: Parse, atoms: list[Atom]) -> list[list[Atom]]:
    groups = _Groups(atoms)
    atom_index_at: dict[int, int] = {}
    for number, atom in enumerate(atoms):
        for token in range(atom.start, atom.end):
            atom_index_at[token] = number
    atom_at = {token: atoms[number] for token, number in atom_index_at.items()}
    roots = [atom.root(parse) for atom in atoms]
    for number, root in enumerate(roots):
        head = _group_head(parse, root, atom_at)
        if head in atom_index_at:
            groups.union(number, atom_index_at[head])
    # A title directly before a name: "Israeli prime minister (PM) Benjamin Netanyahu", whatever the parse says.
    for number, atom in enumerate(atoms):
        if atom.entry.kind != "person":
            continue
        before = _skip_parenthetical_left(parse, atom.start)
        while before in atom_index_at and atoms[atom_index_at[before]].entry.kind in ("agent", "country"):
            title = atom_index_at[before]
            groups.union(number, title)
            before = atoms[title].start - 1
    # "the president of Russia": an agent group takes the actor of its of-phrase when it has none itself.
    members: dict[int, list[int]] = {}
    for number in range(len(atoms)):
        members.setdefault(groups.find(number), []).append(number)
    for group in list(members.values()):
        if not all(atoms[n].entry.kind in _OF_HEADS_KINDS for n in group):
            continue
        for head in {roots[n] for n in group}:
            for prep in parse.children_with(head, "prep"):
                if parse.norm[prep] != "of":
                    continue
                for pobj in parse.children_with(prep, "pobj"):
                    target = atom_index_at.get(pobj)
                    if target is None:
                        continue
                    target_group = [n for n in range(len(atoms)) if groups.find(n) == groups.find(target)]
                    if any(atoms[n].entry.kind in ("country", "organisation", "group") for n in target_group):
                        groups.union(group[0], target)
    composed: dict[int, list[Atom]] = {}
    for number, atom in enumerate(atoms):
        composed.setdefault(groups.find(number), []).append(atom)
    return list(composed.values())


def _balanced_end(parse: Parse, start: int, end: int) -> int:
    """Extend a span over a closing parenthesis it opened: 'Israeli prime minister (PM)'."""
    opened = sum(1 for i in range(start, end) if parse.words[i] == "(") - sum(
        1 for i in range(start, end) if parse.words[i] == ")"
    )
    while opened > 0 and end < parse.n and parse.words[end] != "(":
        if parse.words[end] == ")":
            opened -= 1
        end += 1
    return end


def _group_head_token(parse: Parse, members: list[Atom]) -> int:
    """The token of the group that governs the others (the one whose head lies outside the group)."""
    tokens = {t for m in members for t in range(m.start, m.end)}
    for member in sorted(members, key=lambda m: -(m.end - m.start)):
        root = member.root(parse)
        if parse.heads[root] not in tokens and (member.entry.kind != "country" or len(members) == 1):
            return root
    return max(members, key=lambda m: m.end).root(parse)


def tag_actors(annotated: AnnotatedParagraph, index: PhraseIndex, books: Codebooks | None = None) -> list[ActorMention]:
    """Actor mentions of one paragraph, composed per noun phrase (deterministic, sorted by position)."""
    parse = Parse(annotated)
    day = annotated.paragraph.published_date
    atoms = find_atoms(parse, index, day)
    if not atoms:
        return []
    atoms = _add_titled_names(parse, atoms)
    atoms = [_ethnic_group(parse, atom) for atom in atoms]
    paragraph_id = annotated.paragraph.paragraph_id
    mentions = []
    for members in _compose(parse, atoms):
        members.sort(key=lambda m: m.start)
        resolved = resolve_entries([m.entry for m in members], day)
        if resolved is None:
            continue
        # An ambiguous agent word ("side", "party") is an actor only with a country or name attached.
        if resolved.kind == "agent" and all(m.entry.ambiguous for m in members):
            continue
        start = min(m.start for m in members)
        end = _balanced_end(parse, start, max(m.end for m in members))
        head = _group_head_token(parse, members)
        char_start, char_end = parse.char_span(start, end)
        plural = parse.is_plural(head) or any(m.entry.plural for m in members if m.end - 1 == head)
        mentions.append(
            ActorMention(
                paragraph_id=paragraph_id,
                start=start,
                end=end,
                head=head,
                text=parse.text[char_start:char_end],
                char_start=char_start,
                char_end=char_end,
                actor_code=resolved.actor_code,
                country=resolved.country,
                sector=resolved.sector,
                name=resolved.name,
                kind=resolved.kind,
                office=resolved.office,
                plural=plural,
                org_type=resolved.org_type,
            )
        )
    mentions.sort(key=lambda m: (m.start, m.end))
    return mentions


def mention_row(mention: ActorMention, article_id: str, coder_version: str) -> dict:
    return {
        "mention_id": content_id(
            "mention", mention.paragraph_id, mention.char_start, mention.char_end, mention.actor_code
        ),
        "paragraph_id": mention.paragraph_id,
        "article_id": article_id,
        "text": mention.text,
        "char_start": mention.char_start,
        "char_end": mention.char_end,
        "actor_code": mention.actor_code,
        "country": mention.country,
        "sector": mention.sector,
        "actor_name": mention.name,
        "actor_kind": mention.kind,
        "office": mention.office,
        "coder_version": coder_version,
    }
