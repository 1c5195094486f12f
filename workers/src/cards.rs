//! Card numbers: 16 digits, the programme's 6-digit IIN, a 9-digit serial
//! handed out in blocks from `card_counter`, and a Luhn check digit. Unique by
//! construction (and by the database's unique index).

use sqlx::PgConnection;

/// Reserves `count` card numbers in the caller's transaction.
pub async fn allocate(
    tx: &mut PgConnection,
    iin: &str,
    count: usize,
) -> Result<Vec<String>, sqlx::Error> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let start: i64 =
        sqlx::query_scalar("UPDATE card_counter SET next = next + $1 RETURNING next - $1")
            .bind(count as i64)
            .fetch_one(&mut *tx)
            .await?;
    Ok((0..count as i64)
        .map(|i| card_number(iin, start + i))
        .collect())
}

/// The card number of a serial.
pub fn card_number(iin: &str, serial: i64) -> String {
    let body = format!("{iin}{serial:09}");
    let check = luhn_check_digit(&body);
    format!("{body}{check}")
}

/// The digit that makes `body` + digit pass the Luhn check.
pub fn luhn_check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_valid(number: &str) -> bool {
        let body = &number[..number.len() - 1];
        let last = u32::from(number.as_bytes()[number.len() - 1] - b'0');
        luhn_check_digit(body) == last
    }

    #[test]
    fn known_luhn_numbers() {
        assert!(luhn_valid("79927398713"));
        assert!(luhn_valid("4539578763621486"));
        assert!(!luhn_valid("4539578763621487"));
    }

    #[test]
    fn card_numbers_are_16_luhn_digits() {
        for serial in [1, 42, 999_999_999] {
            let card = card_number("604180", serial);
            assert_eq!(card.len(), 16);
            assert!(card.starts_with("604180"));
            assert!(luhn_valid(&card), "{card}");
        }
    }
}
