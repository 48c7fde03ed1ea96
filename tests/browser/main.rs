//! Browser tests: the real `linguapool` binary, its pages in Debian's headless Chromium
//! (`lp_testkit::Browser`). Without Chromium they print "skipped" and pass, unless
//! `LINGUAPOOL_REQUIRE_BROWSER=1` (set by CI) makes that a failure.

// The end-to-end harness, shared as it is; not every helper is used here.
#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

mod accessibility;
mod caseworker;
mod fixture;
mod reports;
mod steps;
mod trainings;
mod volunteer_offer;
mod way_forward;
