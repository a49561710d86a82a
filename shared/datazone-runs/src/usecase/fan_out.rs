//! Doing one thing per item, a bounded number at a time.

use std::future::Future;

use futures::StreamExt;

/// Runs `work` for every item, at most `concurrency` at once, and returns
/// the results in the items' order.
///
/// The futures are all made before this returns, so that neither `work`
/// nor any closure in `items` is part of the future: a `Send` future could
/// not be proved when they borrow what the items borrow.
pub fn fan_out<I, T, F, Fut>(items: I, concurrency: usize, work: F) -> impl Future<Output = Vec<T>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    let futures: Vec<Fut> = items.into_iter().map(work).collect();
    futures::stream::iter(futures)
        .buffered(concurrency.max(1))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn keeps_order_and_bounds_concurrency() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let results = fan_out(0..10_u64, 3, |item| {
            let (running, peak) = (&running, &peak);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                // Later items finish first, yet come back in order.
                tokio::time::sleep(std::time::Duration::from_millis(10 - item)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                item * 2
            }
        })
        .await;
        assert_eq!(results, (0..10).map(|item| item * 2).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
