//! The caller's source address: the peer's, or behind a trusted proxy the nearest untrusted
//! address in `X-Forwarded-For`, always a valid IP. Apart because trusting a header is a
//! security decision of its own (the networks believed are `Net`s).

use super::EdgeState;
use axum::http::HeaderMap;
use std::net::IpAddr;

impl EdgeState {
    /// The caller's address: the peer's, or, when the peer is a trusted proxy, the nearest
    /// untrusted address its `X-Forwarded-For` names. Always a valid IP.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // Each proxy appends the address it was connected from: read from the right, past our
        // own proxies. What a client wrote itself stands further left and is never reached
        // unless every proxy on the way is ours.
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                return nearest;
            };
            if !self.trusts(ip) {
                return ip;
            }
            nearest = ip;
        }
        nearest
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.edges.trusted_proxies.iter().any(|n| n.contains(ip))
    }
}

/// An address in `X-Forwarded-For`: an IP, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// A trusted proxy: an address or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Net {
    type Err = String;

    fn from_str(s: &str) -> Result<Net, String> {
        let bad =
            || format!("`{s}` is not an IP address or network (10.0.0.1, 10.0.0.0/8, fd00::/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
        };
        Ok(Net { addr, prefix })
    }
}
