//! The offline optimum: the most requests of the year that could be assigned at all, as a
//! flow network, solved for the maximum flow of least cost (successive shortest paths), so that
//! of all maximum assignments the one that spreads the work most evenly is reported.
//!
//! The network is source → request (capacity 1) → (volunteer, overlap group) (capacity 1) →
//! (volunteer, month, week) load chain → (volunteer, local month of the appointment)
//! (capacity: the volunteer's monthly maximum) → volunteer → sink, the last as parallel edges
//! of capacity 1 costing 0, 1, 2, … so that the k-th assignment of one volunteer costs more
//! than the one before (a convex cost: the least-cost maximum flow is the most even one).
//! Eligibility is checked with the matcher's [`first_violation`] against the volunteer's
//! profile on the day the request was filed, without any commitments.
//!
//! [`Bound::SameAnswers`], the optimum the report holds every strategy against, is **the best
//! any strategy could do that asks the same volunteers** in the same year: it knows the whole
//! year in advance and may ask anyone at any time, but it gets the same answers the strategies
//! get. A pair (request, volunteer) is usable when the hard rules allow it, the volunteer's
//! drawn answer to it is "yes", and that "yes" could arrive before the search's deadline had
//! the offer gone out the moment the request was filed. A "yes" depends on the week's load
//! (see [`World::answer`]): the load chain lets the (b+1)-th assignment of a volunteer's week
//! go only to a request they would accept while holding b others. One volunteer's
//! appointments that overlap (with half the travel buffer on either side of an on-site one, so
//! that overlapping means the overlap rule excludes one of them) form groups of which at most
//! one can be taken. Every relaxation errs upwards (offers in the best order whatever the
//! filing order, a group counted as its most willing member, overlaps between groups not
//! seen, a week cut at a month's end counted twice), so every strategy's fill count is at
//! most this.
//!
//! [`Bound::EveryoneSaysYes`] is the looser bound of the first measurement, kept for the
//! analysis: every eligible volunteer would say yes at once, and overlaps are ignored.

use crate::generate::{BUSY_CAP, World, apply_facts, local_day};
use chrono::{DateTime, Datelike, Duration, Utc};
use lp_core::vocab::Mode;
use lp_matcher::{MatchConfig, Profile, Rule, first_violation};
use std::collections::BTreeMap;
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct Optimum {
    pub filled: usize,
    /// The assigned volunteer per request in the most balanced maximum assignment.
    pub assigned: Vec<Option<usize>>,
    /// Volunteers the hard rules allow for at least one request of the year.
    pub eligible: Vec<bool>,
    /// Eligible volunteers per request (hard rules only, whatever the bound).
    pub candidates: Vec<usize>,
    /// Requests each volunteer is eligible for (hard rules only, whatever the bound).
    pub eligible_for: Vec<u32>,
    /// Over all requests, the active volunteers who speak the language but break another
    /// hard rule, by the first rule they break: where the pool's shortage lies.
    pub speakers_excluded_by: BTreeMap<Rule, u32>,
}

/// Which (request, volunteer) pairs an optimum may use, beyond the hard rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Only where the volunteer's "yes" could arrive before the deadline; overlapping
    /// appointments of one volunteer exclude each other. The report's optimum.
    SameAnswers,
    /// Every eligible volunteer says yes, overlaps ignored.
    EveryoneSaysYes,
}

const SOURCE: usize = 0;
const SINK: usize = 1;

/// A local calendar month, and an ISO week: (year, number).
type Month = (i32, u32);
type Week = (i32, u32);

/// A usable pair: request, volunteer, and the appointment as the overlap groups read it.
struct Pair {
    request: usize,
    volunteer: usize,
    month: Month,
    /// The appointment's ISO week (local).
    week: Week,
    /// The most assignments the volunteer may hold that week and still say yes
    /// ([`BUSY_CAP`]: any number).
    most_held: usize,
    /// The appointment, widened by half the travel buffer on either side when on site.
    window: (DateTime<Utc>, DateTime<Utc>),
}

