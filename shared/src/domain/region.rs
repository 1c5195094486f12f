//! One administrative region, and how region codes are written.

/// The level of an administrative region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Province (`PP`).
    Province,
    /// Regency or city (`PP.KK`).
    Regency,
    /// District, kecamatan (`PP.KK.CC`).
    District,
}

/// One region: its code (undotted digits, `"3171"`) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub(crate) code: String,
    pub(crate) value: u32,
    pub(crate) name: String,
}

impl Region {
    /// The code as undotted digits (`"31"`, `"3171"`, `"317101"`).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The region's name (`"Kota Jakarta Selatan"`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A malformed line of a regions file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("regions line {line}: {problem}")]
pub struct RegionsError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// The numeric value of a code of `digits` digits, written undotted or with
/// a dot after every pair of digits (`"31.71.01"`).
pub(crate) fn code_value(code: &str, digits: usize) -> Option<u32> {
    let bytes = code.as_bytes();
    let dotted = bytes.len() == digits + digits / 2 - 1;
    if bytes.len() != digits && !dotted {
        return None;
    }
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate() {
        if dotted && i % 3 == 2 {
            if byte != b'.' {
                return None;
            }
        } else if byte.is_ascii_digit() {
            value = value * 10 + u32::from(byte - b'0');
        } else {
            return None;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_undotted_or_dotted_pairs() {
        assert_eq!(code_value("31", 2), Some(31));
        assert_eq!(code_value("3171", 4), Some(3171));
        assert_eq!(code_value("31.71", 4), Some(3171));
        assert_eq!(code_value("31.71.01", 6), Some(317101));
        for bad in ["3.171", "31-71", "317", "31.7a", "31..71"] {
            assert_eq!(code_value(bad, 4), None, "{bad}");
        }
    }
}
