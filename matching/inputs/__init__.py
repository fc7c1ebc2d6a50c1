"""From a program's rows to the pure scorer: the matchable fields, the criteria as the
scorer takes them, the people as columns, and explanations as sentences.

A run stores the configuration it used (:func:`config_from_program`) and everything
downstream reads that configuration, so "what if" previews and old drafts are
scored exactly as they were shown.
"""

from matching.inputs.config import (
    config_from_program,
    criterion_row,
    criterion_weight,
    scoring_criteria,
    scoring_rules,
    settings_of,
)
from matching.inputs.explanations import (
    VIOLATION_TEXT,
    explanation_store,
    part_text,
    violation_text,
)
from matching.inputs.fields import (
    CATEGORY,
    MENTOR_FIELD_KIND,
    PROFILE_FIELDS,
    RECOMMENDED,
    RULES_FOR,
    SENIORITY,
    SET,
    TEXT,
    TIME_ZONE,
    Field,
    field_catalog,
)
from matching.inputs.pool import Pool, matchable_participants, pool_build

__all__ = [
    "CATEGORY",
    "MENTOR_FIELD_KIND",
    "PROFILE_FIELDS",
    "RECOMMENDED",
    "RULES_FOR",
    "SENIORITY",
    "SET",
    "TEXT",
    "TIME_ZONE",
    "VIOLATION_TEXT",
    "Field",
    "Pool",
    "config_from_program",
    "criterion_row",
    "criterion_weight",
    "explanation_store",
    "field_catalog",
    "matchable_participants",
    "part_text",
    "pool_build",
    "scoring_criteria",
    "scoring_rules",
    "settings_of",
    "violation_text",
]
