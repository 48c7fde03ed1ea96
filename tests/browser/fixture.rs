//! The browser fixture itself: the page area is exactly the viewport the tests ask for, and a
//! phone lays out by the page's viewport meta tag as a real one does.

use lp_testkit::{Browser, Viewport};

const RESPONSIVE: &str = "data:text/html,<meta name=viewport content='width=device-width'><p>Hallo";
const FIXED_WIDTH: &str = "data:text/html,<p>Hallo";

#[tokio::test(flavor = "multi_thread")]
async fn browser_shows_exactly_the_requested_viewport() {
    for viewport in [Viewport::PHONE, Viewport::DESKTOP] {
        let Some(browser) = Browser::start(viewport).await else {
            return;
        };
        browser.goto(RESPONSIVE).await;
        let size = browser.eval("return [window.innerWidth, window.innerHeight];").await;
        assert_eq!(size[0], viewport.width, "{viewport:?}");
        assert_eq!(size[1], viewport.height, "{viewport:?}");
        browser.assert_fits_viewport().await;

        // Without the meta tag a phone lays the page out 980 px wide, as Safari and Chrome do.
        browser.goto(FIXED_WIDTH).await;
        let width = browser.eval("return window.innerWidth;").await;
        assert_eq!(width != viewport.width, viewport.mobile, "{viewport:?}: {width}");
        browser.close().await;
    }
}