/// Solves the year under `bound`. `tick` is called once per request.
pub fn solve(
    world: &World,
    matching: &MatchConfig,
    validity_months: u32,
    bound: Bound,
    tick: &mut dyn FnMut(),
) -> Optimum {
    solve_up_to(world, matching, validity_months, bound, u64::MAX, tick)
}

/// [`solve`], but fills at most `limit` requests: the most even assignment of that many (the
/// least-cost flow of each value is the most even one of that value).
pub fn solve_up_to(
    world: &World,
    matching: &MatchConfig,
    validity_months: u32,
    bound: Bound,
    limit: u64,
    tick: &mut dyn FnMut(),
) -> Optimum {
    solve_inner(world, matching, validity_months, bound, limit, None, tick)
}

/// [`solve`], but may fill only the requests marked in `only`: the most even assignment of
/// those. Given the requests a strategy filled, it says how evenly the strategy could have
/// spread the very same work, apart from which requests it filled. Eligibility counts
/// (`candidates`, `eligible_for`, `speakers_excluded_by`) still cover the whole year.
pub fn solve_for(
    world: &World,
    matching: &MatchConfig,
    validity_months: u32,
    bound: Bound,
    only: &[bool],
    tick: &mut dyn FnMut(),
) -> Optimum {
    assert_eq!(only.len(), world.requests.len(), "one flag per request");
    solve_inner(world, matching, validity_months, bound, u64::MAX, Some(only), tick)
}

