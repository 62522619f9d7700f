"""The study model: the one definition of arms, control, screened, enrolled, dosed, first dose, consent, last
contact, deaths and disposition (analyses.md "Common definitions"), and the vocabularies coded values are
read with. Public API for analysts::

    import workbench
    sub = workbench.load_submission("sample_data/rct-ucmsc-koa")
    model = sub.study                  # or workbench.study.study_model(sub)
    model.arms                         # ARM, LABEL, CONTROL, ROLE_RULE, DOSE, DOSE_UNIT, ...
    model.subjects                     # one row per subject: ARM, ENROLLED, DOSED, FIRST_LO, AGE_Y, ...
    model.adverse_events               # AE records with TEAE, RELATED, SERIOUS, GRADE, FATAL, ...
    model.parameters                   # required follow-up, DLT window/target ... in force, with overrides
    sub.vocab.causality.category("Possible")   # 'related'

Day numbers (``FIRST_LO``, ``CONSENT_LO`` …) count days since 1970-01-01; ``workbench.dates.day_to_iso``
turns them back into dates.
"""
from .arms import ROLE_RULE_LABELS, canonical_arm, role_rule_text
from .design import Fact, StudyDesign
from .events import VocabularyGap, vocabulary_gaps
from .model import SUBJECT_COLUMNS, StudyModel, age_in_years, study_model
from .parameters import DefaultUsed, Override, StudyParameters, effective_parameters
from .vocab import Mentions, Vocabularies, Vocabulary

__all__ = ["DefaultUsed", "Fact", "Mentions", "Override", "StudyParameters", "effective_parameters", "ROLE_RULE_LABELS", "SUBJECT_COLUMNS", "StudyDesign", "StudyModel", "Vocabularies",
           "Vocabulary", "VocabularyGap", "age_in_years", "canonical_arm", "role_rule_text", "study_model",
           "vocabulary_gaps"]
