-- A v2 `pid` is 32 lowercase hex digits. The same rule, checked for less:
-- the bounded pattern `^[0-9a-f]{32}$` cost PostgreSQL ~1.3 µs per row
-- (about 14 s of a 10M-candidate draw's store, the most of v2's extra
-- time over v1, BENCHMARKS.md), a length test and an unbounded class
-- ~0.7 µs. tests/it/selection_v2.rs checks both constraints still refuse
-- what they refused.
ALTER TABLE selection_results
    DROP CONSTRAINT selection_results_pid_format,
    ADD CONSTRAINT selection_results_pid_format CHECK (octet_length(pid) = 32 AND pid ~ '^[0-9a-f]*$');
ALTER TABLE participants
    DROP CONSTRAINT participants_pid_format,
    ADD CONSTRAINT participants_pid_format CHECK (octet_length(pid) = 32 AND pid ~ '^[0-9a-f]*$');