fn solve_inner(
    world: &World,
    matching: &MatchConfig,
    validity_months: u32,
    bound: Bound,
    limit: u64,
    only: Option<&[bool]>,
    tick: &mut dyn FnMut(),
) -> Optimum {
    let requests = world.requests.len();
    let volunteers = world.volunteers.len();
    let mut pool: Vec<Profile> = world.volunteers.iter().map(|v| v.profile.clone()).collect();
    let half_buffer = Duration::minutes(i64::from(matching.travel_buffer_minutes / 2));
    let mut pairs = Vec::new();
    let mut eligible_for = vec![0; volunteers];
    let mut candidates = vec![0; requests];
    let mut monthly_max = vec![None; volunteers];
    let mut speakers_excluded_by = BTreeMap::new();
    for (r, request) in world.requests.iter().enumerate() {
        tick();
        let day = local_day(request.created_at);
        let month = local_day(request.spec.starts_at);
        let widen = if request.spec.mode == Mode::OnSite {
            half_buffer
        } else {
            Duration::zero()
        };
        for (v, (profile, volunteer)) in pool.iter_mut().zip(&world.volunteers).enumerate() {
            apply_facts(profile, volunteer.facts_on(day, validity_months));
            match first_violation(&request.spec, profile, request.created_at, matching) {
                None => {}
                Some(Rule::NotActive | Rule::Language) => continue,
                Some(rule) => {
                    *speakers_excluded_by.entry(rule).or_default() += 1;
                    continue;
                }
            }
            eligible_for[v] += 1;
            candidates[r] += 1;
            monthly_max[v] = profile.max_assignments_per_month;
            if only.is_some_and(|only| !only[r]) {
                continue;
            }
            let usable = match bound {
                Bound::EveryoneSaysYes => Some(BUSY_CAP),
                Bound::SameAnswers => world
                    .earliest_acceptance(r, v, request.created_at)
                    .filter(|&at| at < request.fill_by)
                    .and(world.most_held_for_yes(r, v)),
            };
            if let Some(most_held) = usable {
                pairs.push(Pair {
                    request: r,
                    volunteer: v,
                    month: (month.year(), month.month()),
                    week: (month.iso_week().year(), month.iso_week().week()),
                    most_held,
                    window: (request.spec.starts_at - widen, request.spec.ends_at() + widen),
                });
            }
        }
    }

    let mut network = FlowNetwork::new(2 + requests + volunteers);
    let volunteer_node = |v: usize| 2 + requests + v;
    let mut per_volunteer = vec![0u64; volunteers];
    for pair in &pairs {
        per_volunteer[pair.volunteer] += 1;
    }
    for (v, &count) in per_volunteer.iter().enumerate() {
        // The k-th assignment of a volunteer costs k: the cheapest maximum flow evens out.
        for k in 0..count {
            network.add_edge_with_cost(volunteer_node(v), SINK, 1, k as i64);
        }
    }
    let mut filed = vec![false; requests];
    for pair in &pairs {
        if !filed[pair.request] {
            filed[pair.request] = true;
            network.add_edge(SOURCE, 2 + pair.request, 1);
        }
    }
    // Per volunteer, month and week, the overlap groups: in order of start, an appointment
    // joins the group while it starts before every member's end, so all members overlap
    // each other.
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by_key(|&i| {
        let pair = &pairs[i];
        (pair.volunteer, pair.month, pair.week, pair.window.0)
    });
    let mut group_of = vec![0; pairs.len()];
    let mut groups: Vec<usize> = Vec::new();
    let mut open: Option<(usize, DateTime<Utc>)> = None;
    for (k, &i) in order.iter().enumerate() {
        let pair = &pairs[i];
        let same_week = |j: usize| {
            let other = &pairs[j];
            (other.volunteer, other.month, other.week) == (pair.volunteer, pair.month, pair.week)
        };
        match open {
            Some((group, end)) if bound == Bound::SameAnswers && same_week(order[k - 1]) && pair.window.0 < end => {
                group_of[i] = group;
                groups[group] = groups[group].max(pair.most_held);
                open = Some((group, end.min(pair.window.1)));
            }
            _ => {
                group_of[i] = groups.len();
                open = Some((groups.len(), pair.window.1));
                groups.push(pair.most_held);
            }
        }
    }
    // Per volunteer, month and week, a chain that counts who would still say yes: a "yes"
    // given while holding at most `b` assignments that week enters at link `b`, and the link
    // from `b` to `b + 1` carries at most `b + 1` assignments (the (b+1)-th assignment of the
    // week must come from someone who says yes while holding b). A group enters where its most
    // tolerant member would, which errs upwards.
    //
    // A week's chain carries at most as many assignments as it has groups, so the links that
    // could carry more bind nothing and are left out: with `n` groups the chain ends at link
    // `n − 1` (or [`BUSY_CAP`]), and a group entering further up enters there. A group of one
    // appointment needs no node of its own. (Both keep the network small enough for a
    // year of 20,000 requests.)
    let mut members = vec![0usize; groups.len()];
    for &group in &group_of {
        members[group] += 1;
    }
    let mut chain_groups: HashMap<(usize, Month, Week), usize> = HashMap::new();
    let mut counted = vec![false; groups.len()];
    for (i, pair) in pairs.iter().enumerate() {
        if !std::mem::replace(&mut counted[group_of[i]], true) {
            *chain_groups.entry((pair.volunteer, pair.month, pair.week)).or_default() += 1;
        }
    }
    let mut months: HashMap<(usize, Month), usize> = HashMap::new();
    let mut chains: HashMap<(usize, Month, Week), (usize, usize)> = HashMap::new();
    let mut group_nodes: Vec<Option<usize>> = vec![None; groups.len()];
    let mut edges = Vec::with_capacity(pairs.len());
    for &i in &order {
        let pair = &pairs[i];
        let v = pair.volunteer;
        let month_node = *months.entry((v, pair.month)).or_insert_with(|| {
            let node = network.add_node();
            let capacity = monthly_max[v].map_or(requests as u64, u64::from);
            network.add_edge(node, volunteer_node(v), capacity);
            node
        });
        let key = (v, pair.month, pair.week);
        let (chain, last) = *chains.entry(key).or_insert_with(|| {
            // Links 0..last, then the month.
            let last = BUSY_CAP.min(chain_groups[&key].saturating_sub(1));
            let first = network.add_node();
            for link in 0..last {
                let node = network.add_node();
                debug_assert_eq!(node, first + link + 1);
                network.add_edge(first + link, node, link as u64 + 1);
            }
            network.add_edge(first + last, month_node, requests as u64);
            (first, last)
        });
        let group = group_of[i];
        let entry = chain + groups[group].min(last);
        let target = if members[group] == 1 {
            entry
        } else {
            *group_nodes[group].get_or_insert_with(|| {
                let node = network.add_node();
                network.add_edge(node, entry, 1);
                node
            })
        };
        edges.push((pair.request, v, network.add_edge(2 + pair.request, target, 1)));
    }
    let (filled, _) = network.min_cost_flow(SOURCE, SINK, limit);
    let mut assigned = vec![None; requests];
    for (r, v, edge) in edges {
        if network.flow(edge) > 0 {
            assigned[r] = Some(v);
        }
    }
    Optimum {
        filled: filled as usize,
        assigned,
        eligible: eligible_for.iter().map(|&n| n > 0).collect(),
        candidates,
        eligible_for,
        speakers_excluded_by,
    }
}

