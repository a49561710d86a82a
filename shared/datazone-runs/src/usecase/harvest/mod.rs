//! A harvest: one execution's selected sources, started at most once each,
//! followed to their final status, with metadata generation for what they
//! imported. Its record ([`crate::model::harvest::Harvest`]) is advanced in
//! rounds that each fit a time budget and the request quotas:
//! [`start::start_round`] and [`follow::follow_part`];
//! [`summary::Summary`] is what it came to, bounded whatever its size, and
//! [`notification::Notification`] what its subscribers are told.
//! [`steps`] takes the rounds as an execution does, over a record kept
//! behind the [`crate::port::ReportStore`] port; [`events`] follows it on
//! DataZone's events, checks being the safety net.

pub mod events;
pub mod follow;
pub mod metadata;
pub mod notification;
pub mod record;
pub mod report_page;
mod round;
pub mod start;
pub mod steps;
pub mod summary;
