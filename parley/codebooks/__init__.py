"""Codebooks: the data files in this folder, loaded and validated once per process.

Every file is data under version control (YAML or TSV); this module only reads and checks them. A bad entry
fails the load with a `CodebookError` naming the file, the entry and what is wrong, so a typo in a
dictionary stops a run at start-up instead of silently mis-coding rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parley.records import pickled_as_tuple

CODER_VERSION = "parley-coder-0.1.0"

_ISO3_SPECIAL = {"XKX"}  # Kosovo: user-assigned code used by the EU and IMF


class CodebookError(ValueError):
    """A codebook file has an invalid entry."""


def _fail(file: str, where: str, problem: str) -> CodebookError:
    return CodebookError(f"codebook {file}: {where}: {problem}")


def _read_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


class _CodebookLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    """A safe loader where only true/false are booleans: YAML 1.1 would read the words on, off, yes and no
    (prepositions and answers in our dictionaries) as booleans."""


_CodebookLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CodebookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load_yaml(name: str, text: str | None = None) -> Any:
    try:
        return yaml.load(_read_text(name) if text is None else text, Loader=_CodebookLoader)
    except yaml.YAMLError as error:
        raise CodebookError(f"codebook {name}: not valid YAML: {error}") from None


def _string_list(file: str, where: str, entry: dict, key: str) -> list[str]:
    value = entry.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(file, where, f"{key!r} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _is_iso3(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()


# --------------------------------------------------------------------------------------------------- events


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class EventType:
    code: str
    label: str
    quad_class: int
    goldstein: float
    plover_type: str | None
    plover_mode: str | None
    plover_context: str | None

    @property
    def root(self) -> str:
        return self.code[:2]


def load_event_types(name: str = "cameo_events.tsv", text: str | None = None) -> dict[str, EventType]:
    source = _read_text(name) if text is None else text
    lines = [line for line in source.splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    expected = ["code", "label", "quad_class", "goldstein", "plover_type", "plover_mode", "plover_context"]
    if reader.fieldnames != expected:
        raise _fail(name, "header", f"expected columns {expected}, got {reader.fieldnames}")
    events: dict[str, EventType] = {}
    for number, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        where = f"row {number} (code {code!r})"
        if not (code.isdigit() and len(code) in (2, 3, 4)):
            raise _fail(name, where, "code must be 2-4 digits")
        if code in events:
            raise _fail(name, where, "duplicate code")
        if not 1 <= int(code[:2]) <= 20:
            raise _fail(name, where, "root must be 01..20")
        try:
            quad = int(row["quad_class"])
            goldstein = float(row["goldstein"])
        except (TypeError, ValueError):
            raise _fail(name, where, "quad_class must be an integer and goldstein a number") from None
        if quad not in (1, 2, 3, 4) or not -10.0 <= goldstein <= 10.0:
            raise _fail(name, where, "quad_class must be 1-4 and goldstein within -10..10")
        if not (row["label"] or "").strip():
            raise _fail(name, where, "label is empty")
        events[code] = EventType(
            code=code,
            label=row["label"].strip(),
            quad_class=quad,
            goldstein=goldstein,
            plover_type=(row["plover_type"] or "").strip() or None,
            plover_mode=(row["plover_mode"] or "").strip() or None,
            plover_context=(row["plover_context"] or "").strip() or None,
        )
    missing_roots = [f"{r:02d}" for r in range(1, 21) if f"{r:02d}" not in events]
    if missing_roots:
        raise _fail(name, "roots", f"missing root codes {missing_roots}")
    orphans = [code for code in events if code[:2] not in events]
    if orphans:
        raise _fail(name, "codes", f"codes without their root: {orphans}")
    return events


# ------------------------------------------------------------------------------------------------ countries


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    name: str
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...]
    people: tuple[str, ...]
    capital: str | None
    metonyms: tuple[tuple[str, str], ...]  # (name, sector)
    ambiguous: frozenset[str]
    parent: str | None


def load_countries(
    name: str = "countries.yaml", sectors: frozenset[str] | None = None, text: str | None = None
) -> dict[str, Country]:
    data = _load_yaml(name, text)
    if not isinstance(data, list):
        raise _fail(name, "top level", "must be a list of countries")
    countries: dict[str, Country] = {}
    for index, entry in enumerate(data):
        where = f"entry {index}"
        if not isinstance(entry, dict):
            raise _fail(name, where, "must be a mapping")
        iso3 = entry.get("iso3")
        where = f"entry {index} ({iso3})"
        if not (_is_iso3(iso3) or iso3 in _ISO3_SPECIAL):
            raise _fail(name, where, "iso3 must be three uppercase letters")
        if iso3 in countries:
            raise _fail(name, where, "duplicate iso3")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise _fail(name, where, "name is required")
        metonyms = []
        for metonym in entry.get("metonyms") or []:
            if not isinstance(metonym, dict) or not isinstance(metonym.get("name"), str):
                raise _fail(name, where, f"metonym {metonym!r} must be {{name, sector}}")
            sector = metonym.get("sector")
            if sector is not None and sectors is not None and sector not in sectors:
                raise _fail(name, where, f"metonym {metonym['name']!r} has unknown sector {sector!r}")
            metonyms.append((metonym["name"].strip(), sector))
        strings = {
            "aliases": _string_list(name, where, entry, "aliases"),
            "adjectives": _string_list(name, where, entry, "adjectives"),
            "people": _string_list(name, where, entry, "people"),
        }
        capital = entry.get("capital")
        if capital is not None and not isinstance(capital, str):
            raise _fail(name, where, "capital must be a string")
        own = {entry["name"].strip().lower(), *(s.lower() for v in strings.values() for s in v)}
        own |= {m[0].lower() for m in metonyms}
        if capital:
            own.add(capital.strip().lower())
        ambiguous = _string_list(name, where, entry, "ambiguous")
        stray = [a for a in ambiguous if a.lower() not in own]
        if stray:
            raise _fail(name, where, f"ambiguous lists {stray}, which are not names of this entry")
        countries[iso3] = Country(
            iso3=iso3,
            name=entry["name"].strip(),
            aliases=tuple(strings["aliases"]),
            adjectives=tuple(strings["adjectives"]),
            people=tuple(strings["people"]),
            capital=capital.strip() if capital else None,
            metonyms=tuple(metonyms),
            ambiguous=frozenset(a.lower() for a in ambiguous),
            parent=entry.get("parent"),
        )
    for country in countries.values():
        if country.parent is not None and country.parent not in countries:
            raise _fail(name, country.iso3, f"parent {country.parent!r} is not in the file")
    return countries


# ---------------------------------------------------------------------------------------------------- agents


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Agent:
    term: str
    sector: str
    ambiguous: bool


@cache
def load_stance_prefixes(name: str = "agents.yaml") -> frozenset[str]:
    """Words that make a following country a stance ("ANTI-Syria journalist"), not the actor's country."""
    data = _load_yaml(name, None)
    words = data.get("stance_prefixes") or [] if isinstance(data, dict) else []
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise _fail(name, "stance_prefixes", "must be a list of words")
    return frozenset(w.strip().lower() for w in words)


