//! Plausible Indonesian names, with some regional colour (Batak clan names
//! in North Sumatra, Balinese birth-order names, eastern Christian names,
//! single Javanese names).

use rand::RngExt;
use rand::seq::IndexedRandom;

use crate::domain::Sex;

const MALE: &[&str] = &[
    "Agus", "Budi", "Ahmad", "Muhammad", "Rizky", "Dedi", "Andi", "Eko", "Hendra", "Joko",
    "Bambang", "Fajar", "Dimas", "Arif", "Yusuf", "Teguh", "Hadi", "Rudi", "Wahyu", "Bayu", "Iwan",
    "Sigit", "Anton", "Rahmat", "Irfan", "Fikri", "Ilham", "Reza", "Aditya", "Dwi", "Galih",
    "Heri", "Imam", "Lukman", "Putra", "Ridwan", "Slamet", "Taufik", "Yoga", "Zainal",
];
const FEMALE: &[&str] = &[
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Ratna", "Wulan", "Putri", "Ayu", "Fitri", "Indah",
    "Lestari", "Maya", "Nina", "Rini", "Sari", "Tuti", "Yuni", "Dian", "Eka", "Intan", "Kartika",
    "Lia", "Mega", "Nurul", "Puspita", "Rahma", "Septi", "Yanti", "Anisa", "Desi", "Fitria",
    "Hani", "Ika", "Lina", "Melati", "Novi", "Ratih", "Suci", "Aminah",
];
const MALE_SECOND: &[&str] = &[
    "Pratama",
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Setiawan",
    "Kurniawan",
    "Santoso",
    "Susanto",
    "Nugroho",
    "Permana",
    "Gunawan",
    "Firmansyah",
    "Hakim",
    "Ramadhan",
    "Syahputra",
    "Maulana",
    "Rahman",
    "Hasan",
    "Purnomo",
    "Wibowo",
    "Hartono",
    "Utomo",
    "Suryadi",
    "Prasetyo",
];
const FEMALE_SECOND: &[&str] = &[
    "Rahayu",
    "Lestari",
    "Anggraini",
    "Handayani",
    "Safitri",
    "Puspitasari",
    "Wulandari",
    "Kusumawati",
    "Pertiwi",
    "Aminah",
    "Fauziah",
    "Oktaviani",
    "Novitasari",
    "Maharani",
    "Utami",
    "Permatasari",
    "Wahyuni",
    "Susanti",
];
const JAVANESE_MALE: &[&str] = &[
    "Sutrisno",
    "Sugiyanto",
    "Suparman",
    "Sukardi",
    "Mulyono",
    "Wagiman",
];
const JAVANESE_FEMALE: &[&str] = &[
    "Suparmi", "Sumiati", "Sulastri", "Sumarni", "Painem", "Tukinem",
];
const BATAK: &[&str] = &[
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Harahap",
    "Lubis",
    "Sitompul",
    "Pardede",
    "Sinaga",
    "Simatupang",
    "Hutapea",
    "Situmorang",
    "Tambunan",
    "Silalahi",
    "Panjaitan",
    "Manurung",
];
const BALINESE_ORDER: &[&str] = &[
    "Putu", "Wayan", "Gede", "Made", "Kadek", "Nyoman", "Komang", "Ketut",
];
const BALINESE: &[&str] = &[
    "Sudarma", "Suarjana", "Artana", "Wirawan", "Adnyana", "Darmawan", "Astiti", "Sukarini",
];
const EASTERN_MALE: &[&str] = &[
    "Yohanes",
    "Petrus",
    "Agustinus",
    "Fransiskus",
    "Yosef",
    "Markus",
    "Daniel",
    "Samuel",
];
const EASTERN_FEMALE: &[&str] = &[
    "Maria",
    "Yosefina",
    "Elisabeth",
    "Theresia",
    "Yuliana",
    "Agnes",
    "Ester",
    "Debora",
];
const EASTERN_FAMILY: &[&str] = &[
    "Wenas",
    "Pangemanan",
    "Rumbiak",
    "Wonda",
    "Kogoya",
    "Pattinama",
    "Fernandes",
    "Da Costa",
    "Lumowa",
    "Tanamal",
    "Ndun",
    "Manafe",
    "Mandacan",
    "Yikwa",
];

/// A family name shared by relatives, where the region uses one.
pub fn family_name<R: RngExt + ?Sized>(rng: &mut R, province: &str) -> Option<&'static str> {
    match province {
        "12" if rng.random_bool(0.6) => BATAK.choose(rng).copied(),
        "53" | "71" | "81" | "91" | "92" | "93" | "94" | "95" | "96" => {
            EASTERN_FAMILY.choose(rng).copied()
        }
        _ => None,
    }
}

/// A full name for someone of `sex` living in `province`.
pub fn full_name<R: RngExt + ?Sized>(
    rng: &mut R,
    sex: Sex,
    province: &str,
    family: Option<&str>,
) -> String {
    let pick = |rng: &mut R, list: &[&'static str]| *list.choose(rng).expect("non-empty list");
    let female = sex == Sex::F;
    if province == "51" && rng.random_bool(0.8) {
        let title = if female { "Ni" } else { "I" };
        return format!(
            "{title} {} {}",
            pick(rng, BALINESE_ORDER),
            pick(rng, BALINESE)
        );
    }
    let eastern = family.is_some() && province != "12";
    let given = match (eastern, female) {
        (true, true) => pick(rng, EASTERN_FEMALE),
        (true, false) => pick(rng, EASTERN_MALE),
        (false, true) => pick(rng, FEMALE),
        (false, false) => pick(rng, MALE),
    };
    if let Some(family) = family {
        return format!("{given} {family}");
    }
    if matches!(province, "33" | "34" | "35") && rng.random_bool(0.15) {
        return pick(
            rng,
            if female {
                JAVANESE_FEMALE
            } else {
                JAVANESE_MALE
            },
        )
        .to_owned();
    }
    let second = pick(rng, if female { FEMALE_SECOND } else { MALE_SECOND });
    if rng.random_bool(0.2) {
        let middle = pick(rng, if female { FEMALE } else { MALE });
        if middle != given {
            return format!("{given} {middle} {second}");
        }
    }
    format!("{given} {second}")
}

/// An e-mail address made from a name, sometimes with the birth year.
pub fn email<R: RngExt + ?Sized>(rng: &mut R, full_name: &str, birth_year: i32) -> String {
    const DOMAINS: &[(&str, u32)] = &[
        ("gmail.com", 70),
        ("yahoo.co.id", 10),
        ("yahoo.com", 8),
        ("outlook.com", 5),
        ("hotmail.com", 4),
        ("ymail.com", 3),
    ];
    let words: Vec<String> = full_name
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphabetic)
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().map_or("user", String::as_str);
    let last = words.last().map_or("id", String::as_str);
    let separator = ["", ".", "_"].choose(rng).copied().unwrap_or(".");
    let local = if words.len() > 1 {
        format!("{first}{separator}{last}")
    } else {
        first.to_owned()
    };
    let suffix = match rng.random_range(0..4) {
        0 => String::new(),
        1 => rng.random_range(1..100).to_string(),
        2 => format!("{:02}", birth_year.rem_euclid(100)),
        _ => birth_year.to_string(),
    };
    let domain = super::weighted::pick(rng, DOMAINS);
    format!("{local}{suffix}@{domain}")
}
