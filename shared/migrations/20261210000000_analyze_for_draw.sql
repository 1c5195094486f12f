-- The selector refreshes the planner's statistics of what the draw reads
-- and writes (ARCHITECTURE.md, "Checks never stall"): a wave's millions of
-- registrations arrive by `COPY`, and with autovacuum late or off the
-- planner would see a few rows. PostgreSQL 15 lets only a table's owner
-- ANALYZE it (a member of prakerja_selector got "skipping ... only table or
-- database owner can analyze it", a warning, and nothing was analysed), so
-- the owner offers exactly these three ANALYZEs through one function. It is
-- the one SECURITY DEFINER function: it takes a stage name, runs a fixed
-- statement on fixed tables, and only the selector may call it.
CREATE FUNCTION analyze_for_draw(stage text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    CASE stage
        WHEN 'before_freeze' THEN
            ANALYZE registrations, barred_niks, participants;
        WHEN 'frozen' THEN
            ANALYZE selection_prior, selection_excluded;
        WHEN 'drawn' THEN
            ANALYZE selection_results, participants, barred_niks;
        ELSE
            RAISE EXCEPTION 'analyze_for_draw: unknown stage %', stage
                USING ERRCODE = 'invalid_parameter_value';
    END CASE;
END;
$$;
REVOKE ALL ON FUNCTION analyze_for_draw(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyze_for_draw(text) TO prakerja_selector;