def load_agents(name: str = "agents.yaml", text: str | None = None) -> tuple[dict[str, str], list[Agent]]:
    data = _load_yaml(name, text)
    if not isinstance(data, dict) or "sectors" not in data or "agents" not in data:
        raise _fail(name, "top level", "must be a mapping with 'sectors' and 'agents'")
    sectors = data["sectors"]
    if not isinstance(sectors, dict) or not all(isinstance(k, str) and k.isupper() for k in sectors):
        raise _fail(name, "sectors", "must map uppercase sector codes to descriptions")
    agents: list[Agent] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["agents"]):
        where = f"agents[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str):
            raise _fail(name, where, "must be {term, sector}")
        term = entry["term"].strip().lower()
        if entry.get("sector") not in sectors:
            raise _fail(name, f"{where} ({term})", f"unknown sector {entry.get('sector')!r}")
        if term in seen:
            raise _fail(name, f"{where} ({term})", "duplicate term")
        seen.add(term)
        agents.append(Agent(term=term, sector=entry["sector"], ambiguous=bool(entry.get("ambiguous", False))))
    return dict(sectors), agents


# -------------------------------------------------------------------------------------- organisations, groups


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    kind: str  # IGO | NGO | IMG | GROUP
    aliases: tuple[str, ...]
    ambiguous: frozenset[str]
    parent: str | None = None
    country: str | None = None
    sector: str | None = None
    # (date, sector) changes in time, e.g. the Taliban govern Afghanistan from 2021-08-15.
    sector_changes: tuple[tuple[date, str], ...] = ()

    def sector_on(self, day: date | None) -> str | None:
        sector = self.sector
        for since, changed in self.sector_changes:
            if day is not None and day >= since:
                sector = changed
        return sector


