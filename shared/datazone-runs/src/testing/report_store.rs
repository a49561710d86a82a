//! Harvest records in memory, behind the report store port.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Error;
use crate::model::harvest::Harvest;
use crate::port::ReportStore;

/// Harvest records in memory, kept as the JSON a real store would hold.
#[derive(Default)]
pub struct MemoryReportStore {
    records: Mutex<HashMap<String, String>>,
}

impl MemoryReportStore {
    /// The JSON (or, for a page, the HTML) saved under `key`.
    pub fn saved(&self, key: &str) -> Option<String> {
        self.records.lock().unwrap().get(key).cloned()
    }
}

impl ReportStore for MemoryReportStore {
    async fn load(&self, key: &str) -> Result<Option<Harvest>, Error> {
        let saved = self.records.lock().unwrap().get(key).cloned();
        saved
            .map(|json| {
                serde_json::from_str(&json).map_err(|error| Error::ReportRefused(error.to_string()))
            })
            .transpose()
    }

    async fn save(&self, key: &str, harvest: &Harvest) -> Result<(), Error> {
        let json = serde_json::to_string(harvest).expect("a harvest serializes");
        self.records.lock().unwrap().insert(key.into(), json);
        Ok(())
    }

    async fn save_page(&self, key: &str, page: &str) -> Result<(), Error> {
        self.records.lock().unwrap().insert(key.into(), page.into());
        Ok(())
    }

    fn location(&self, key: &str) -> String {
        format!("memory://{key}")
    }
}
