//! The agency's catalogue: kinds of unit, their posts with duties, the
//! regions of its bureaus and the municipalities whose social workers use
//! STAR.

/// What a unit does, which decides its posts, system and cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Pension claims (SKAIS).
    Pension,
    /// Family benefits (SKAIS).
    Family,
    /// Client service (SKAIS).
    Service,
    /// A local government's social workers (STAR).
    Municipal,
}

impl Kind {
    /// The system the unit's people work in.
    pub(crate) fn system(self) -> &'static str {
        match self {
            Kind::Municipal => "STAR",
            _ => "SKAIS",
        }
    }

    /// Case number prefix of the unit's proceedings.
    pub(crate) fn case_prefix(self) -> &'static str {
        match self {
            Kind::Pension => "PEN",
            Kind::Family => "PERE",
            Kind::Service => "KT",
            Kind::Municipal => "STAR",
        }
    }
}

/// A post (teenistuskoht) with its written duties and the roles they justify.
#[derive(Debug)]
pub(crate) struct Post {
    /// `positions.position_id`.
    pub id: &'static str,
    /// `positions.title`.
    pub title: &'static str,
    /// The duties in its job description.
    pub duties: &'static [&'static str],
    /// The (system, role) pairs those duties justify in `duty_roles`.
    pub roles: &'static [(&'static str, &'static str)],
}

pub(super) const MANAGING: &str = "osakonna töö juhtimine";
pub(super) const REPORTING: &str = "osakonna töö aruandlus";

/// The background's posts; their duties are the demo's duty catalogue.
pub(crate) const POSTS: &[Post] = &[
    Post {
        id: "G-PEN-JUHT",
        title: "Büroo juhataja (pensionid)",
        duties: &[MANAGING, "pensioniotsuste kinnitamine", REPORTING],
        roles: &[("SKAIS", "PENS_OTSUSTAJA"), ("SKAIS", "ARUANDED")],
    },
    Post {
        id: "G-PEN-SPETS",
        title: "Pensionispetsialist",
        duties: &[
            "pensionitaotluste menetlemine",
            "rahvastikuregistri päringud",
        ],
        roles: &[("SKAIS", "PENS_MENETLEJA"), ("RR", "RR_PARING")],
    },
    Post {
        id: "G-PERE-JUHT",
        title: "Büroo juhataja (peretoetused)",
        duties: &[MANAGING, "peretoetuste otsuste kinnitamine", REPORTING],
        roles: &[("SKAIS", "PERE_OTSUSTAJA"), ("SKAIS", "ARUANDED")],
    },
    Post {
        id: "G-PERE-SPETS",
        title: "Peretoetuste spetsialist",
        duties: &["peretoetuste menetlemine"],
        roles: &[("SKAIS", "PERE_MENETLEJA")],
    },
    Post {
        id: "G-KT-JUHT",
        title: "Klienditeeninduse büroo juhataja",
        duties: &[MANAGING, "klientide nõustamine"],
        roles: &[("SKAIS", "KLIENT_VAATAJA")],
    },
    Post {
        id: "G-KT-TEENINDAJA",
        title: "Klienditeenindaja",
        duties: &["klientide nõustamine"],
        roles: &[("SKAIS", "KLIENT_VAATAJA")],
    },
    Post {
        id: "G-KOV-JUHT",
        title: "Sotsiaalosakonna juhataja",
        duties: &[MANAGING, "sotsiaalteenuste ja -toetuste menetlemine"],
        roles: &[("STAR", "STAR_SOTSTOOTAJA")],
    },
    Post {
        id: "G-KOV-SOTSTOO",
        title: "Sotsiaaltööspetsialist",
        duties: &["sotsiaalteenuste ja -toetuste menetlemine"],
        roles: &[("STAR", "STAR_SOTSTOOTAJA")],
    },
];

/// The post of a unit's head or of its other members.
pub(crate) fn post(kind: Kind, head: bool) -> &'static Post {
    let i = match kind {
        Kind::Pension => 0,
        Kind::Family => 2,
        Kind::Service => 4,
        Kind::Municipal => 6,
    } + usize::from(!head);
    &POSTS[i]
}

pub(super) const REGIONS: &[&str] = &[
    "Tallinn",
    "Tartu",
    "Pärnu",
    "Narva",
    "Jõhvi",
    "Rakvere",
    "Viljandi",
    "Kuressaare",
    "Haapsalu",
    "Paide",
    "Rapla",
    "Valga",
    "Võru",
    "Põlva",
    "Jõgeva",
    "Kärdla",
];

/// Local governments whose social workers use STAR in the background (the
/// demo's own are Tartu linn and Rae vald).
pub(crate) const MUNICIPALITIES: &[&str] = &[
    "Pärnu linn",
    "Narva linn",
    "Viljandi vald",
    "Saaremaa vald",
    "Harku vald",
    "Viimsi vald",
    "Kohtla-Järve linn",
    "Rakvere linn",
    "Haapsalu linn",
    "Võru linn",
    "Jõgeva vald",
    "Paide linn",
    "Valga vald",
    "Põlva vald",
    "Rapla vald",
    "Hiiumaa vald",
];