def load_organisations(
    name: str = "organisations.yaml", sectors: frozenset[str] | None = None, text: str | None = None
) -> dict[str, Organisation]:
    data = _load_yaml(name, text)
    if not isinstance(data, list):
        raise _fail(name, "top level", "must be a list")
    organisations: dict[str, Organisation] = {}
    for index, entry in enumerate(data):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = f"entry {index} ({code})"
        if not isinstance(code, str) or not code.isalnum() or code.upper() != code:
            raise _fail(name, where, "code must be uppercase letters and digits")
        if code in organisations:
            raise _fail(name, where, "duplicate code")
        if entry.get("kind") not in ("IGO", "NGO"):
            raise _fail(name, where, "kind must be IGO or NGO")
        if not isinstance(entry.get("name"), str):
            raise _fail(name, where, "name is required")
        sector = entry.get("sector")
        if sector is not None and sectors is not None and sector not in sectors:
            raise _fail(name, where, f"unknown sector {sector!r}")
        aliases = _string_list(name, where, entry, "aliases")
        ambiguous = _string_list(name, where, entry, "ambiguous")
        organisations[code] = Organisation(
            code=code,
            name=entry["name"].strip(),
            kind=entry["kind"],
            aliases=tuple(aliases),
            ambiguous=frozenset(a.lower() for a in ambiguous),
            parent=entry.get("parent"),
            sector=sector,
        )
    for organisation in organisations.values():
        if organisation.parent is not None and organisation.parent not in organisations:
            raise _fail(name, organisation.code, f"parent {organisation.parent!r} is not in the file")
    return organisations


def load_groups(
    name: str = "groups.yaml",
    sectors: frozenset[str] | None = None,
    countries: frozenset[str] | None = None,
    text: str | None = None,
) -> list[Organisation]:
    data = _load_yaml(name, text)
    if not isinstance(data, list):
        raise _fail(name, "top level", "must be a list")
    groups = []
    for index, entry in enumerate(data):
        label = entry.get("name") if isinstance(entry, dict) else None
        where = f"entry {index} ({label})"
        if not isinstance(label, str) or not label.strip():
            raise _fail(name, where, "name is required")
        transnational = bool(entry.get("transnational", False)) or entry.get("kind") == "IMG"
        country = entry.get("country")
        if transnational:
            if country is not None:
                raise _fail(name, where, "a transnational group has no country")
        elif not (_is_iso3(country) or country in _ISO3_SPECIAL) or (
            countries is not None and country not in countries
        ):
            raise _fail(name, where, f"country {country!r} is not a known ISO3 code")
        sector = entry.get("sector")
        if sector is not None and sectors is not None and sector not in sectors:
            raise _fail(name, where, f"unknown sector {sector!r}")
        changes = []
        for since, changed in (entry.get("sector_from") or {}).items():
            if not isinstance(since, date) or (sectors is not None and changed not in sectors):
                raise _fail(name, where, "sector_from must map dates to known sectors")
            changes.append((since, changed))
        code = "".join(ch for ch in label.upper() if ch.isalnum())
        groups.append(
            Organisation(
                code=code,
                name=label.strip(),
                kind="IMG" if transnational else "GROUP",
                aliases=tuple(_string_list(name, where, entry, "aliases")),
                ambiguous=frozenset(a.lower() for a in _string_list(name, where, entry, "ambiguous")),
                country=country,
                sector=sector,
                sector_changes=tuple(sorted(changes)),
            )
        )
    return groups


