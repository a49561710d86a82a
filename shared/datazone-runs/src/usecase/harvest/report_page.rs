//! A harvest as a page a person opens: one self-contained HTML document
//! (no script, no external style sheet, font or image), written beside the
//! record. Counts first, then the failures, then a timeline with one bar
//! per run from its start to its end, coloured by outcome, then each
//! source's assets and their metadata generation.

use std::fmt::Write;

use crate::model::harvest::{AssetRecord, Harvest, Outcome, SourceRecord};
use crate::model::timestamp::Timestamp;
use crate::usecase::harvest::notification::counted;
use crate::usecase::harvest::summary::Summary;

/// Pixels of the timeline's drawing area, and of one run's row.
const TIMELINE_WIDTH: i64 = 900;
const ROW_HEIGHT: i64 = 14;

/// `text` made safe inside HTML text and attribute values.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The class an outcome's bar and row are drawn with.
fn class_of(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Succeeded) => "ok",
        Some(Outcome::PartiallySucceeded | Outcome::QuotaExhausted) => "warn",
        Some(_) => "fail",
        None => "going",
    }
}

/// Where a source's run sits in time: its start, and its end (`now` for a
/// run still going).
fn span(source: &SourceRecord, now: Timestamp) -> Option<(i64, i64)> {
    let began = source.began_at?.epoch_millis() / 1000;
    let ended = match source.duration_seconds {
        Some(duration) if source.tracking.outcome.is_some() => began + duration.max(0),
        _ => now.epoch_millis() / 1000,
    };
    Some((began, ended.max(began)))
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1b1b1b}\
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}\
.ok{fill:#2e7d32;color:#2e7d32}.warn{fill:#ef8f00;color:#b26a00}.fail{fill:#c62828;color:#c62828}\
.going{fill:#757575;color:#555}svg{display:block;margin:1em 0}";

/// The page of `harvest`, which came to `summary`, drawn at `now`.
pub fn render(harvest: &Harvest, summary: &Summary, now: Timestamp) -> String {
    let mut page = String::new();
    let title = format!(
        "DataZone harvest {} in {}",
        harvest.trigger_id, harvest.domain_id
    );
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>",
        title = escaped(&title)
    );
    let _ = write!(
        page,
        "<p id=\"sources\">{} data sources: {}</p>",
        summary.sources.selected,
        escaped(&counted(&summary.sources.by_outcome()))
    );
    if summary.metadata_generation.assets > 0 {
        let _ = write!(
            page,
            "<p id=\"assets\">Metadata generation, {} assets: {}</p>",
            summary.metadata_generation.assets,
            escaped(&counted(&summary.metadata_generation.by_outcome()))
        );
    }
    if let Some(predictions) = &summary.metadata_generation.predictions {
        let _ = write!(
            page,
            "<p id=\"predictions\">Generated metadata, by the deployment's rule: {}</p>",
            escaped(&counted(&predictions.by_decision()))
        );
    }
    failures(&mut page, harvest);
    timeline(&mut page, harvest, now);
    assets(&mut page, harvest);
    let _ = write!(
        page,
        "<p>Record: {}</p></body></html>",
        escaped(&summary.report)
    );
    page
}

fn failures(page: &mut String, harvest: &Harvest) {
    let failed: Vec<&SourceRecord> = harvest
        .sources
        .iter()
        .filter(|source| source.tracking.outcome.is_some_and(Outcome::is_failure))
        .collect();
    if failed.is_empty() {
        return;
    }
    let _ = write!(
        page,
        "<h2>Failures</h2><table id=\"failures\"><tr><th>data source</th><th>outcome</th><th>run</th><th>why</th></tr>"
    );
    for source in failed {
        let why = source
            .tracking
            .error
            .as_ref()
            .map(|error| format!("{}: {}", error.name, error.message))
            .or_else(|| {
                source.run_error.as_ref().map(|error| {
                    format!(
                        "{}: {}",
                        error.error_type,
                        error.error_detail.as_deref().unwrap_or_default()
                    )
                })
            })
            .unwrap_or_default();
        let _ = write!(
            page,
            "<tr class=\"fail\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escaped(source.data_source_id.as_str()),
            source.tracking.outcome.map_or("", Outcome::as_str),
            escaped(source.run_id.as_deref().unwrap_or("-")),
            escaped(&why)
        );
    }
    page.push_str("</table>");
}

fn timeline(page: &mut String, harvest: &Harvest, now: Timestamp) {
    let spans: Vec<(&SourceRecord, (i64, i64))> = harvest
        .sources
        .iter()
        .filter_map(|source| span(source, now).map(|span| (source, span)))
        .collect();
    let (Some(first), Some(last)) = (
        spans.iter().map(|(_, (began, _))| *began).min(),
        spans.iter().map(|(_, (_, ended))| *ended).max(),
    ) else {
        return;
    };
    let length = (last - first).max(1);
    let height = ROW_HEIGHT * i64::try_from(spans.len()).unwrap_or(i64::MAX);
    let _ = write!(
        page,
        "<h2>Timeline ({length} s)</h2><svg id=\"timeline\" role=\"img\" width=\"{TIMELINE_WIDTH}\" height=\"{height}\" viewBox=\"0 0 {TIMELINE_WIDTH} {height}\">"
    );
    for (row, (source, (began, ended))) in spans.iter().enumerate() {
        let x = (began - first) * TIMELINE_WIDTH / length;
        let width = ((ended - began) * TIMELINE_WIDTH / length).max(1);
        let y = ROW_HEIGHT * i64::try_from(row).unwrap_or(i64::MAX);
        let _ = write!(
            page,
            "<rect class=\"{}\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{}\"><title>{} {} s</title></rect>",
            class_of(source.tracking.outcome),
            ROW_HEIGHT - 2,
            escaped(source.data_source_id.as_str()),
            ended - began
        );
    }
    page.push_str("</svg>");
}

fn assets(page: &mut String, harvest: &Harvest) {
    if harvest
        .sources
        .iter()
        .all(|source| source.metadata.is_empty())
    {
        return;
    }
    page.push_str(
        "<h2>Metadata generation</h2><table id=\"metadata\"><tr><th>data source</th><th>asset</th><th>table</th><th>outcome</th><th>predictions</th></tr>",
    );
    for source in &harvest.sources {
        for asset in &source.metadata {
            let _ = write!(
                page,
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                class_of(asset.tracking.outcome),
                escaped(source.data_source_id.as_str()),
                escaped(&asset.asset_id),
                escaped(&asset.technical_name),
                asset.tracking.outcome.map_or("PENDING", Outcome::as_str),
                escaped(&predictions_cell(asset))
            );
        }
    }
    page.push_str("</table>");
}

/// What the rule did with an asset's predictions, and why when it could not.
fn predictions_cell(asset: &AssetRecord) -> String {
    match &asset.predictions {
        None => "-".to_owned(),
        Some(record) => match &record.error {
            Some(error) => format!(
                "{}: {}: {}",
                record.decision().as_str(),
                error.name,
                error.message
            ),
            None => record.decision().as_str().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorReport;
    use crate::model::harvest::{AssetRecord, Stage};
    use crate::model::ids::{DataSourceId, DomainId};

    fn source(id: &str, outcome: Outcome, began: i64, duration: i64) -> SourceRecord {
        let mut source = SourceRecord::to_start(DataSourceId::parse("id", id).unwrap(), None);
        source.tracking.stage = Stage::Done;
        source.tracking.outcome = Some(outcome);
        source.began_at = Some(Timestamp::from_epoch_millis(began * 1000));
        source.duration_seconds = Some(duration);
        source
    }

    #[test]
    fn a_page_holds_counts_failures_a_bar_per_run_and_each_asset() {
        let mut failed = source("ds_bad", Outcome::Failed, 100, 50);
        failed.tracking.error = Some(ErrorReport {
            name: "DataZone.AccessDeniedException".into(),
            message: "<script>alert(1)</script>".into(),
        });
        let mut good = source("ds_ok", Outcome::Succeeded, 0, 300);
        let mut asset = AssetRecord::to_start("ast_1".into(), "orders".into());
        asset.tracking.finish(Outcome::Failed, None);
        good.metadata = vec![asset];
        let harvest = Harvest::new(
            "nightly".into(),
            DomainId::parse("d", "dzd_a").unwrap(),
            vec![good, failed],
        );
        let summary = Summary::of(&harvest, "s3://b/k.json".into());
        let page = render(&harvest, &summary, Timestamp::from_epoch_millis(0));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(
            page.contains("<p id=\"sources\">2 data sources: 1 SUCCEEDED, 1 FAILED</p>"),
            "{page}"
        );
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "escaped: {page}"
        );
        assert!(!page.contains("<script"), "no script at all");
        assert!(page.contains("<h2>Timeline (300 s)</h2>"), "{page}");
        assert!(
            page.contains("<rect class=\"ok\" x=\"0\" y=\"0\" width=\"900\""),
            "{page}"
        );
        assert!(
            page.contains("<rect class=\"fail\" x=\"300\" y=\"14\" width=\"150\""),
            "{page}"
        );
        assert!(
            page.contains("<td>ast_1</td><td>orders</td><td>FAILED</td>"),
            "{page}"
        );
        assert!(!page.contains("http"), "nothing fetched from elsewhere");
    }

    #[test]
    fn bars_sit_where_runs_began_and_a_run_still_going_reaches_now() {
        // Runs from 1,000 s to 1,100 s and from 1,050 s on, still going at
        // 1,200 s: the timeline spans 200 s.
        let done = source("ds_done", Outcome::Succeeded, 1_000, 100);
        let mut going = source("ds_going", Outcome::Succeeded, 1_050, 10);
        going.tracking.outcome = None;
        going.tracking.stage = Stage::Following;
        let mut harvest = Harvest::new(
            "nightly".into(),
            DomainId::parse("d", "dzd_a").unwrap(),
            vec![done, going],
        );
        let mut asset = AssetRecord::to_start("ast_1".into(), "orders".into());
        asset.tracking.finish(Outcome::Succeeded, None);
        harvest.sources[0].metadata = vec![asset];
        let summary = Summary::of(&harvest, "s3://b/k.json".into());
        let page = render(&harvest, &summary, Timestamp::from_epoch_millis(1_200_000));
        assert!(page.contains("<h2>Timeline (200 s)</h2>"), "{page}");
        assert!(
            page.contains("width=\"900\" height=\"28\" viewBox=\"0 0 900 28\""),
            "a row per run: {page}"
        );
        assert!(
            page.contains("<rect class=\"ok\" x=\"0\" y=\"0\" width=\"450\" height=\"12\"><title>ds_done 100 s</title>"),
            "{page}"
        );
        assert!(
            page.contains("<rect class=\"going\" x=\"225\" y=\"14\" width=\"675\" height=\"12\"><title>ds_going 150 s</title>"),
            "{page}"
        );
        assert!(
            page.contains("<p id=\"assets\">Metadata generation, 1 assets: 1 SUCCEEDED</p>"),
            "{page}"
        );
        let without_assets =
            Harvest::new("n".into(), DomainId::parse("d", "dzd_a").unwrap(), vec![]);
        let empty = render(
            &without_assets,
            &Summary::of(&without_assets, String::new()),
            Timestamp::from_epoch_millis(0),
        );
        assert!(!empty.contains("id=\"assets\""), "{empty}");
        assert!(!empty.contains("Timeline"), "no run, no timeline: {empty}");
    }

    #[test]
    fn each_assets_decision_is_shown_with_why_it_was_left() {
        use crate::model::predictions::{Accepting, PredictionsRecord, PredictionsRule};
        let rule = PredictionsRule {
            accepting: Accepting::AtLeastPercent(80),
            reject_rest: false,
        };
        let mut good = source("ds_ok", Outcome::Succeeded, 0, 300);
        let asset = |id: &str, record: Option<PredictionsRecord>| {
            let mut asset = AssetRecord::to_start(id.into(), format!("{id}_t"));
            asset.tracking.finish(Outcome::Succeeded, None);
            asset.predictions = record;
            asset
        };
        let mut accepted = PredictionsRecord::to_decide(&rule);
        accepted.accepted_revision = Some("3".into());
        accepted.done = true;
        let mut left = PredictionsRecord::to_decide(&rule);
        left.done = true;
        left.error = Some(ErrorReport {
            name: "DataZone.AccessDeniedException".into(),
            message: "<no>".into(),
        });
        good.metadata = vec![
            asset("ast_a", Some(accepted)),
            asset("ast_b", Some(left)),
            asset("ast_c", None),
        ];
        let harvest = Harvest::new(
            "nightly".into(),
            DomainId::parse("d", "dzd_a").unwrap(),
            vec![good],
        );
        let summary = Summary::of(&harvest, String::new());
        let page = render(&harvest, &summary, Timestamp::from_epoch_millis(0));
        assert!(
            page.contains("<p id=\"predictions\">Generated metadata, by the deployment's rule: 1 ACCEPTED, 1 SUGGESTED</p>"),
            "{page}"
        );
        assert!(
            page.contains("<td>ast_a_t</td><td>SUCCEEDED</td><td>ACCEPTED</td>"),
            "{page}"
        );
        assert!(
            page.contains(
                "<td>SUCCEEDED</td><td>SUGGESTED: DataZone.AccessDeniedException: &lt;no&gt;</td>"
            ),
            "{page}"
        );
        assert!(
            page.contains("<td>ast_c_t</td><td>SUCCEEDED</td><td>-</td>"),
            "{page}"
        );
    }
}
