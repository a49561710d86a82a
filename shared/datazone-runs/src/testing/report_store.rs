//! Harvest records in memory, behind the report store port; task tokens
//! sent back, behind the task callback port.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Error;
use crate::model::harvest::Harvest;
use crate::port::{ReportStore, Resumed, TaskCallback};

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

    async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let saved = self.records.lock().unwrap().get(key).cloned();
        Ok(saved.map(String::into_bytes))
    }

    async fn write(&self, key: &str, body: Vec<u8>) -> Result<(), Error> {
        let text = String::from_utf8(body).expect("a JSON document");
        self.records.lock().unwrap().insert(key.into(), text);
        Ok(())
    }

    async fn create(&self, key: &str, body: Vec<u8>) -> Result<bool, Error> {
        let text = String::from_utf8(body).expect("a JSON document");
        let mut records = self.records.lock().unwrap();
        if records.contains_key(key) {
            return Ok(false);
        }
        records.insert(key.into(), text);
        Ok(true)
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let mut keys: Vec<String> = (self.records.lock().unwrap().keys())
            .filter(|key| key.starts_with(prefix))
            .cloned()
            .collect();
        keys.sort();
        Ok(keys)
    }

    async fn remove(&self, key: &str) -> Result<(), Error> {
        self.records.lock().unwrap().remove(key);
        Ok(())
    }
}

/// Task tokens sent back, in memory: every resume is kept, and a token is
/// `Gone` once resumed (or once [`MemoryCallback::close`]d).
#[derive(Default)]
pub struct MemoryCallback {
    resumed: Mutex<Vec<(String, String)>>,
    closed: Mutex<Vec<String>>,
}

impl MemoryCallback {
    /// Each resume that reached a waiting task: token and output.
    pub fn resumed(&self) -> Vec<(String, String)> {
        self.resumed.lock().unwrap().clone()
    }

    /// The task of `token` no longer waits (it timed out).
    pub fn close(&self, token: &str) {
        self.closed.lock().unwrap().push(token.to_owned());
    }
}

impl TaskCallback for MemoryCallback {
    async fn resume(&self, token: &str, output: &str) -> Result<Resumed, Error> {
        let mut closed = self.closed.lock().unwrap();
        if closed.iter().any(|gone| gone == token) {
            return Ok(Resumed::Gone);
        }
        closed.push(token.to_owned());
        self.resumed
            .lock()
            .unwrap()
            .push((token.to_owned(), output.to_owned()));
        Ok(Resumed::Resumed)
    }
}
