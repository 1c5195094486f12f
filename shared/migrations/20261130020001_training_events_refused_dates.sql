-- A training event dated in the future (beyond a small clock allowance plus
-- `disburser.max_days_ahead` days) or before the participant was selected
-- changes nothing: it is kept, refused with its reason.
ALTER TABLE training_events
    DROP CONSTRAINT training_events_ignored_reason_check,
    ADD CONSTRAINT training_events_ignored_reason_check CHECK (ignored_reason IN
        ('UNVERIFIED_PLATFORM', 'UNKNOWN_NIK', 'NOT_A_PARTICIPANT', 'REVOKED',
         'SURVEY_OUT_OF_RANGE', 'BEFORE_VERIFICATION', 'IN_THE_FUTURE', 'BEFORE_SELECTION'));
