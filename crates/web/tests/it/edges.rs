//! The edges' parts on their own: the token bucket, `X-Forwarded-For` past trusted proxies,
//! proxy networks (issue 10, findings 5 and 7).

use axum::http::{HeaderMap, HeaderValue};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use web::Edges;
use web::edges::{EdgeState, Limiter, Net};

#[test]
fn a_bucket_lets_its_burst_pass_then_asks_to_wait_until_a_token_is_back() {
    let l = Limiter::new(10, 100);
    let t0 = Instant::now();
    for _ in 0..10 {
        assert_eq!(l.take(&"a", t0), Ok(()));
    }
    assert_eq!(l.take(&"a", t0), Err(6));
    assert_eq!(l.take(&"b", t0), Ok(()), "keys are separate");
    assert_eq!(l.take(&"a", t0 + Duration::from_secs(6)), Ok(()));
    assert!(l.take(&"a", t0 + Duration::from_secs(6)).is_err());
}

#[test]
fn a_full_limiter_drops_refilled_buckets_first_then_the_least_recently_seen() {
    let l = Limiter::new(1, 3);
    let t0 = Instant::now();
    for (i, k) in ["a", "b", "c"].iter().enumerate() {
        l.take(k, t0 + Duration::from_millis(i as u64)).unwrap();
    }
    assert_eq!(l.len(), 3);
    // None has refilled: the least recently seen ("a") goes.
    l.take(&"d", t0 + Duration::from_millis(10)).unwrap();
    assert_eq!(l.len(), 3);
    assert!(
        l.take(&"b", t0 + Duration::from_millis(11)).is_err(),
        "b is kept"
    );
    // A minute on, all have refilled and are dropped to make room.
    l.take(&"e", t0 + Duration::from_secs(61)).unwrap();
    assert_eq!(l.len(), 1);
}

#[test]
fn x_forwarded_for_is_read_from_the_right_past_trusted_proxies_only() {
    let s = EdgeState::new(Edges {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..Edges::default()
    });
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        HeaderValue::from_static("<script>, 8.8.8.8, 203.0.113.7, 10.1.2.3"),
    );
    let proxy: IpAddr = "10.0.0.1".parse().unwrap();
    let stranger: IpAddr = "198.51.100.9".parse().unwrap();
    assert_eq!(
        s.client_ip(proxy, &h),
        "203.0.113.7".parse::<IpAddr>().unwrap()
    );
    assert_eq!(s.client_ip(stranger, &h), stranger);
    h.insert("x-forwarded-for", HeaderValue::from_static("<script>"));
    assert_eq!(s.client_ip(proxy, &h), proxy, "garbage: the proxy itself");
}

#[test]
fn networks_parse_and_contain_their_addresses() {
    let n: Net = "192.168.0.0/16".parse().unwrap();
    assert!(n.contains("192.168.7.1".parse().unwrap()));
    assert!(!n.contains("192.169.0.1".parse().unwrap()));
    assert!(n.contains("::ffff:192.168.1.1".parse().unwrap()));
    let one: Net = "::1".parse().unwrap();
    assert!(one.contains("::1".parse().unwrap()));
    assert!("10.0.0.0/33".parse::<Net>().is_err());
    assert!("example.org".parse::<Net>().is_err());
}
