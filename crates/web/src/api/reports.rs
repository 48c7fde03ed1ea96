//! The coordinator's report figures. Caseworkers get 403.

use super::docs::{CoordinatorOnly, QueryErrors, Unauthenticated};
use crate::AppState;
use crate::auth::Coordinator;
use crate::error::ApiError;
use crate::extract::QueryParams;
use axum::Json;
use axum::extract::State;
use lp_reports::{Period, Summary};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(summary))
}

/// Report a period
///
/// The requests whose appointment starts between `from` and `to` (both days included, in
/// Europe/Berlin): per language and state, the fill rate (filled among decided requests: open
/// ones wait, a request cancelled before anyone accepted counts as unmet), median and 90th
/// percentile of the time from filing to the acceptance that holds, unmet demand per language
/// next to the pool's active speakers, confirmed hours per volunteer, organisation and
/// setting, and, when an allowance is configured, its payout. Erased volunteers appear only
/// together, in `hours.erased`, their minutes kept in the totals.
#[utoipa::path(
    get,
    path = "/reports/summary",
    operation_id = "report_summary",
    tag = "reports",
    params(
        ("from" = chrono::NaiveDate, Query, description = "First day, `YYYY-MM-DD`"),
        ("to" = chrono::NaiveDate, Query, description = "Last day, included; not before `from`"),
    ),
    responses(
        (status = 200, description = "The period's figures", body = Summary),
        QueryErrors,
        Unauthenticated,
        CoordinatorOnly,
    )
)]
async fn summary(
    State(state): State<AppState>,
    Coordinator(by): Coordinator,
    QueryParams(params): QueryParams,
) -> Result<Json<Summary>, ApiError> {
    let period = Period::parse(
        params.get("from").map(String::as_str),
        params.get("to").map(String::as_str),
    )?;
    Ok(Json(
        lp_reports::summary(&state.db, &by, &period, &state.reports).await?,
    ))
}
