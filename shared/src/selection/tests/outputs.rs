//! Outputs and refusals: digests, CSV, compare, invalid input.

use super::*;

#[test]
fn invalid_inputs_are_refused() {
    let p = params(Allocation::National(1), 0, &[]);
    let ok = candidate(1_100_000_000_000_001, 1, 11, 1);
    let cases = [
        (vec![ok, ok], SelectionError::DuplicateNik(ok.nik)),
        (
            vec![Candidate { tier: 0, ..ok }],
            SelectionError::TierOutOfRange {
                nik: ok.nik,
                tier: 0,
            },
        ),
        (
            vec![Candidate { tier: 10, ..ok }],
            SelectionError::TierOutOfRange {
                nik: ok.nik,
                tier: 10,
            },
        ),
        (
            vec![Candidate {
                nik: MAX_ID + 1,
                ..ok
            }],
            SelectionError::NikOutOfRange(MAX_ID + 1),
        ),
        (
            vec![Candidate {
                kk: MAX_ID + 1,
                ..ok
            }],
            SelectionError::KkOutOfRange {
                nik: ok.nik,
                kk: MAX_ID + 1,
            },
        ),
    ];
    for (candidates, error) in cases {
        assert_eq!(draw(&p, candidates), Err(error));
    }
    // A duplicate far apart in an unsorted list is still found.
    let mut list = synthetic(500);
    list.push(list[3]);
    list.reverse();
    assert_eq!(
        draw(&p, list.clone()),
        Err(SelectionError::DuplicateNik(list[0].nik))
    );
    let long_beacon = DrawParams {
        beacon: vec![0; 65],
        ..p.clone()
    };
    assert_eq!(
        draw(&long_beacon, vec![ok]),
        Err(SelectionError::BeaconTooLong(65))
    );
    let bad_prior = params(Allocation::National(1), 2, &[(MAX_ID + 1, 1)]);
    assert_eq!(
        draw(&bad_prior, vec![ok]),
        Err(SelectionError::PriorKkOutOfRange(MAX_ID + 1))
    );
    assert_eq!(
        SelectionError::DuplicateNik(3_201_234_567_890_001).to_string(),
        "duplicate nik 3201********0001"
    );
}

#[test]
fn threaded_draw_matches_independent_digests() {
    // Enough candidates for the digests to run on their own threads.
    let mut candidates = synthetic(70_001);
    candidates.reverse();
    let p = params(
        Allocation::Proportional(20_000),
        2,
        &[(5_000_000_000_000_010, 2)],
    );
    let result = draw(&p, candidates.clone()).expect("draw");
    assert_eq!(
        result.manifest.input_digest,
        hex::encode(input_digest(&candidates))
    );
    assert_eq!(
        result.manifest.output_digest,
        hex::encode(output_digest(&result.rows))
    );
    let mut csv = Vec::new();
    write_rows_csv(&mut csv, &result.rows).expect("in memory");
    let text = String::from_utf8(csv).expect("ascii");
    assert_eq!(text.lines().count(), 70_002);
    let count = |s: Status| result.rows.iter().filter(|r| r.status == s).count() as u64;
    let m = &result.manifest;
    assert_eq!(
        (m.selected, m.waitlist, m.kk_cap),
        (
            count(Status::Selected),
            count(Status::Waitlist),
            count(Status::KkCap)
        )
    );
    assert_eq!(m.selected, 20_000);
    assert!(
        result
            .rows
            .windows(2)
            .all(|w| (w[0].stratum, w[0].rank) < (w[1].stratum, w[1].rank))
    );
}

#[test]
fn rows_csv_format() {
    let rows = [
        ResultRow {
            stratum: Stratum::NATIONAL,
            rank: 1,
            nik: 1_234_567_890_123_456,
            status: Status::Selected,
        },
        ResultRow {
            stratum: "35".parse().expect("35"),
            rank: 2,
            nik: 42,
            status: Status::KkCap,
        },
    ];
    let mut out = Vec::new();
    write_rows_csv(&mut out, &rows).expect("in memory");
    assert_eq!(
        String::from_utf8(out).expect("ascii"),
        "stratum,rank,nik,status\n00,1,1234567890123456,SELECTED\n35,2,0000000000000042,KK_CAP\n"
    );
}

#[test]
fn compare_lists_differences() {
    let p = params(Allocation::Proportional(10), 2, &[]);
    let result = draw(&p, synthetic(40)).expect("draw");
    assert!(compare(&result.rows, &result.manifest, &result).is_empty());

    let mut rows = result.rows.clone();
    rows[2].status = Status::KkCap;
    rows.truncate(39);
    let mut manifest = result.manifest.clone();
    manifest.seed = "00".to_owned();
    manifest.quotas.insert("99".to_owned(), 1);
    let listed: Vec<String> = compare(&rows, &manifest, &result)
        .iter()
        .map(ToString::to_string)
        .collect();
    let r = &result.rows[2];
    assert_eq!(
        listed[0],
        "expected.csv has 39 rows, the recomputed draw 40"
    );
    assert_eq!(
        listed[1],
        format!(
            "expected.csv line 4: status differs: expected {s},{k},{n},KK_CAP, recomputed {s},{k},{n},{st}",
            s = r.stratum,
            k = r.rank,
            n = mask_id(r.nik),
            st = r.status
        )
    );
    assert_eq!(
        listed[2],
        format!(
            "manifest.json seed: expected 00, recomputed {}",
            result.manifest.seed
        )
    );
    assert_eq!(
        listed[3],
        "manifest.json quotas[\"99\"]: expected 1, recomputed absent"
    );
    assert_eq!(listed.len(), 4);

    let shifted: Vec<ResultRow> = result
        .rows
        .iter()
        .map(|r| ResultRow {
            rank: r.rank + 1,
            ..*r
        })
        .collect();
    let differences = compare(&shifted, &result.manifest, &result);
    assert_eq!(differences.len(), MAX_ROW_DIFFERENCES + 1);
    assert_eq!(
        differences[MAX_ROW_DIFFERENCES],
        Difference::MoreRows(40 - MAX_ROW_DIFFERENCES)
    );
}
