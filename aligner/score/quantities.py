"""Measured quantities a translation converts: "85 mph" is "135 km/h", "550 pounds" "250 kg".

News written for American readers gives miles, pounds, inches and degrees Fahrenheit; its French
version converts them, its Arabic one often keeps them. Compared digit for digit the two sides
then share no number, and ``numbers`` calls a right translation wrong. A number followed by a
unit word is read as a quantity (value times the unit's size in a base unit of its dimension:
metres, kilograms; a speed as distance per hour, so miles per hour meet km/h); two quantities of
the same dimension, in different units, whose sizes agree within the rounding a translator
applies (:data:`TOLERANCE`) are the same quantity. Degrees are matched as a Fahrenheit value
and its Celsius conversion (or equal values).

Units are recognised by small lexicons of their names and symbols in en, fr and ar (and the
Arabic forms with diacritics removed): generic measurement vocabulary, not text of any page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from aligner.embed.lexical import _DIGITS, _NUMBER, _normalise_arabic, canonical_number

#: Relative difference within which two converted sizes count as one quantity (rounding: 385
#: miles = 619.6 km, written 620; 85 mph = 136.8 km/h, written 135; 1 inch = 2.54 cm, written 2.5).
TOLERANCE = 0.06
#: Degrees Fahrenheit against Celsius: within this many degrees C (80 F = 26.7 C, written 26 or 27).
CELSIUS_TOLERANCE = 1.5

_LENGTH, _MASS, _TEMPERATURE = "length", "mass", "temperature"
_UNITS: dict[str, tuple[str, float, str]] = {}  # folded unit word -> (dimension, size, system)
for _dimension, _size, _system, _names in (
    (_LENGTH, 1609.344, "imperial", "mile miles mi mph ميل ميلا ميلًا اميال أميال"),
    (_LENGTH, 0.3048, "imperial", "foot feet ft pied pieds قدم أقدام اقدام"),
    (_LENGTH, 0.0254, "imperial", "inch inches in. pouce pouces بوصة بوصات انش إنش"),
    (_LENGTH, 0.9144, "imperial", "yard yards yd verge verges ياردة ياردات يارده"),
    (_LENGTH, 1000.0, "metric", "km km/h kmh kilometre kilometres kilometer kilometers kilomètre kilomètres "
                                "كم كيلومتر كيلومترا كيلومترات"),
    (_LENGTH, 1.0, "metric", "m metre metres meter meters mètre mètres متر مترا أمتار امتار"),
    (_LENGTH, 0.01, "metric", "cm centimetre centimetres centimeter centimeters centimètre centimètres "
                              "سم سنتيمتر سنتيمترا سنتيمترات"),
    (_MASS, 0.45359237, "imperial", "lb lbs pound pounds livre livres رطل رطلا أرطال ارطال"),
    (_MASS, 1000.0, "metric", "tonne tonnes t طن أطنان"),
    (_MASS, 1.0, "metric", "kg kilo kilos kilogram kilograms kilogramme kilogrammes كغ كجم كيلوغرام كيلوجرام "
                           "كيلوغراما كيلوغرامات"),
    (_TEMPERATURE, 1.0, "degrees", "degree degrees °f °c degré degrés درجة درجات"),
):
    for _name in _names.split():
        _UNITS[_normalise_arabic(_name.casefold())] = (_dimension, _size, _system)

_QUANTITY = regex.compile(rf"(?P<num>{_NUMBER.pattern})(?:\s|-)?(?P<unit>°\s?[FCfc]\b|[\p{{L}}\p{{M}}][\p{{L}}\p{{M}}/]*\.?)")
#: The first number of a range whose unit is written once ("2 to 4 inches", "entre 5 et 10 cm", "2 إلى 4 بوصات").
_RANGE_START = regex.compile(rf"(?P<num>{_NUMBER.pattern})\s*(?:-|–|to|and|à|et|إلى|الى|و)\s*$", regex.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    number: str  # the number as number_sets writes it (canonical_number)
    value: float
    dimension: str
    size: float  # the unit's size in the dimension's base unit
    system: str


def _unit(word: str) -> tuple[str, float, str] | None:
    folded = _normalise_arabic(word.casefold().replace(" ", ""))
    if folded in _UNITS:
        return _UNITS[folded]
    if folded[:1] in "وبل" and folded[1:] in _UNITS:  # و / ب / ل proclitics
        return _UNITS[folded[1:]]
    return _UNITS.get(folded.rstrip("."))


@lru_cache(maxsize=4096)
def quantities(text: str) -> tuple[Quantity, ...]:
    """The numbers of ``text`` directly followed by a unit word, as quantities."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    found = []
    for match in _QUANTITY.finditer(text):
        unit = _unit(match["unit"])
        if unit is None:
            continue
        start = _RANGE_START.search(text, max(0, match.start() - 24), match.start())
        for number in ([start["num"]] if start else []) + [match["num"]]:
            number = canonical_number(number)
            try:
                found.append(Quantity(number, float(number), *unit))
            except ValueError:
                continue
    return tuple(found)


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """Whether ``a`` and ``b`` are one quantity written in two units (not the same number twice)."""
    if a.dimension != b.dimension:
        return False
    if a.dimension == _TEMPERATURE:
        return (abs((a.value - 32) * 5 / 9 - b.value) <= CELSIUS_TOLERANCE
                or abs((b.value - 32) * 5 / 9 - a.value) <= CELSIUS_TOLERANCE)
    if a.system == b.system:
        return False
    first, second = a.value * a.size, b.value * b.size
    return first > 0 and second > 0 and abs(first - second) <= TOLERANCE * max(first, second)


def converted_pairs(src: str, tgt: str) -> list[tuple[str, str]]:
    """``(source number, target number)`` of the quantities ``tgt`` gives converted from ``src``,
    each quantity used once, in the source's order."""
    pairs, used = [], set()
    targets = quantities(tgt)
    for a in quantities(src):
        for k, b in enumerate(targets):
            if k not in used and a.number != b.number and same_quantity(a, b):
                pairs.append((a.number, b.number))
                used.add(k)
                break
    return pairs
