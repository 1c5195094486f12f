//! Population by province, to weight where synthetic registrants live.

/// Population in thousands by province code.
///
/// Source: BPS, *Hasil Sensus Penduduk 2020* (Berita Resmi Statistik
/// No. 7/01/Th. XXIV, 21 January 2021), total 270.20 million, for the 34
/// provinces of 2020. The provinces created in 2022 are approximate splits
/// of their parents' 2020 totals by the census counts of the regencies they
/// took: Papua (4,303.7) into Papua 91, Papua Selatan 93, Papua Tengah 94
/// and Papua Pegunungan 95; Papua Barat (1,134.1) into Papua Barat 92 and
/// Papua Barat Daya 96.
pub const PROVINCE_POPULATION_2020: [(&str, u32); 38] = [
    ("11", 5_275),  // Aceh
    ("12", 14_799), // Sumatera Utara
    ("13", 5_535),  // Sumatera Barat
    ("14", 6_394),  // Riau
    ("15", 3_548),  // Jambi
    ("16", 8_467),  // Sumatera Selatan
    ("17", 2_011),  // Bengkulu
    ("18", 9_008),  // Lampung
    ("19", 1_456),  // Kepulauan Bangka Belitung
    ("21", 2_065),  // Kepulauan Riau
    ("31", 10_562), // DKI Jakarta
    ("32", 48_274), // Jawa Barat
    ("33", 36_516), // Jawa Tengah
    ("34", 3_669),  // DI Yogyakarta
    ("35", 40_666), // Jawa Timur
    ("36", 11_905), // Banten
    ("51", 4_317),  // Bali
    ("52", 5_320),  // Nusa Tenggara Barat
    ("53", 5_326),  // Nusa Tenggara Timur
    ("61", 5_414),  // Kalimantan Barat
    ("62", 2_670),  // Kalimantan Tengah
    ("63", 4_074),  // Kalimantan Selatan
    ("64", 3_766),  // Kalimantan Timur
    ("65", 702),    // Kalimantan Utara
    ("71", 2_622),  // Sulawesi Utara
    ("72", 2_986),  // Sulawesi Tengah
    ("73", 9_074),  // Sulawesi Selatan
    ("74", 2_625),  // Sulawesi Tenggara
    ("75", 1_172),  // Gorontalo
    ("76", 1_419),  // Sulawesi Barat
    ("81", 1_849),  // Maluku
    ("82", 1_283),  // Maluku Utara
    ("91", 1_035),  // Papua (after the 2022 split)
    ("92", 542),    // Papua Barat (after the 2022 split)
    ("93", 514),    // Papua Selatan
    ("94", 1_348),  // Papua Tengah
    ("95", 1_407),  // Papua Pegunungan
    ("96", 592),    // Papua Barat Daya
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Regions;

    #[test]
    fn covers_every_current_province_once() {
        let regions = Regions::embedded();
        let codes: Vec<&str> = regions.provinces().iter().map(|p| p.code()).collect();
        let table: Vec<&str> = PROVINCE_POPULATION_2020.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, table);
        let total: u32 = PROVINCE_POPULATION_2020.iter().map(|(_, n)| n).sum();
        assert!((269_000..=272_000).contains(&total), "{total}");
    }
}
