//! The offline optimum: the most requests of the year that could be assigned at all under the
//! hard rules, as a maximum flow (Dinic's algorithm).
//!
//! The network is source → request (capacity 1) → (volunteer, local month of the appointment)
//! (capacity 1, one edge per volunteer the hard rules allow) → sink (capacity: the volunteer's
//! monthly maximum, unbounded without one). Eligibility is checked with the matcher's
//! [`first_violation`] against the volunteer's profile on the day the request was filed,
//! without any commitments.
//!
//! This is an **upper bound**, not a plan anyone could carry out: it knows the whole year in
//! advance, assumes every eligible volunteer would say yes, and ignores overlaps between one
//! volunteer's own assignments (two jobs at the same hour both count). Relaxing overlaps only
//! makes the bound larger, so every strategy's fill count is at most this.

use crate::generate::{World, apply_facts, local_day};
use chrono::Datelike;
use lp_matcher::{MatchConfig, Profile, first_violation};
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone)]
pub struct Optimum {
    pub filled: usize,
    /// The assigned volunteer per request in one maximum assignment (not the fairest one).
    pub assigned: Vec<Option<usize>>,
    /// Volunteers the hard rules allow for at least one request of the year.
    pub eligible: Vec<bool>,
    /// Eligible volunteers per request.
    pub candidates: Vec<usize>,
    /// Requests each volunteer is eligible for.
    pub eligible_for: Vec<u32>,
}

const SOURCE: usize = 0;
const SINK: usize = 1;

/// Solves the year over the (request, volunteer) pairs the hard rules allow and `allow`
/// accepts too. `tick` is called once per request.
pub fn solve(
    world: &World,
    matching: &MatchConfig,
    validity_months: u32,
    allow: &dyn Fn(usize, usize) -> bool,
    tick: &mut dyn FnMut(),
) -> Optimum {
    let requests = world.requests.len();
    let mut pool: Vec<Profile> = world.volunteers.iter().map(|v| v.profile.clone()).collect();
    let mut network = FlowNetwork::new(2 + requests);
    let mut months: HashMap<(usize, i32, u32), usize> = HashMap::new();
    let mut edges = Vec::new();
    let mut eligible_for = vec![0; pool.len()];
    let mut candidates = vec![0; requests];
    for (r, request) in world.requests.iter().enumerate() {
        tick();
        let day = local_day(request.created_at);
        let month = local_day(request.spec.starts_at);
        for (v, (profile, volunteer)) in pool.iter_mut().zip(&world.volunteers).enumerate() {
            apply_facts(profile, volunteer.facts_on(day, validity_months));
            if !allow(r, v) || first_violation(&request.spec, profile, request.created_at, matching).is_some() {
                continue;
            }
            let node = *months.entry((v, month.year(), month.month())).or_insert_with(|| {
                let node = network.add_node();
                let capacity = profile.max_assignments_per_month.map_or(requests as u64, u64::from);
                network.add_edge(node, SINK, capacity);
                node
            });
            edges.push((r, v, network.add_edge(2 + r, node, 1)));
            eligible_for[v] += 1;
            candidates[r] += 1;
        }
        if candidates[r] > 0 {
            network.add_edge(SOURCE, 2 + r, 1);
        }
    }
    let filled = network.max_flow(SOURCE, SINK) as usize;
    let mut assigned = vec![None; requests];
    for (r, v, edge) in edges {
        if network.flow(edge) > 0 {
            assigned[r] = Some(v);
        }
    }
    Optimum {
        filled,
        assigned,
        eligible: eligible_for.iter().map(|&n| n > 0).collect(),
        candidates,
        eligible_for,
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
        let id = self.to.len();
        for (a, b, c) in [(from, to, capacity), (to, from, 0)] {
            self.adjacency[a].push(self.to.len());
            self.to.push(b);
            self.residual.push(c);
            self.capacity.push(c);
        }
        id
    }

    /// The flow on an edge after [`FlowNetwork::max_flow`].
    pub fn flow(&self, edge: usize) -> u64 {
        self.capacity[edge] - self.residual[edge]
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
    fn optimum_respects_the_hard_rules_and_monthly_maxima() {
        let world = World::generate(11, 25, 150);
        let matching = MatchConfig::default();
        let optimum = solve(&world, &matching, 24, &|_, _| true, &mut || {});
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
