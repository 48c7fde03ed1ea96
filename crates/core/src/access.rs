//! Who may see and do what, for every capability crate: a staff user's access scope
//! (caseworkers their organisation's data, coordinators all) and a proof of the coordinator
//! role that coordinator-only functions take, so a caller cannot forget the check.

use crate::audit::Who;
use crate::vocab::Role;
use std::net::IpAddr;
use uuid::Uuid;

/// Whose data a staff user may see. Every query of an organisation's data takes one, so no
/// handler can forget the organisation boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Organisation(Uuid),
}

impl Scope {
    /// Coordinators see everything, caseworkers their organisation's.
    pub fn of(role: Role, organisation_id: Option<Uuid>) -> Self {
        match (role, organisation_id) {
            (Role::Coordinator, _) => Scope::All,
            (Role::Caseworker, Some(org)) => Scope::Organisation(org),
            // A caseworker without an organisation cannot exist (the registry refuses it); if
            // one did, it would see nothing rather than everything.
            (Role::Caseworker, None) => Scope::Organisation(Uuid::nil()),
        }
    }
}

/// The staff user acting, what they may see, and where they act from (for the audit log).
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Uuid,
    pub scope: Scope,
    /// The client's address, when the action came over HTTP.
    pub addr: Option<IpAddr>,
}

impl Actor {
    pub fn new(user_id: Uuid, role: Role, organisation_id: Option<Uuid>) -> Self {
        Self {
            user_id,
            scope: Scope::of(role, organisation_id),
            addr: None,
        }
    }

    pub fn from_addr(self, addr: IpAddr) -> Self {
        Self {
            addr: Some(addr),
            ..self
        }
    }

    /// Who the audit log names for this actor's actions.
    pub fn who(&self) -> Who {
        Who::Staff(self.user_id)
    }
}

/// Proof that the caller acts as a coordinator. Only [`Coordinator::check`] (for a signed-in
/// staff user) and [`Coordinator::operator`] (for the command line) make one, so a function
/// that takes it cannot be reached by a caseworker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coordinator {
    user_id: Option<Uuid>,
    addr: Option<IpAddr>,
}

impl Coordinator {
    /// A proof for this user, if they are a coordinator.
    pub fn check(user_id: Uuid, role: Role) -> Option<Self> {
        (role == Role::Coordinator).then_some(Self {
            user_id: Some(user_id),
            addr: None,
        })
    }

    /// Whoever runs the command line (`linguapool user add`, `demo`): they hold the server's
    /// configuration and database, so they are trusted as a coordinator.
    pub fn operator() -> Self {
        Self {
            user_id: None,
            addr: None,
        }
    }

    pub fn from_addr(self, addr: IpAddr) -> Self {
        Self {
            addr: Some(addr),
            ..self
        }
    }

    /// Where the coordinator acts from, when over HTTP.
    pub fn addr(&self) -> Option<IpAddr> {
        self.addr
    }

    /// Who the audit log names: the coordinator's user, or the operator at the command line.
    pub fn who(&self) -> Who {
        match self.user_id {
            Some(id) => Who::Staff(id),
            None => Who::Operator,
        }
    }

    /// The coordinator's user, or `None` for the command line's operator.
    pub fn user_id(&self) -> Option<Uuid> {
        self.user_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caseworker_sees_its_organisation_and_is_no_coordinator() {
        let org = Uuid::from_u128(7);
        let user = Uuid::from_u128(1);
        assert_eq!(Scope::of(Role::Caseworker, Some(org)), Scope::Organisation(org));
        assert_eq!(Scope::of(Role::Caseworker, None), Scope::Organisation(Uuid::nil()));
        assert_eq!(Scope::of(Role::Coordinator, None), Scope::All);
        assert!(Coordinator::check(user, Role::Caseworker).is_none());
        assert_eq!(
            Coordinator::check(user, Role::Coordinator).and_then(|c| c.user_id()),
            Some(user)
        );
    }
}
