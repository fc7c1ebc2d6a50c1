"""Match runs: criteria and rules, running the solver as a draft, editing the draft,
comparing it with the previous one, and publishing it.

Nobody but the program's coordinators learns of a draft. Publishing creates every
mentorship in one transaction and, after it commits, emails each pair an
introduction that says why they were matched.
"""

from matching.runs.criteria import (
    criteria_recommended_add,
    criterion_add,
    criterion_check,
    criterion_delete,
    criterion_problem,
    criterion_update,
    match_settings_update,
    pair_pin_delete,
    pair_rule_delete,
    pair_rule_set,
)
from matching.runs.drafts import proposal_assign, proposal_remove, proposal_swap
from matching.runs.introductions import (
    DELIVERY_INTRODUCTION,
    match_introduction_send,
    match_introductions_send,
)
from matching.runs.selectors import (
    WHATIF_MAX_MENTEES,
    RunDiff,
    WhatIf,
    match_whatif,
    run_diff,
    run_list,
)
from matching.runs.services import RUN_STATES, match_run_execute, match_run_publish, match_run_start
from matching.runs.solving import REASON_OF, SCORE_BINS, Solved, Unmatched, summary_of

__all__ = [
    "DELIVERY_INTRODUCTION",
    "REASON_OF",
    "RUN_STATES",
    "SCORE_BINS",
    "WHATIF_MAX_MENTEES",
    "RunDiff",
    "Solved",
    "Unmatched",
    "WhatIf",
    "criteria_recommended_add",
    "criterion_add",
    "criterion_check",
    "criterion_delete",
    "criterion_problem",
    "criterion_update",
    "match_introduction_send",
    "match_introductions_send",
    "match_run_execute",
    "match_run_publish",
    "match_run_start",
    "match_settings_update",
    "match_whatif",
    "pair_pin_delete",
    "pair_rule_delete",
    "pair_rule_set",
    "proposal_assign",
    "proposal_remove",
    "proposal_swap",
    "run_diff",
    "run_list",
    "summary_of",
]