/// A flow network with integer capacities. Edges are stored in pairs, each forward edge
/// followed by its residual twin, so `edge ^ 1` is the twin.
#[derive(Debug, Clone, Default)]
pub struct FlowNetwork {
    adjacency: Vec<Vec<usize>>,
    to: Vec<usize>,
    /// Remaining capacity.
    residual: Vec<u64>,
    capacity: Vec<u64>,
    /// Cost per unit of flow; the residual twin's is the negative.
    cost: Vec<i64>,
}

impl FlowNetwork {
    pub fn new(nodes: usize) -> Self {
        Self {
            adjacency: vec![Vec::new(); nodes],
            ..Self::default()
        }
    }

    pub fn add_node(&mut self) -> usize {
        self.adjacency.push(Vec::new());
        self.adjacency.len() - 1
    }

    /// Adds `from → to` with `capacity`; returns the edge's id for [`FlowNetwork::flow`].
    pub fn add_edge(&mut self, from: usize, to: usize, capacity: u64) -> usize {
        self.add_edge_with_cost(from, to, capacity, 0)
    }

    /// [`FlowNetwork::add_edge`] with a cost per unit of flow, for
    /// [`FlowNetwork::min_cost_max_flow`].
    pub fn add_edge_with_cost(&mut self, from: usize, to: usize, capacity: u64, cost: i64) -> usize {
        let id = self.to.len();
        for (a, b, c, k) in [(from, to, capacity, cost), (to, from, 0, -cost)] {
            self.adjacency[a].push(self.to.len());
            self.to.push(b);
            self.residual.push(c);
            self.capacity.push(c);
            self.cost.push(k);
        }
        id
    }

    /// The flow on an edge after [`FlowNetwork::max_flow`] or
    /// [`FlowNetwork::min_cost_max_flow`].
    pub fn flow(&self, edge: usize) -> u64 {
        self.capacity[edge] - self.residual[edge]
    }

    /// A maximum flow of least total cost; see [`FlowNetwork::min_cost_flow`].
    pub fn min_cost_max_flow(&mut self, source: usize, sink: usize) -> (u64, i64) {
        self.min_cost_flow(source, sink, u64::MAX)
    }

    /// A flow of at most `limit` of least total cost among flows of its value, by successive
    /// shortest paths, all paths of one length at once (primal-dual): Dijkstra on costs
    /// reduced by node potentials finds the shortest distance, then Dinic's blocking flows
    /// fill every path of that length (the edges of reduced cost zero) before the next
    /// search. Augmenting only along cheapest paths keeps the flow the cheapest of its value.
    /// The distances take few values (the k-th job of a volunteer costs k), so a year of
    /// 20,000 requests needs some dozens of searches, not one per request (which took minutes).
    /// Returns the flow and its cost. Costs must leave no cycle of negative cost in the
    /// network as given.
    pub fn min_cost_flow(&mut self, source: usize, sink: usize, limit: u64) -> (u64, i64) {
        let (mut flow, mut cost) = (0, 0);
        if source == sink {
            return (flow, cost);
        }
        let mut potential = self.bellman_ford(source);
        while flow < limit {
            let Some(distance) = self.reduced_distances(source, &potential) else {
                break;
            };
            if distance[sink] == i64::MAX {
                break;
            }
            // Nodes the source cannot reach now never become reachable (a new residual edge
            // joins two nodes of an augmenting path), so their potentials do not matter.
            for (p, &d) in potential.iter_mut().zip(&distance) {
                if d != i64::MAX {
                    *p += d;
                }
            }
            let reached: Vec<bool> = distance.iter().map(|&d| d != i64::MAX).collect();
            let unit = potential[sink] - potential[source];
            while flow < limit {
                let Some(level) = self.admissible_levels(source, sink, &potential, &reached) else {
                    break;
                };
                let mut next_edge = vec![0; self.adjacency.len()];
                loop {
                    let pushed = self.push_admissible(source, sink, limit - flow, &level, &potential, &mut next_edge);
                    if pushed == 0 {
                        break;
                    }
                    flow += pushed;
                    cost += unit * pushed as i64;
                    if flow == limit {
                        break;
                    }
                }
            }
        }
        (flow, cost)
    }