# ---------------------------------------------------------------------------------------------------- people


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Role:
    office: str
    start: date
    end: date | None
    country: str | None
    org: str | None
    sector: str | None


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Person:
    name: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]

    def role_on(self, day: date | None) -> tuple[Role, str]:
        """The role that decides this person's code on `day`, and 'current', 'former' or 'future'.

        Without a date the latest role is taken as current (the usual case for undated news).
        """
        ordered = sorted(self.roles, key=lambda role: role.start)
        if day is None:
            return ordered[-1], "current"
        current = [r for r in ordered if r.start <= day and (r.end is None or day < r.end)]
        if current:
            # Several offices at once (a PM who is also foreign minister): the senior, earliest-listed wins.
            return current[0], "current"
        past = [r for r in ordered if r.end is not None and r.end <= day]
        if past:
            return max(past, key=lambda role: role.end), "former"
        return ordered[0], "future"


def _as_date(file: str, where: str, value: Any, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(file, where, f"{key} must be a YYYY-MM-DD date, got {value!r}")


def load_people(
    folder: str = "people",
    organisation_codes: frozenset[str] | None = None,
    texts: dict[str, str] | None = None,
) -> list[Person]:
    """People from every YAML file in `folder` (or from `texts`, file name -> YAML, for tests)."""
    people: list[Person] = []
    if texts is None:
        names = sorted(
            entry.name
            for entry in resources.files(__package__).joinpath(folder).iterdir()
            if entry.name.endswith(".yaml")
        )
    else:
        names = sorted(texts)
    for file_name in names:
        file = f"{folder}/{file_name}"
        data = _load_yaml(file, None if texts is None else texts[file_name])
        if not isinstance(data, list):
            raise _fail(file, "top level", "must be a list of people")
        for index, entry in enumerate(data):
            label = entry.get("name") if isinstance(entry, dict) else None
            where = f"entry {index} ({label})"
            if not isinstance(label, str) or not label.strip():
                raise _fail(file, where, "name is required")
            roles = []
            for role_index, role in enumerate(entry.get("roles") or []):
                role_where = f"{where} role {role_index}"
                if not isinstance(role, dict) or not isinstance(role.get("office"), str):
                    raise _fail(file, role_where, "must be a mapping with an office")
                start = _as_date(file, role_where, role.get("start"), "start")
                end = _as_date(file, role_where, role.get("end"), "end")
                if start is None:
                    raise _fail(file, role_where, "start is required")
                if end is not None and end < start:
                    raise _fail(file, role_where, f"ends ({end}) before it starts ({start})")
                country, org = role.get("country"), role.get("org")
                if (country is None) == (org is None):
                    raise _fail(file, role_where, "needs exactly one of country / org")
                if country is not None and not (_is_iso3(country) or country in _ISO3_SPECIAL):
                    raise _fail(file, role_where, f"country {country!r} is not an ISO3 code")
                if org is not None and organisation_codes is not None and org not in organisation_codes:
                    raise _fail(file, role_where, f"org {org!r} is not in organisations.yaml")
                sector = role.get("sector") or ("GOV" if country else None)
                roles.append(Role(role["office"].strip(), start, end, country, org, sector))
            if not roles:
                raise _fail(file, where, "needs at least one role")
            people.append(
                Person(
                    name=label.strip(),
                    aliases=tuple(_string_list(file, where, entry, "aliases")),
                    roles=tuple(roles),
                )
            )
    return _merge_same_people(people)


def _person_key(name: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in folded if ch.isalnum())


def _merge_same_people(people: list[Person]) -> list[Person]:
    """One person listed in two regional files (a foreign minister who later led a UN agency) becomes one
    entry with all roles, so the tagger does not see two people behind one name."""
    merged: dict[str, Person] = {}
    for person in people:
        key = _person_key(person.name)
        if key in merged:
            first = merged[key]
            aliases = tuple(dict.fromkeys((*first.aliases, *person.aliases)))
            roles = tuple(dict.fromkeys((*first.roles, *person.roles)))
            merged[key] = Person(first.name, aliases, roles)
        else:
            merged[key] = person
    return list(merged.values())


# ---------------------------------------------------------------------------------------------------- topics


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    # Every group must match somewhere in the paragraph: [["coronavirus", "covid-19"], ["vaccine"]].
    all_of: tuple[tuple[str, ...], ...]


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    label: str
    terms: tuple[str, ...]
    subjects: tuple[Subject, ...] = field(default_factory=tuple)


def load_topics(name: str = "topics.yaml", text: str | None = None) -> list[Topic]:
    data = _load_yaml(name, text)
    if not isinstance(data, list):
        raise _fail(name, "top level", "must be a list of topics")
    topics = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        code = entry.get("topic") if isinstance(entry, dict) else None
        where = f"entry {index} ({code})"
        if not isinstance(code, str) or code != code.upper() or code in seen:
            raise _fail(name, where, "topic must be a unique uppercase code such as HEALTH.PANDEMIC")
        seen.add(code)
        subjects = []
        for subject in entry.get("subjects") or []:
            groups = subject.get("all_of") if isinstance(subject, dict) else None
            if (
                not isinstance(subject.get("name"), str)
                or not groups
                or not all(isinstance(g, list) and g and all(isinstance(t, str) for t in g) for g in groups)
            ):
                raise _fail(name, where, f"subject {subject!r} must be {{name, all_of: [[terms], ...]}}")
            subjects.append(Subject(subject["name"], tuple(tuple(t.lower() for t in g) for g in groups)))
        terms = _string_list(name, where, entry, "terms")
        if not terms and not subjects:
            raise _fail(name, where, "needs terms or subjects")
        topics.append(
            Topic(
                code=code,
                label=str(entry.get("label") or code),
                terms=tuple(t.lower() for t in terms),
                subjects=tuple(subjects),
            )
        )
    return topics


# -------------------------------------------------------------------------------------------------- everything


@dataclass(frozen=True)
class Codebooks:
    events: dict[str, EventType]
    countries: dict[str, Country]
    sectors: dict[str, str]
    agents: list[Agent]
    organisations: dict[str, Organisation]
    groups: list[Organisation]
    people: list[Person]
    topics: list[Topic]
    triggers: dict[str, Any]

    @property
    def version(self) -> str:
        return CODER_VERSION


@cache
def load_codebooks() -> Codebooks:
    """All codebooks, validated (cached: once per process)."""
    from parley.coding.triggers import validate_triggers

    events = load_event_types()
    sectors, agents = load_agents()
    sector_codes = frozenset(sectors)
    countries = load_countries(sectors=sector_codes)
    organisations = load_organisations(sectors=sector_codes)
    groups = load_groups(sectors=sector_codes, countries=frozenset(countries))
    people = load_people(organisation_codes=frozenset(organisations))
    topics = load_topics()
    triggers = _load_yaml("triggers.yaml")
    validate_triggers(triggers, events, "triggers.yaml")
    return Codebooks(
        events=events,
        countries=countries,
        sectors=sectors,
        agents=agents,
        organisations=organisations,
        groups=groups,
        people=people,
        topics=topics,
        triggers=triggers,
    )
