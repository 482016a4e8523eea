"""Each denial pattern is one unit (appeals/classify/patterns/<id>.py) found by its id; each
condition is one function registered by name (appeals/classify/vocabulary.py)."""

from __future__ import annotations

from appeals.classify.conditions import CONDITIONS
from appeals.classify.patterns import REGISTRY
from appeals.classify.vocabulary import REGISTRY as VOCABULARY
from appeals.rules.denial_map import load_denial_map
from appeals.rules.patterns import load_patterns


def test_every_catalogued_pattern_has_its_unit():
    assert set(REGISTRY) == set(load_patterns())
    assert {rule.pattern for rule in load_denial_map()} <= set(REGISTRY)


def test_fixes_apply_in_registry_order():
    order = list(REGISTRY)
    assert order.index("wrong_route") < order.index("missing_kx") < order.index("missing_jz_jw")


def test_conditions_are_registered_functions_with_words():
    assert set(CONDITIONS) == set(VOCABULARY)
    for name, (words, fn) in VOCABULARY.items():
        assert words and callable(fn), name