    /// Shortest distances from `source` by Bellman–Ford with a queue (costs may be negative),
    /// 0 for nodes it cannot reach: the first potentials.
    fn bellman_ford(&self, source: usize) -> Vec<i64> {
        let nodes = self.adjacency.len();
        let mut distance = vec![i64::MAX; nodes];
        let mut queued = vec![false; nodes];
        distance[source] = 0;
        let mut queue = VecDeque::from([source]);
        while let Some(node) = queue.pop_front() {
            queued[node] = false;
            for &edge in &self.adjacency[node] {
                let next = self.to[edge];
                let through = distance[node] + self.cost[edge];
                if self.residual[edge] > 0 && through < distance[next] {
                    distance[next] = through;
                    if !queued[next] {
                        queued[next] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
        distance.iter().map(|&d| if d == i64::MAX { 0 } else { d }).collect()
    }

    fn reduced_cost(&self, edge: usize, from: usize, potential: &[i64]) -> i64 {
        self.cost[edge] + potential[from] - potential[self.to[edge]]
    }

    /// Dijkstra on reduced costs (never negative on a residual edge between reachable nodes).
    fn reduced_distances(&self, source: usize, potential: &[i64]) -> Option<Vec<i64>> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut distance = vec![i64::MAX; self.adjacency.len()];
        distance[source] = 0;
        let mut heap = BinaryHeap::from([Reverse((0i64, source))]);
        while let Some(Reverse((d, node))) = heap.pop() {
            if d > distance[node] {
                continue;
            }
            for &edge in &self.adjacency[node] {
                if self.residual[edge] == 0 {
                    continue;
                }
                let reduced = self.reduced_cost(edge, node, potential);
                debug_assert!(reduced >= 0, "negative reduced cost {reduced}");
                let next = self.to[edge];
                let through = d + reduced.max(0);
                if through < distance[next] {
                    distance[next] = through;
                    heap.push(Reverse((through, next)));
                }
            }
        }
        Some(distance)
    }

    /// Breadth-first levels over the residual edges of reduced cost zero.
    fn admissible_levels(&self, source: usize, sink: usize, potential: &[i64], reached: &[bool]) -> Option<Vec<u32>> {
        let mut level = vec![u32::MAX; self.adjacency.len()];
        level[source] = 0;
        let mut queue = VecDeque::from([source]);
        while let Some(node) = queue.pop_front() {
            for &edge in &self.adjacency[node] {
                let next = self.to[edge];
                if self.residual[edge] > 0
                    && level[next] == u32::MAX
                    && reached[next]
                    && self.reduced_cost(edge, node, potential) == 0
                {
                    level[next] = level[node] + 1;
                    queue.push_back(next);
                }
            }
        }
        (level[sink] != u32::MAX).then_some(level)
    }

    fn push_admissible(
        &mut self,
        node: usize,
        sink: usize,
        limit: u64,
        level: &[u32],
        potential: &[i64],
        next_edge: &mut [usize],
    ) -> u64 {
        if node == sink {
            return limit;
        }
        while next_edge[node] < self.adjacency[node].len() {
            let edge = self.adjacency[node][next_edge[node]];
            let next = self.to[edge];
            if self.residual[edge] > 0
                && level[next] == level[node] + 1
                && self.reduced_cost(edge, node, potential) == 0
            {
                let pushed =
                    self.push_admissible(next, sink, limit.min(self.residual[edge]), level, potential, next_edge);
                if pushed > 0 {
                    self.residual[edge] -= pushed;
                    self.residual[edge ^ 1] += pushed;
                    return pushed;
                }
            }
            next_edge[node] += 1;
        }
        0
    }

    /// Dinic: breadth-first levels, then blocking flows along strictly rising levels.
    pub fn max_flow(&mut self, source: usize, sink: usize) -> u64 {
        if source == sink {
            return 0;
        }
        let mut total = 0;
        while let Some(level) = self.levels(source, sink) {
            let mut next_edge = vec![0; self.adjacency.len()];
            loop {
                let pushed = self.push(source, sink, u64::MAX, &level, &mut next_edge);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
        total
    }

    fn levels(&self, source: usize, sink: usize) -> Option<Vec<u32>> {
        let mut level = vec![u32::MAX; self.adjacency.len()];
        level[source] = 0;
        let mut queue = VecDeque::from([source]);
        while let Some(node) = queue.pop_front() {
            for &edge in &self.adjacency[node] {
                let next = self.to[edge];
                if self.residual[edge] > 0 && level[next] == u32::MAX {
                    level[next] = level[node] + 1;
                    queue.push_back(next);
                }
            }
        }
        (level[sink] != u32::MAX).then_some(level)
    }

    fn push(&mut self, node: usize, sink: usize, limit: u64, level: &[u32], next_edge: &mut [usize]) -> u64 {
        if node == sink {
            return limit;
        }
        while next_edge[node] < self.adjacency[node].len() {
            let edge = self.adjacency[node][next_edge[node]];
            let next = self.to[edge];
            if self.residual[edge] > 0 && level[next] == level[node] + 1 {
                let pushed = self.push(next, sink, limit.min(self.residual[edge]), level, next_edge);
                if pushed > 0 {
                    self.residual[edge] -= pushed;
                    self.residual[edge ^ 1] += pushed;
                    return pushed;
                }
            }
            next_edge[node] += 1;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::{Strategy, simulate};
    use lp_matcher::cascade::CascadeConfig;

    #[test]
    fn max_flow_of_the_textbook_network_is_23() {
        // Cormen et al., figure 26.1: s=0, v1..v4 = 1..4, t=5.
        let mut network = FlowNetwork::new(6);
        for (from, to, capacity) in [
            (0, 1, 16),
            (0, 2, 13),
            (2, 1, 4),
            (1, 3, 12),
            (3, 2, 9),
            (2, 4, 14),
            (4, 3, 7),
            (3, 5, 20),
            (4, 5, 4),
        ] {
            network.add_edge(from, to, capacity);
        }
        assert_eq!(network.max_flow(0, 5), 23);
    }

    #[test]
    fn matching_reroutes_where_a_greedy_choice_would_block() {
        // Requests a and b, volunteers x and y: a may go to x or y, b only to x. Greedy a→x
        // leaves b out; the maximum assigns both.
        let (s, t, a, b, x, y) = (0, 1, 2, 3, 4, 5);
        let mut network = FlowNetwork::new(6);
        network.add_edge(s, a, 1);
        network.add_edge(s, b, 1);
        let ax = network.add_edge(a, x, 1);
        let ay = network.add_edge(a, y, 1);
        let bx = network.add_edge(b, x, 1);
        network.add_edge(x, t, 1);
        network.add_edge(y, t, 1);
        assert_eq!(network.max_flow(s, t), 2);
        assert_eq!((network.flow(ax), network.flow(ay), network.flow(bx)), (0, 1, 1));
    }

    #[test]
    fn monthly_capacity_limits_the_assignments() {
        // Three requests, one volunteer who takes at most two a month.
        let mut network = FlowNetwork::new(6);
        let month = 5;
        for request in 2..5 {
            network.add_edge(0, request, 1);
            network.add_edge(request, month, 1);
        }
        network.add_edge(month, 1, 2);
        assert_eq!(network.max_flow(0, 1), 2);
    }

    #[test]
    fn unreachable_sink_carries_no_flow() {
        let mut network = FlowNetwork::new(4);
        network.add_edge(0, 2, 5);
        network.add_edge(3, 1, 5);
        assert_eq!(network.max_flow(0, 1), 0);
        assert_eq!(FlowNetwork::new(1).max_flow(0, 0), 0);
    }

    #[test]
    fn least_cost_flow_spreads_the_work_and_stops_at_the_limit() {
        // Two requests, each for x or y; x's edges to the sink are listed first. Without costs
        // a maximum flow may give both to x; the convex costs give one each.
        let (s, t, a, b, x, y) = (0, 1, 2, 3, 4, 5);
        let build = || {
            let mut network = FlowNetwork::new(6);
            for request in [a, b] {
                network.add_edge(s, request, 1);
                network.add_edge(request, x, 1);
                network.add_edge(request, y, 1);
            }
            let mut sink_edges = Vec::new();
            for volunteer in [x, y] {
                for k in 0..2 {
                    sink_edges.push(network.add_edge_with_cost(volunteer, t, 1, k));
                }
            }
            (network, sink_edges)
        };
        let (mut network, sink_edges) = build();
        assert_eq!(network.min_cost_max_flow(s, t), (2, 0));
        let per_volunteer: Vec<u64> = sink_edges
            .chunks(2)
            .map(|e| network.flow(e[0]) + network.flow(e[1]))
            .collect();
        assert_eq!(per_volunteer, [1, 1]);
        let (mut network, _) = build();
        assert_eq!(network.min_cost_flow(s, t, 1), (1, 0));
    }

    /// The plain successive shortest paths, one Bellman–Ford search per unit of flow: slow,
    /// and obviously the least-cost flow of each value.
    fn one_path_at_a_time(network: &mut FlowNetwork, source: usize, sink: usize, limit: u64) -> (u64, i64) {
        let (mut flow, mut cost) = (0, 0);
        while flow < limit {
            let nodes = network.adjacency.len();
            let mut distance = vec![i64::MAX; nodes];
            let mut via = vec![usize::MAX; nodes];
            distance[source] = 0;
            for _ in 0..nodes {
                for node in 0..nodes {
                    if distance[node] == i64::MAX {
                        continue;
                    }
                    for &edge in &network.adjacency[node] {
                        let next = network.to[edge];
                        if network.residual[edge] > 0 && distance[node] + network.cost[edge] < distance[next] {
                            distance[next] = distance[node] + network.cost[edge];
                            via[next] = edge;
                        }
                    }
                }
            }
            if distance[sink] == i64::MAX {
                break;
            }
            let mut node = sink;
            while node != source {
                let edge = via[node];
                network.residual[edge] -= 1;
                network.residual[edge ^ 1] += 1;
                node = network.to[edge ^ 1];
            }
            flow += 1;
            cost += distance[sink];
        }
        (flow, cost)
    }

    #[test]
    fn all_shortest_paths_at_once_cost_what_one_at_a_time_costs() {
        use rand::rngs::StdRng;
        use rand::{RngExt, SeedableRng};
        let mut rng = StdRng::seed_from_u64(14);
        for _ in 0..60 {
            // Requests and volunteers with convex costs per volunteer, as in the optimum.
            let (requests, volunteers) = (rng.random_range(1..12), rng.random_range(1..6));
            let mut network = FlowNetwork::new(2 + requests + volunteers);
            for r in 0..requests {
                network.add_edge(SOURCE, 2 + r, 1);
                for v in 0..volunteers {
                    if rng.random_bool(0.4) {
                        network.add_edge(2 + r, 2 + requests + v, 1);
                    }
                }
            }
            for v in 0..volunteers {
                for k in 0..rng.random_range(1..5) {
                    network.add_edge_with_cost(2 + requests + v, SINK, 1, k);
                }
            }
            let limit = rng.random_range(0..=requests as u64 + 1);
            let mut reference = network.clone();
            assert_eq!(
                network.min_cost_flow(SOURCE, SINK, limit),
                one_path_at_a_time(&mut reference, SOURCE, SINK, limit)
            );
        }
    }

    #[test]
    fn overlapping_appointments_of_one_volunteer_count_once_under_the_same_answers() {
        // One volunteer willing for everything, the same appointment filed twice.
        let mut world = crate::strategies::tests::world(1.0, 0.0);
        world.volunteers.truncate(1);
        let mut twin = world.requests[0].clone();
        twin.created_at += Duration::minutes(1);
        world.requests.push(twin);
        let matching = MatchConfig::default();
        let same = solve(&world, &matching, 24, Bound::SameAnswers, &mut || {});
        let everyone = solve(&world, &matching, 24, Bound::EveryoneSaysYes, &mut || {});
        assert_eq!((same.filled, everyone.filled), (1, 2));
    }

    #[test]
    fn the_same_answers_bound_holds_every_strategy() {
        // The bound's point: no strategy asking the same people fills more, whatever its policy.
        let matching = MatchConfig::default();
        for seed in [1, 4, 8] {
            let world = World::generate(seed, 30, 200);
            let optimum = solve(&world, &matching, 24, Bound::SameAnswers, &mut || {});
            let everyone = solve(&world, &matching, 24, Bound::EveryoneSaysYes, &mut || {});
            assert!(optimum.filled <= everyone.filled);
            let mut strategies = vec![Strategy::Broadcast];
            for (wave_size, wave_interval_minutes) in [(1, 60), (3, 60), (3, 5), (10, 240)] {
                strategies.push(Strategy::Cascade(CascadeConfig {
                    wave_size,
                    wave_interval_minutes,
                    accept_window_minutes: 0,
                }));
            }
            for strategy in strategies {
                let outcome = simulate(&world, strategy, &matching, 24, &mut || {});
                assert!(
                    outcome.filled <= optimum.filled,
                    "seed {seed}, {strategy:?}: {} > {}",
                    outcome.filled,
                    optimum.filled
                );
                // Stronger: the strategy's own assignment is one of the bound's, so the bound
                // restricted to the requests it filled fills every one of them.
                let filled: Vec<bool> = outcome.assigned.iter().map(Option::is_some).collect();
                let same_requests = solve_for(&world, &matching, 24, Bound::SameAnswers, &filled, &mut || {});
                assert_eq!(same_requests.filled, outcome.filled, "seed {seed}, {strategy:?}");
            }
        }
    }

    #[test]
    fn optimum_respects_the_hard_rules_and_monthly_maxima() {
        let world = World::generate(11, 25, 150);
        let matching = MatchConfig::default();
        let optimum = solve(&world, &matching, 24, Bound::EveryoneSaysYes, &mut || {});
        assert_eq!(optimum.assigned.iter().flatten().count(), optimum.filled);
        assert!(optimum.filled <= optimum.candidates.iter().filter(|&&c| c > 0).count());
        for (r, v) in optimum.assigned.iter().enumerate() {
            assert!(v.is_none() || optimum.candidates[r] > 0);
        }
        let mut per_month: HashMap<(usize, i32, u32), u32> = HashMap::new();
        for (r, v) in optimum.assigned.iter().enumerate() {
            let Some(v) = *v else { continue };
            let request = &world.requests[r];
            let mut profile = world.volunteers[v].profile.clone();
            apply_facts(
                &mut profile,
                world.volunteers[v].facts_on(local_day(request.created_at), 24),
            );
            assert_eq!(
                first_violation(&request.spec, &profile, request.created_at, &matching),
                None
            );
            let month = local_day(request.spec.starts_at);
            *per_month.entry((v, month.year(), month.month())).or_default() += 1;
        }
        for ((v, _, _), count) in per_month {
            if let Some(max) = world.volunteers[v].profile.max_assignments_per_month {
                assert!(count <= max);
            }
        }
    }
}
