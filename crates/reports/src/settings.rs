//! What the reports are configured with: who issues them (the organisation behind the pool,
//! printed on the Ehrenamtsnachweis and the attendance certificate) and the optional allowance.

use crate::allowance::Allowance;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSettings {
    pub organisation: Organisation,
    /// `None`: no allowance is paid, and no payout table is shown.
    pub allowance: Option<Allowance>,
}

/// The letterhead of printed confirmations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// E.g. "Dolmetscherpool der Stadt Winnenden".
    pub name: String,
    /// Who signs: the pool's coordinator.
    pub coordinator_name: String,
    /// Printed below the name when set.
    pub address: Option<String>,
}

impl Default for ReportSettings {
    /// The built-in configuration's values, for tests and tools without a config file.
    fn default() -> Self {
        Self {
            organisation: Organisation {
                name: "Dolmetscherpool".to_owned(),
                coordinator_name: "Koordination des Dolmetscherpools".to_owned(),
                address: None,
            },
            allowance: None,
        }
    }
}
