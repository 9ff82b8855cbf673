//! Estonian names and the login names derived from them.

use crate::rng::Rng;

const MALE: &[&str] = &[
    "Andres", "Ants", "Indrek", "Jaan", "Juhan", "Kalle", "Kristjan", "Lauri", "Madis", "Margus",
    "Marko", "Martin", "Mart", "Meelis", "Priit", "Rain", "Rasmus", "Siim", "Tarmo", "Toomas",
    "Tõnis", "Urmas", "Veiko", "Aivar", "Erki", "Hannes", "Jüri", "Karl", "Oliver", "Peeter",
];
const FEMALE: &[&str] = &[
    "Anne",
    "Anu",
    "Eha",
    "Ene",
    "Helen",
    "Heli",
    "Kadri",
    "Kaja",
    "Kati",
    "Kersti",
    "Krista",
    "Liis",
    "Maarja",
    "Mari",
    "Merike",
    "Piret",
    "Reet",
    "Riina",
    "Sirje",
    "Tiina",
    "Triin",
    "Ülle",
    "Ene-Liis",
    "Katrin",
    "Kristiina",
    "Laura",
    "Marju",
    "Pille",
    "Signe",
    "Tiiu",
];
const SURNAMES: &[&str] = &[
    "Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn", "Koppel", "Kuusk",
    "Karu", "Lepik", "Lõhmus", "Kallas", "Luik", "Vaher", "Raud", "Kaasik", "Põder", "Oja",
    "Tooming", "Kivi", "Mets", "Sild", "Org", "Laur", "Jõgi", "Kütt", "Aavik", "Teder", "Mölder",
    "Nõmm", "Väli", "Kõiv", "Arro", "Ots", "Paju", "Roos", "Lill",
];

/// A full name for someone of the given sex.
pub(crate) fn full_name(rng: &mut Rng, female: bool) -> String {
    let first = rng.pick(if female { FEMALE } else { MALE });
    format!("{first} {}", rng.pick(SURNAMES))
}

/// A login like `mkask0153`: initial, surname and a serial number, folded to
/// ASCII the way IAM systems do, so every background login is unique and never
/// equals a planted story's login (those carry no digits).
pub(crate) fn login(name: &str, serial: usize) -> String {
    let mut parts = name.split_whitespace();
    let first = parts.next().unwrap_or("x");
    let last = parts.last().unwrap_or("x");
    let mut out = String::new();
    out.extend(first.chars().next().map(fold));
    out.extend(last.chars().filter(|c| c.is_alphabetic()).map(fold));
    format!("{}{serial:04}", out.to_lowercase())
}

fn fold(c: char) -> char {
    match c {
        'õ' | 'ö' | 'Õ' | 'Ö' => 'o',
        'ä' | 'Ä' => 'a',
        'ü' | 'Ü' => 'u',
        'š' | 'Š' => 's',
        'ž' | 'Ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_ascii_and_numbered() {
        assert_eq!(login("Tõnis Lõhmus", 7), "tlohmus0007");
        assert_eq!(login("Ülle Mägi", 1234), "umagi1234");
    }
}
