-- The draw: jobs, the stored result (inputs and outputs, for audit) and the
-- participants it makes.

-- One row, locked by whatever must not interleave with a draw's start:
-- flipping a wave to `drawing` and promoting from a waiting list.
CREATE TABLE draw_gate (
    id boolean PRIMARY KEY DEFAULT true CHECK (id)
);
INSERT INTO draw_gate VALUES (true);

-- A draw to run. The job survives crashes; `attempts` counts starts.
CREATE TABLE selection_jobs (
    wave_id       integer PRIMARY KEY REFERENCES waves,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);

-- The stored draw of a wave, written in one transaction with its rows.
CREATE TABLE selections (
    wave_id        integer PRIMARY KEY REFERENCES waves,
    algorithm      text NOT NULL,
    manifest       jsonb NOT NULL,
    manifest_text  text NOT NULL,         -- the manifest exactly as published
    skew           jsonb NOT NULL,
    skew_flagged   boolean NOT NULL,
    candidates     bigint NOT NULL,
    drawn_at       timestamptz NOT NULL DEFAULT now(),
    duration_ms    bigint NOT NULL
);

-- Every candidate of a draw: the draw's inputs (nik, kk, province, tier) and
-- its outputs (stratum, rank, status). Never updated after the draw.
-- (wave_id refers to selections, written in the same transaction; no
-- foreign key, whose per-row check would dominate storing millions of rows.)
CREATE TABLE selection_results (
    wave_id          integer NOT NULL,
    stratum          text NOT NULL,
    rank             integer NOT NULL CHECK (rank >= 1),
    nik              text NOT NULL,
    kk               text NOT NULL,
    province         text NOT NULL,
    tier             smallint NOT NULL CHECK (tier BETWEEN 1 AND 9),
    status           text NOT NULL CHECK (status IN ('SELECTED', 'WAITLIST', 'KK_CAP')),
    registration_id  uuid NOT NULL,
    PRIMARY KEY (wave_id, stratum, rank)
    -- No unique (wave_id, nik): the draw refuses a duplicate NIK, the audit
    -- recomputes from these rows, and a random-order unique index would
    -- double the cost of storing a draw of millions.
);

-- Per family card, its beneficiaries from earlier waves, frozen when the
-- wave moved to `drawing` (so a restarted draw sees the same counts).
CREATE TABLE selection_prior (
    wave_id  integer NOT NULL REFERENCES waves,
    kk       text NOT NULL,
    count    integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (wave_id, kk)
);

-- Card numbers are handed out in blocks from this counter.
CREATE TABLE card_counter (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    next  bigint NOT NULL CHECK (next BETWEEN 0 AND 1000000000)
);
INSERT INTO card_counter VALUES (true, 1);

-- A selected (or promoted) person: one card, one NIK, for good.
CREATE TABLE participants (
    participant_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wave_id            integer NOT NULL REFERENCES waves,
    nik                text NOT NULL UNIQUE,
    kk                 text NOT NULL,
    registration_id    uuid NOT NULL,
    stratum            text NOT NULL,
    rank               integer NOT NULL,
    card_number        text NOT NULL UNIQUE CHECK (card_number ~ '^[0-9]{16}$'),
    origin             text NOT NULL CHECK (origin IN ('drawn', 'promoted')),
    selected_on        date NOT NULL,
    purchase_deadline  date NOT NULL,
    state              text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
    revoked_on         date,
    announced_at       timestamptz,
    CHECK ((state = 'revoked') = (revoked_on IS NOT NULL))
);
CREATE INDEX participants_unannounced ON participants (participant_id) WHERE announced_at IS NULL;
CREATE INDEX participants_wave ON participants (wave_id, stratum, rank);
