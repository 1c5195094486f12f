-- The moment a wave's draw inputs were frozen (its move to `drawing`).
-- Nothing that arrives later can change its candidates, and the draw's
-- beacon round is derived from this instant, so it is recorded once, by
-- the same statement that moves the wave to `drawing`.
ALTER TABLE waves ADD COLUMN frozen_at timestamptz;
-- Waves frozen before this column existed: their close is the best lower bound.
UPDATE waves SET frozen_at = closed_at WHERE state IN ('drawing', 'drawn');
ALTER TABLE waves ADD CONSTRAINT waves_frozen_with_state
    CHECK ((state IN ('drawing', 'drawn')) = (frozen_at IS NOT NULL));
