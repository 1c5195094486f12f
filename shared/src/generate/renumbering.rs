//! Regency codes renumbered by the 2022 Papua split. A NIK or KK issued
//! before the split keeps the old code, which the current regions list no
//! longer has: such numbers draw a warning, not a rejection.

/// `(current code, code before the 2022 split)`, from the Permendagri
/// codes of Papua (91) and Papua Barat (92) before the new provinces.
pub const RENUMBERED_REGENCIES: [(&str, &str); 26] = [
    ("9301", "9101"), // Merauke
    ("9302", "9116"), // Boven Digoel
    ("9303", "9117"), // Mappi
    ("9304", "9118"), // Asmat
    ("9401", "9104"), // Nabire
    ("9402", "9107"), // Puncak Jaya
    ("9403", "9108"), // Paniai
    ("9404", "9109"), // Mimika
    ("9405", "9125"), // Puncak
    ("9406", "9126"), // Dogiyai
    ("9407", "9127"), // Intan Jaya
    ("9408", "9128"), // Deiyai
    ("9501", "9102"), // Jayawijaya
    ("9502", "9112"), // Pegunungan Bintang
    ("9503", "9113"), // Yahukimo
    ("9504", "9114"), // Tolikara
    ("9505", "9121"), // Mamberamo Tengah
    ("9506", "9122"), // Yalimo
    ("9507", "9123"), // Lanny Jaya
    ("9508", "9124"), // Nduga
    ("9601", "9201"), // Sorong
    ("9602", "9204"), // Sorong Selatan
    ("9603", "9205"), // Raja Ampat
    ("9604", "9209"), // Tambrauw
    ("9605", "9210"), // Maybrat
    ("9671", "9271"), // Kota Sorong
];

/// The code a regency had before the 2022 split, if it was renumbered.
pub fn former_code(regency: &str) -> Option<&'static str> {
    RENUMBERED_REGENCIES
        .iter()
        .find(|(current, _)| *current == regency)
        .map(|(_, former)| *former)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Regions;

    #[test]
    fn current_codes_exist_and_former_ones_do_not() {
        let regions = Regions::embedded();
        for (current, former) in RENUMBERED_REGENCIES {
            assert!(regions.is_regency(current), "{current}");
            assert!(!regions.is_regency(former), "{former}");
            assert!(regions.is_known_province(&former[..2]));
        }
        assert_eq!(former_code("9301"), Some("9101"));
        assert_eq!(former_code("3171"), None);
    }
}
