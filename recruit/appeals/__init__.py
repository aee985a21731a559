"""Appeals: a candidate challenges a test item or asks for a review of a stage decision; reviewers decide with
a reason; an upheld item challenge neutralises the item and rescoring follows automatically."""
