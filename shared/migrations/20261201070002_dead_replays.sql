-- Every `prakerja dead replay`: who, when, which queue and filter, and how
-- many messages it replayed (counted as each one is acked in the dead-letter
-- queue, so a replay killed half-way still says what it did).
CREATE TABLE dead_replays (
    replay_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue         text NOT NULL,
    dead_queue    text NOT NULL,
    filter        text,
    max_messages  integer CHECK (max_messages > 0),
    max_replays   integer NOT NULL CHECK (max_replays >= 0),
    replayed_by   text NOT NULL CHECK (btrim(replayed_by) <> ''),
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    replayed      integer NOT NULL DEFAULT 0,
    over_cap      integer NOT NULL DEFAULT 0,
    not_matching  integer NOT NULL DEFAULT 0
);
